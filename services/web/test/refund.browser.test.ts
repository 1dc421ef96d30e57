/**
 * A refund in a real browser, with the payment path's workers running as their own processes
 * (outbox relay, payment worker against the mock gateway, payment saga, projector): a buyer whose
 * booking was bought and confirmed through the API opens My bookings, shows the booking's e-ticket
 * (its QR code reads the booking's ticket code), asks for a refund and sees the rule and the
 * amount the payment service quotes (GET /payments/:id/refund-quote) before anything is refunded;
 * confirming refunds it, the page says so without a reload, and the API agrees: the payment
 * refunded with its refund record, the booking cancelled by the saga; reloaded, the page still
 * reads "Refunded" with the amount. Each view axe-clean and
 * photographed at both widths.
 */
import { describe, expect, test } from "bun:test";
import { ticketCode } from "@booking-rush/lib/ticket-code";
import { eventually } from "@booking-rush/test-support/eventually";
import { decodeQrPng } from "@booking-rush/test-support/qr-code";
import type { Page } from "playwright-core";
import { expectAccessible, logIn, openPage, screenshot } from "./support/browser";
import { browserSuite } from "./support/browser-suite";
import { buyerPassword } from "./support/web-platform";

/** Charge, saga, projection; then the refund's cancellation by the saga: seconds, more on a loaded machine. */
const settledWithinMs = 90_000;

const suite = browserSuite("web_refund", ["outbox-relay", "payment-worker", "payment-saga", "projector"]);

/** A price as the page formats it: in the browser's own locale (formatPrice in client/format.ts). */
const priceInPage = (page: Page, minorUnits: number, currency: string) =>
  page.evaluate(
    ([units, code]) => {
      const format = new Intl.NumberFormat(undefined, { style: "currency", currency: code as string });
      return format.format((units as number) / 10 ** (format.resolvedOptions().maximumFractionDigits ?? 2));
    },
    [minorUnits, currency] as const,
  );

describe("a refund from My bookings", () => {
  test("the ticket, then the rule and the amount before confirming; refunded live, and the API agrees", async () => {
    await suite.atEachWidth(async (context, width) => {
      const buyer = await suite.platform.confirmedBuyer(`refund-${width}`, settledWithinMs);
      const { page, expectNoProblems } = await openPage(context);
      await logIn(page, buyer.email, buyerPassword);
      await page.getByRole("link", { name: "My bookings" }).click();
      await page.getByRole("heading", { level: 1, name: "My bookings" }).waitFor();
      // The buyer's one booking (the header's links are list items too, outside main).
      const item = page.getByRole("main").getByRole("listitem");
      await item.getByRole("heading", { name: "2 tickets · Confirmed" }).waitFor();
      expect(await item.count()).toBe(1);
      await expectAccessible(page, `my bookings (${width})`);
      await screenshot(page, "my-bookings", width);

      // The e-ticket: its QR code reads the booking's ticket code, as the e-mailed one does.
      const showTicket = item.getByRole("button", { name: "Show ticket" });
      expect(await showTicket.getAttribute("aria-expanded")).toBe("false");
      await showTicket.click();
      const qr = item.getByRole("img", { name: `QR code of your e-ticket for booking ${buyer.bookingId}` });
      await qr.waitFor();
      expect(await item.getByRole("button", { name: "Hide ticket" }).getAttribute("aria-expanded")).toBe("true");
      expect(decodeQrPng(await qr.screenshot())).toBe(ticketCode(buyer.bookingId));
      await expectAccessible(page, `my bookings, the ticket (${width})`);
      await screenshot(page, "ticket", width);

      // Asking shows the server's quote first, and refunds nothing yet.
      const quote = await suite.platform.api("GET", `/payments/${buyer.paymentId}/refund-quote`, buyer.token);
      expect(quote.status).toBe(200);
      expect(quote.body.data).toMatchObject({ refundable: true, reason: "customer_request" });
      const amount = await priceInPage(page, quote.body.data.amount, quote.body.data.currency);
      await item.getByRole("button", { name: "Ask for a refund" }).click();
      const panel = item.getByRole("region", { name: "Refund" });
      await panel.getByText(`You would get back ${amount} (${quote.body.data.percent}% of what you paid)`).waitFor();
      await panel.getByText(/^Refunds: the full price more than 7 days before the show/).waitFor();
      const confirm = panel.getByRole("button", { name: `Refund ${amount} and cancel my tickets` });
      await confirm.waitFor();
      expect((await suite.platform.api("GET", `/payments/${buyer.paymentId}`, buyer.token)).body.data.status).toBe("succeeded");
      await expectAccessible(page, `refund confirmation (${width})`);
      await screenshot(page, "refund-confirmation", width);

      await confirm.click();
      await item
        .getByRole("status")
        .filter({ hasText: `Refunded ${amount}` })
        .waitFor();
      await item.getByRole("heading", { name: "2 tickets · Refunded" }).waitFor();
      expect(await item.getByRole("button", { name: /ticket|refund/i }).count()).toBe(0);

      // The API agrees: the payment refunded with its refund record, the booking cancelled by the saga.
      const payment = await suite.platform.api("GET", `/payments/${buyer.paymentId}`, buyer.token);
      expect(payment.body.data).toMatchObject({
        status: "refunded",
        refund: { amount: quote.body.data.amount, percent: quote.body.data.percent, reason: "customer_request", status: "succeeded" },
      });
      await eventually(
        async () => {
          const booking = await suite.platform.api("GET", `/bookings/${buyer.bookingId}`, buyer.token);
          expect(booking.body.data.status).toBe("cancelled");
        },
        { timeoutMs: settledWithinMs, intervalMs: 250 },
      );
      // Still refunded on the page once the list has read the cancelled booking, without a reload.
      await item.getByRole("heading", { name: "2 tickets · Refunded" }).waitFor();
      // And on any later visit: the booking answer carries its refund (GET /bookings).
      await page.reload();
      await item.getByRole("heading", { name: "2 tickets · Refunded" }).waitFor();
      await item.getByText(`Refunded ${amount} (${quote.body.data.percent}% of what you paid)`).waitFor();
      await expectAccessible(page, `my bookings, refunded, reloaded (${width})`);
      expectNoProblems();
    });
  }, 480_000);
});
