/**
 * E-mail templates: `templates/<name>.txt` and `templates/<name>.html`, read once at start.
 *
 * The text file starts with a `Subject: ...` line and a blank line; the rest is the plain-text
 * body. The HTML file is the message's content only: `templates/layout.html` is the frame every
 * e-mail shares (its `{{subject}}` is the rendered subject, `{{content}}` the rendered content). `{{name}}` is replaced by the value of that name: as it is in the subject and the text,
 * HTML-escaped in the HTML part (every value, there is no raw form). A placeholder without a value
 * is an error, never an empty gap in a customer's e-mail.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";

export const templateNames = [
  "booking-confirmed",
  "booking-expired",
  "booking-promoted",
  "waitlist-closed",
  "payment-failed",
  "payment-refunded",
] as const;
export type TemplateName = (typeof templateNames)[number];

export type TemplateValues = Record<string, string | number>;

export interface RenderedMail {
  subject: string;
  text: string;
  html: string;
}

export class TemplateError extends Error {
  override name = "TemplateError";
}

const placeholder = /\{\{\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*\}\}/g;

const htmlEntities: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };
export const escapeHtml = (value: string) => value.replace(/[&<>"']/g, (character) => htmlEntities[character]!);

/** Fills every `{{name}}` of `template`; `escapeValue` is applied to each value. */
export function renderTemplate(
  template: string,
  values: TemplateValues,
  escapeValue: (value: string) => string = (value) => value,
): string {
  return template.replace(placeholder, (_, name: string) => {
    const value = values[name];
    if (value === undefined) throw new TemplateError(`no value for {{${name}}}`);
    return escapeValue(String(value));
  });
}

interface TemplateSource {
  subject: string;
  text: string;
  html: string;
}

function parseTextTemplate(name: string, source: string): { subject: string; text: string } {
  const match = source.match(/^Subject:[ \t]*(.+)\r?\n\r?\n([\s\S]*)$/);
  if (!match) throw new TemplateError(`${name}.txt must start with "Subject: ..." and a blank line`);
  return { subject: match[1]!.trim(), text: match[2]! };
}

export const defaultTemplateDirectory = join(import.meta.dir, "..", "templates");

/** layout.html around its `{{content}}` slot: what comes before it and after it. */
function parseLayout(source: string): { before: string; after: string } {
  const parts = source.split("{{content}}");
  if (parts.length !== 2) throw new TemplateError("layout.html must have exactly one {{content}}");
  return { before: parts[0]!, after: parts[1]! };
}

/** Reads every template (a missing or malformed one stops the start, not the first e-mail). */
export function loadTemplates(directory = defaultTemplateDirectory) {
  const layout = parseLayout(readFileSync(join(directory, "layout.html"), "utf8"));
  const sources = new Map<TemplateName, TemplateSource>();
  for (const name of templateNames) {
    const text = parseTextTemplate(name, readFileSync(join(directory, `${name}.txt`), "utf8"));
    sources.set(name, { ...text, html: readFileSync(join(directory, `${name}.html`), "utf8") });
  }
  return {
    render(name: TemplateName, values: TemplateValues): RenderedMail {
      const source = sources.get(name)!;
      // One line whatever a value holds: a header cannot be split by a title with a line break.
      const subject = renderTemplate(source.subject, values).replace(/[\r\n]+/g, " ");
      const frame = (part: string) => renderTemplate(part, { subject }, escapeHtml);
      return {
        subject,
        text: renderTemplate(source.text, values),
        html: frame(layout.before) + renderTemplate(source.html, values, escapeHtml) + frame(layout.after),
      };
    },
  };
}

export type Templates = ReturnType<typeof loadTemplates>;
