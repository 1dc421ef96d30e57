/** Reads the local SMTP sink (MailDev): what really arrived, by recipient. */
const sinkApi = process.env.SMTP_SINK_API_URL ?? "http://127.0.0.1:8025";

export interface SinkAttachment {
  contentType: string;
  fileName: string;
  contentId?: string;
  contentDisposition?: string;
  generatedFileName: string;
}

export interface SinkMail {
  id: string;
  subject: string;
  text: string;
  html: string;
  to: { address: string }[];
  attachments: SinkAttachment[] | null;
}

export async function mailsTo(address: string): Promise<SinkMail[]> {
  const response = await fetch(`${sinkApi}/email`);
  if (!response.ok) throw new Error(`mail sink answered ${response.status}`);
  const all = (await response.json()) as SinkMail[];
  return all.filter((mail) => mail.to.some((recipient) => recipient.address.toLowerCase() === address.toLowerCase()));
}

export async function attachmentBytes(mail: SinkMail, attachment: SinkAttachment): Promise<Buffer> {
  const response = await fetch(`${sinkApi}/email/${mail.id}/attachment/${attachment.generatedFileName}`);
  if (!response.ok) throw new Error(`mail sink answered ${response.status} for an attachment`);
  return Buffer.from(await response.arrayBuffer());
}

/** Waits for the one e-mail to `address` and returns it; a second one fails the wait. */
export async function theOneMailTo(address: string, timeoutMs = 60_000): Promise<SinkMail> {
  const deadline = Date.now() + timeoutMs;
  let received: SinkMail[] = [];
  while (Date.now() < deadline) {
    received = await mailsTo(address);
    if (received.length > 1)
      throw new Error(`${received.length} e-mails to ${address}, expected one: ${received.map((mail) => mail.subject).join(" | ")}`);
    if (received.length === 1) return received[0]!;
    await Bun.sleep(200);
  }
  throw new Error(`no e-mail to ${address} within ${timeoutMs} ms`);
}
