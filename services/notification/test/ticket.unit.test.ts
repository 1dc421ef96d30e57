/**
 * The e-mailed ticket's QR code, read back as a door scanner reads it: the PNG holds exactly the
 * shared ticket code (`booking-rush:ticket:<booking id>`, @booking-rush/lib/ticket-code), the
 * text the web app's ticket view encodes too.
 */
import { describe, expect, test } from "bun:test";
import { ticketCode } from "@booking-rush/lib/ticket-code";
import { decodeQrPng } from "@booking-rush/test-support/qr-code";
import { ticketQrPng } from "../src/ticket";

describe("the e-ticket's QR code", () => {
  test("decodes to booking-rush:ticket:<booking id>", async () => {
    const bookingId = crypto.randomUUID();
    const read = decodeQrPng(await ticketQrPng(bookingId));
    expect(read).toBe(`booking-rush:ticket:${bookingId}`);
    expect(read).toBe(ticketCode(bookingId));
  });

  test("a different booking reads differently", async () => {
    const [first, second] = [crypto.randomUUID(), crypto.randomUUID()];
    expect(decodeQrPng(await ticketQrPng(first))).not.toBe(decodeQrPng(await ticketQrPng(second)));
  });
});
