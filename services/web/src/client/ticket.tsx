/**
 * The e-ticket of a confirmed booking as the app shows it: the QR code a door scanner reads, drawn
 * here as inline SVG (the CSP allows no data: image) from the same ticket code the e-mailed PNG
 * holds (@booking-rush/lib/ticket-code), encoded by the same library (qrcode) in the browser.
 */
import { ticketCode, ticketQrErrorCorrection } from "@booking-rush/lib/ticket-code";
import QRCode from "qrcode";
import { useId, useMemo } from "react";

/** White modules around the code: a scanner needs a quiet zone of 4 (the QR standard's minimum). */
const quietZone = 4;

/** One SVG path for the dark modules, a rectangle per run of dark modules along each row. */
export function qrModulesPath(text: string): { size: number; path: string } {
  const { modules } = QRCode.create(text, { errorCorrectionLevel: ticketQrErrorCorrection });
  const parts: string[] = [];
  for (let row = 0; row < modules.size; row++) {
    let column = 0;
    while (column < modules.size) {
      if (!modules.get(row, column)) {
        column++;
        continue;
      }
      const start = column;
      while (column < modules.size && modules.get(row, column)) column++;
      parts.push(`M${start + quietZone} ${row + quietZone}h${column - start}v1h-${column - start}z`);
    }
  }
  return { size: modules.size + 2 * quietZone, path: parts.join("") };
}

/** The QR code of the booking's ticket, named for assistive technology. */
export function TicketQr({ bookingId }: { bookingId: string }) {
  const titleId = useId();
  const { size, path } = useMemo(() => qrModulesPath(ticketCode(bookingId)), [bookingId]);
  return (
    <svg
      className="ticket-qr"
      role="img"
      aria-labelledby={titleId}
      viewBox={`0 0 ${size} ${size}`}
      shapeRendering="crispEdges"
      xmlns="http://www.w3.org/2000/svg"
    >
      <title id={titleId}>QR code of your e-ticket for booking {bookingId}</title>
      <rect width={size} height={size} fill="#ffffff" />
      <path d={path} fill="#000000" />
    </svg>
  );
}

/** The e-ticket: the code to show at the door, and the booking it belongs to. */
export function Ticket({ bookingId, headingLevel = 2 }: { bookingId: string; headingLevel?: 2 | 3 }) {
  const headingId = useId();
  const Heading = headingLevel === 2 ? "h2" : "h3";
  return (
    <section className="ticket" aria-labelledby={headingId}>
      <Heading id={headingId}>Your e-ticket</Heading>
      <TicketQr bookingId={bookingId} />
      <p className="meta">
        Show this code at the door, on this screen or from the e-mail. Booking <code>{bookingId}</code>.
      </p>
    </section>
  );
}
