/**
 * The e-ticket's QR code as the e-mail carries it: a PNG of the ticket code, whose format
 * (`booking-rush:ticket:<booking id>`) is the contract shared with the web app's ticket view
 * (@booking-rush/lib/ticket-code), so the code on paper and on screen is the same.
 */
import { ticketCode, ticketQrErrorCorrection } from "@booking-rush/lib/ticket-code";
import QRCode from "qrcode";

/** Content-ID of the inline image; the HTML template shows it as <img src="cid:…">. */
export const ticketImageCid = "ticket-qr@booking-rush";

export const qrOptions = { type: "png", errorCorrectionLevel: ticketQrErrorCorrection, margin: 2, scale: 6 } as const;

export const ticketQrPng = (bookingId: string): Promise<Buffer> => QRCode.toBuffer(ticketCode(bookingId), qrOptions);
