/**
 * A buyer's whole purchase in a real browser against the platform with the queue admitter and
 * every worker of the payment path running as its own process (outbox relay, payment worker
 * against the mock gateway, payment saga, projector, notification worker): the organizer has
 * turned the sale's waiting room on; the buyer registers through the form, finds the event in the
 * list, joins the waiting room and waits in line (admission paused) until the organizer resumes
 * it, is admitted without a reload, picks two adjacent seats on the seat map with the pass, holds
 * them, pays by card on checkout, watches the booking become confirmed without a reload with its
 * e-ticket's QR code, and receives the e-ticket in the SMTP sink, whose QR code reads the same.
 */
import { beforeAll, describe, expect, test } from "bun:test";
import { ticketCode } from "@booking-rush/lib/ticket-code";
import { attachmentBytes, theOneMailTo } from "@booking-rush/test-support/mail-sink";
import { decodeQrPng } from "@booking-rush/test-support/qr-code";
import { expectAccessible, openPage, screenshot } from "./support/browser";
import { browserSuite } from "./support/browser-suite";
import { buyerPassword } from "./support/web-platform";

/** Charge, saga, projection: seconds on a quiet machine, more on a loaded one. */
const confirmedWithinMs = 90_000;
/** Admission once resumed: the admitter's next pass, on a loaded machine. */
const admittedWithinMs = 30_000;

const suite = browserSuite("web_journey", [
  "queue-admitter",
  "outbox-relay",
  "payment-worker",
  "payment-saga",
  "projector",
  "notification",
]);

// The organizer turns the sale's waiting room on.
beforeAll(() => suite.platform.turnQueueOn(), 60_000);

describe("a buyer's purchase", () => {
  test("register, find the event, wait in line, two adjacent seats, pay, confirmed live with the QR ticket, the e-ticket e-mailed", async () => {
    // Admission waits for the organizer: the buyer really stands in line first.
    await suite.platform.setAdmission("pause");
    await suite.inContext("desktop", async (context) => {
      const { page, expectNoProblems } = await openPage(context);
      const email = suite.platform.newEmail("journey");
      await page.goto("/register");
      const form = page.getByRole("form", { name: "Create an account" });
      await form.getByLabel("Name").fill("Journey Buyer");
      await form.getByLabel("E-mail").fill(email);
      await form.getByLabel("Password").fill(buyerPassword);
      await form.getByRole("button", { name: "Create account" }).click();
      await page.getByRole("link", { name: "Log out" }).waitFor();
      const token = await suite.platform.accessToken(email, buyerPassword);

      await page.getByRole("searchbox", { name: "Search" }).fill("Demo Night");
      await page.getByRole("button", { name: "Search" }).click();
      await page.getByRole("link", { name: suite.platform.demoEventTitle }).click();
      const seated = page.getByRole("row").filter({ has: page.getByRole("rowheader", { name: "Seated", exact: true }) });
      await seated.getByRole("link", { name: "Join the waiting room" }).click();

      // In line: the place the page shows is the buyer's place as the API tells it.
      await page.getByRole("heading", { level: 1, name: `Waiting room: ${suite.platform.demoEventTitle}` }).waitFor();
      const place = page.getByText(/^\d+ in line$/);
      await place.waitFor();
      const status = await suite.platform.api("GET", `/queue/status?event_id=${suite.platform.demo.event_id}`, token);
      expect(status.body.data.status).toBe("waiting");
      expect(await place.textContent()).toBe(`${status.body.data.position} in line`);
      // Without the pass, the API refuses a hold of this sale.
      const jumped = await suite.platform.api("POST", "/bookings/reserve", token, {
        show_id: suite.platform.demo.show_id,
        zone_id: suite.platform.demo.zones.Standing,
        quantity: 1,
      });
      expect(jumped.status).toBe(403);
      expect(jumped.body.error.code).toBe("QUEUE_REQUIRED");

      await suite.platform.setAdmission("resume");
      const turn = page.getByRole("alert").filter({ hasText: "It is your turn" });
      await turn.waitFor({ timeout: admittedWithinMs });
      await turn.getByRole("link", { name: "Choose seats" }).click();

      await page.getByRole("link", { name: "Choose seats in Seated" }).click();
      await page.getByRole("button", { name: "Row B, seat 5, available", exact: true }).click();
      await page.getByRole("button", { name: "Row B, seat 6, available", exact: true }).click();
      await page.getByRole("button", { name: "Hold 2 seats" }).click();
      await page.waitForURL("**/checkout/*");
      const bookingId = new URL(page.url()).pathname.split("/").pop()!;
      await page.getByRole("timer").waitFor();

      await page.getByRole("form", { name: "Pay" }).getByRole("button", { name: /^Pay/ }).click();
      await page.getByRole("heading", { level: 1, name: "Booking confirmed" }).waitFor({ timeout: confirmedWithinMs });
      await page.getByRole("status").filter({ hasText: "Paid and confirmed" }).waitFor();
      const qr = page.getByRole("img", { name: `QR code of your e-ticket for booking ${bookingId}` });
      await qr.waitFor();
      await expectAccessible(page, "checkout, confirmed");
      await screenshot(page, "booking-confirmed", "desktop");

      // The store and the mail agree with the page.
      const booking = await suite.platform.api("GET", `/bookings/${bookingId}`, token);
      expect(booking.body.data).toMatchObject({ status: "confirmed", quantity: 2 });
      const seats = await suite.platform.api(
        "GET",
        `/shows/${suite.platform.demo.show_id}/seats?zone_id=${suite.platform.demo.zones.Seated}`,
        null,
      );
      const held = (seats.body.data as { id: string; row_label: string; seat_number: number; state: string }[]).filter((seat) =>
        (booking.body.data.seat_ids as string[]).includes(seat.id),
      );
      expect(held.map((seat) => `${seat.row_label}${seat.seat_number}:${seat.state}`).sort()).toEqual(["B5:sold", "B6:sold"]);
      const mail = await theOneMailTo(email, confirmedWithinMs);
      expect(mail.subject).toContain("Your tickets");
      const png = (mail.attachments ?? []).find((attachment) => attachment.contentType === "image/png");
      expect(png).toBeDefined();

      // The QR on the page and the QR in the e-mail read the same: the booking's ticket code.
      const onPage = decodeQrPng(await qr.screenshot());
      const inMail = decodeQrPng(await attachmentBytes(mail, png!));
      expect(onPage).toBe(ticketCode(bookingId));
      expect(inMail).toBe(onPage);
      expectNoProblems();
    });
  }, 300_000);
});
