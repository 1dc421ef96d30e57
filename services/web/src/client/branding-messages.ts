/**
 * What an admin reads when a branding change is refused (PUT /admin/tenant/branding, PUT and
 * DELETE /admin/tenant/logo): the codes those routes answer, in the words of the branding page;
 * any other code reads as everywhere else (messages.ts). No DOM here: unit-tested as it is.
 */
import { type ErrorFacts, messageFor } from "./messages";

/** The logo limit the API enforces (the kernel's raw-body limit); shown in the page's hint too. */
export const maxLogoKilobytes = 100;

function validationMessage(error: ErrorFacts): string {
  const fields = (error.details?.fields as { field?: string; message?: string }[] | undefined) ?? [];
  const field = fields[0];
  if (field?.field === "primary_color" && field.message?.includes("contrast"))
    return "White text on that main colour would be hard to read: it needs a contrast of at least 4.5 to 1 (WCAG AA). Choose a darker colour. Nothing was changed.";
  if (field?.field === "primary_color" || field?.field === "accent_color")
    return "Colours are written as # and six hexadecimal digits, like #1d4ed8. Nothing was changed.";
  if (field?.field === "content-type")
    return "That file is not the kind of image its name says. Save it again as a PNG, JPEG or WebP file and upload that. The logo was not changed.";
  if (field?.field === "" || field?.message?.includes("image"))
    return "That file is not a PNG, JPEG or WebP image (SVG is not accepted: it can carry scripts). Choose another file. The logo was not changed.";
  return messageFor(error);
}

const brandingMessages: Record<string, (error: ErrorFacts) => string> = {
  VALIDATION_ERROR: validationMessage,
  PAYLOAD_TOO_LARGE: () =>
    `That image is larger than ${maxLogoKilobytes} KB. Make it smaller (fewer pixels, or saved as WebP) and upload it again. The logo was not changed.`,
  FORBIDDEN: () => "Only an admin of your organization can change its branding. Nothing was changed.",
  UNAUTHORIZED: () => "Please log in again as an admin to change the branding; your session may have ended. Nothing was changed.",
  NOT_FOUND: () => "Your organization could not be found (it may have been suspended). Nothing was changed.",
  SERVICE_UNAVAILABLE: () => "We could not save that just now and nothing was changed. Please try again in a moment.",
};

/** The message for a refused branding change; every other code as messages.ts says it. */
export function brandingMessage(error: ErrorFacts): string {
  return (brandingMessages[error.code] ?? messageFor)(error);
}
