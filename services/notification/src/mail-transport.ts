/**
 * SMTP delivery of the notification e-mails. Like lib's `createMailer` (same settings, one pooled
 * nodemailer transport, nothing of a message logged), plus inline attachments for the e-ticket's
 * QR code, which lib's mailer does not carry.
 */
import nodemailer from "nodemailer";
import type { SmtpConfig } from "@booking-rush/lib";

export interface InlineImage {
  filename: string;
  content: Buffer;
  contentType: string;
  /** Referenced from the HTML as cid:<cid>. */
  cid: string;
}

export interface NotificationMail {
  to: string;
  subject: string;
  text: string;
  html: string;
  images?: InlineImage[];
}

export interface MailTransport {
  /** Resolves once the SMTP server accepted the message; rejects when it refused or was unreachable. */
  send(mail: NotificationMail): Promise<{ messageId: string }>;
  close(): void;
}

export function createMailTransport(config: SmtpConfig): MailTransport {
  const transport = nodemailer.createTransport({
    host: config.host,
    port: config.port,
    secure: config.secure,
    auth: config.user ? { user: config.user, pass: config.password ?? "" } : undefined,
    pool: true,
    maxConnections: 2,
    connectionTimeout: config.timeoutMs,
    greetingTimeout: config.timeoutMs,
    socketTimeout: config.timeoutMs,
    logger: false,
    debug: false,
  });
  // A pooled connection that fails between sends emits 'error'; each send rejects on its own.
  transport.on("error", () => {});
  return {
    async send(mail) {
      const info = await transport.sendMail({
        from: config.from,
        to: mail.to,
        subject: mail.subject,
        text: mail.text,
        html: mail.html,
        attachments: (mail.images ?? []).map((image) => ({
          filename: image.filename,
          content: image.content,
          contentType: image.contentType,
          cid: image.cid,
          contentDisposition: "inline" as const,
        })),
      });
      return { messageId: info.messageId };
    },
    close: () => transport.close(),
  };
}

/** SMTP's own verdict: a 5xx reply is permanent (the same message will be refused again). */
export function isPermanentSmtpError(error: unknown): boolean {
  const code = (error as { responseCode?: unknown } | null)?.responseCode;
  return typeof code === "number" && code >= 500 && code < 600;
}

/** An SMTP error for logs and dead-letter headers: no addresses (servers quote the recipient). */
export function describeSmtpError(error: unknown): string {
  const { code, responseCode, message } = (error ?? {}) as { code?: unknown; responseCode?: unknown; message?: unknown };
  const text = String(message ?? error).replace(/<?[^\s<>@"']+@[^\s<>@"']+>?/g, "<address>").slice(0, 300);
  return [typeof code === "string" ? code : undefined, typeof responseCode === "number" ? String(responseCode) : undefined, text].filter(Boolean).join(" ");
}
