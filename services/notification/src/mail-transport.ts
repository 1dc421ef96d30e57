/**
 * SMTP delivery of the notification e-mails: lib's mailer (one pooled transport, inline images for
 * the e-ticket's QR code, nothing of a message logged), and how its failures are judged.
 */
import type { InlineImage, Mailer } from "@booking-rush/lib/clients";

export type { InlineImage };
export type MailTransport = Pick<Mailer, "send" | "close">;

/** SMTP's own verdict: a 5xx reply is permanent (the same message will be refused again). */
export function isPermanentSmtpError(error: unknown): boolean {
  const code = (error as { responseCode?: unknown } | null)?.responseCode;
  return typeof code === "number" && code >= 500 && code < 600;
}

/** An SMTP error for logs and dead-letter headers: no addresses (servers quote the recipient). */
export function describeSmtpError(error: unknown): string {
  const { code, responseCode, message } = (error ?? {}) as { code?: unknown; responseCode?: unknown; message?: unknown };
  const text = String(message ?? error)
    .replace(/<?[^\s<>@"']+@[^\s<>@"']+>?/g, "<address>")
    .slice(0, 300);
  return [typeof code === "string" ? code : undefined, typeof responseCode === "number" ? String(responseCode) : undefined, text]
    .filter(Boolean)
    .join(" ");
}
