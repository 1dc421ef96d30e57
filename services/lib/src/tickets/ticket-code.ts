/**
 * What an e-ticket's QR code says, the one format shared by the e-mailed ticket (notification's
 * PNG) and the web app's ticket view (an SVG drawn in the browser): `booking-rush:ticket:<booking
 * id>`. The booking id is a random UUID, so the code is as hard to guess as the id; a door scanner
 * reads it and checks the booking (confirmed, not yet admitted) against the platform.
 * No imports: the browser bundle takes this file as it is (`@booking-rush/lib/ticket-code`).
 */
export const ticketCode = (bookingId: string) => `booking-rush:ticket:${bookingId}`;

/** The QR's error correction, the same on paper and on screen (M: about 15% of the code may be lost). */
export const ticketQrErrorCorrection = "M";
