/**
 * Outgoing e-mail over SMTP with nodemailer: the provider's relay in production, the local sink
 * (MailDev) in development and tests. One pooled transport per process.
 *
 * Nothing of a message is logged here: bodies may carry one-time tokens (password reset), so callers
 * log what they sent by recipient-free facts (e.g. the user id), never the text.
 */
import nodemailer from "nodemailer";
import type { SmtpConfig } from "../settings";

/** An image shown inside the HTML part (referenced as `cid:<cid>`), e.g. an e-ticket's QR code. */
export interface InlineImage {
  filename: string;
  content: Buffer;
  contentType: string;
  cid: string;
}

export interface OutgoingMail {
  to: string;
  subject: string;
  text: string;
  html?: string;
  images?: InlineImage[];
}

export interface Mailer {
  /** Resolves once the SMTP server accepted the message; rejects when it refused or was unreachable. */
  send(mail: OutgoingMail): Promise<{ messageId: string }>;
  /** Connects and says hello: for readiness checks. */
  verify(): Promise<void>;
  close(): void;
}

export function createMailer(config: SmtpConfig): Mailer {
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
    // nodemailer's own logging would print envelopes and, at debug, whole messages.
    logger: false,
    debug: false,
  });
  // A pooled connection that fails between sends emits 'error'; each send() rejects on its own,
  // so the event needs a listener only to not become an uncaught exception.
  transport.on("error", () => {});
  return {
    async send(mail) {
      const info = await transport.sendMail({
        from: config.from,
        to: mail.to,
        subject: mail.subject,
        text: mail.text,
        html: mail.html,
        attachments: (mail.images ?? []).map((image) => ({ ...image, contentDisposition: "inline" as const })),
      });
      return { messageId: info.messageId };
    },
    async verify() {
      await transport.verify();
    },
    close: () => transport.close(),
  };
}
