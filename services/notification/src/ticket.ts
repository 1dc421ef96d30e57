/**
 * The e-ticket's QR code: a PNG of `booking-rush:ticket:<booking id>`. The booking id is a random
 * UUID, so the code is as hard to guess as the id; a door scanner reads it and checks the booking
 * (confirmed, not yet admitted) against the platform.
 */
import QRCode from "qrcode";

export const ticketCode = (bookingId: string) => `booking-rush:ticket:${bookingId}`;

/** Content-ID of the inline image; the HTML template shows it as <img src="cid:…">. */
export const ticketImageCid = "ticket-qr@booking-rush";

export const qrOptions = { type: "png", errorCorrectionLevel: "M", margin: 2, scale: 6 } as const;

export const ticketQrPng = (bookingId: string): Promise<Buffer> => QRCode.toBuffer(ticketCode(bookingId), qrOptions);
