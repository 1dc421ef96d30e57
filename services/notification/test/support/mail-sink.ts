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
