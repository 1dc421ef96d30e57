/**
 * A hold that runs out on the checkout page, against a platform whose holds last a few seconds
 * (RESERVATION_HOLD_SECONDS, the same for the API and the expiry sweeper, running as its own
 * process). The buyer holds two standing tickets from the event page and stays on checkout: the
 * countdown runs down to zero, then the page says in words that the hold expired and the seats went
 * back, offers no way to pay and leads back to the event, where the seats are on sale again; the
 * API agrees (the booking expired, the availability back where it was). A buyer whose clock runs
 * late still sees time left and a Pay button after the hold has ended: paying is refused with the
 * human message of RESERVATION_EXPIRED, the page stops offering to pay, and nothing was charged.
 */
import { describe, expect, test } from "bun:test";
import { eventually } from "@booking-rush/test-support/eventually";
import type { Page } from "playwright-core";
import { messageFor } from "../src/client/messages";
import { expectAccessible, holdTickets, logIn, openPage, screenshot } from "./support/browser";
import { browserSuite } from "./support/browser-suite";
import { buyerPassword } from "./support/web-platform";

/** Long enough to land on checkout and see the countdown on a loaded machine, short enough to wait out. */
const holdSeconds = 20;
/** The hold's end as the page and the API see it: the hold time, plus the sweeper's next pass on a loaded machine. */
const expiredWithinMs = holdSeconds * 1_000 + 30_000;
const expiredMessage = messageFor({ code: "RESERVATION_EXPIRED", status: 410 });

const suite = browserSuite("web_hold_expiry", ["expiry-sweeper"], { RESERVATION_HOLD_SECONDS: String(holdSeconds) });

/** The buyer, signed in, holds two standing tickets from the event page and lands on checkout with the countdown running. */
async function holdOnCheckout(page: Page, email: string) {
  await logIn(page, email, buyerPassword);
  await page.goto(suite.platform.eventPath());
  return holdTickets(page, "Standing", 2);
}

/** The countdown's "m:ss" in seconds. */
async function timerSeconds(page: Page): Promise<number> {
  const text = (await page.getByRole("timer").textContent()) ?? "";
  const match = /^(\d+):(\d\d)$/.exec(text);
  if (!match) throw new Error(`the countdown reads "${text}"`);
  return Number(match[1]) * 60 + Number(match[2]);
}

async function expectBookingExpired(token: string, bookingId: string) {
  await eventually(
    async () => {
      const booking = await suite.platform.api("GET", `/bookings/${bookingId}`, token);
      expect(booking.status).toBe(200);
      expect(booking.body.data.status).toBe("expired");
      expect(booking.body.data.payment_id).toBeUndefined();
    },
    { timeoutMs: expiredWithinMs, intervalMs: 250 },
  );
}

describe("a hold that runs out on the checkout page", () => {
  test("the countdown reaches zero; the page says the seats went back, offers no payment and leads to the event", async () => {
    await suite.atEachWidth(async (context, width) => {
      const buyer = await suite.platform.buyer(`late-${width}`);
      const { page, expectNoProblems } = await openPage(context);
      const standingBefore = (await suite.platform.availability()).Standing!;
      const bookingId = await holdOnCheckout(page, buyer.email);
      expect((await suite.platform.availability()).Standing).toBe(standingBefore - 2);

      // The countdown runs: it shows the time left of this hold, and goes down.
      const first = await timerSeconds(page);
      expect(first).toBeGreaterThan(0);
      expect(first).toBeLessThanOrEqual(holdSeconds);
      await eventually(async () => expect(await timerSeconds(page)).toBeLessThan(first), { timeoutMs: 10_000, intervalMs: 200 });
      await page.getByRole("button", { name: /^Pay/ }).waitFor();

      // At zero: said plainly, no countdown, nothing to pay with, the way back to the event.
      const expired = page.getByRole("alert").filter({ hasText: expiredMessage });
      await expired.waitFor({ timeout: expiredWithinMs });
      await expired.getByText("Nothing was charged, and this hold can no longer be paid.").waitFor();
      expect(await page.getByRole("timer").count()).toBe(0);
      expect(await page.getByRole("button", { name: /Pay/ }).count()).toBe(0);
      expect(await page.getByRole("form", { name: "Pay" }).count()).toBe(0);

      // The API agrees: the booking expired unpaid and the two tickets are on sale again.
      await expectBookingExpired(buyer.token, bookingId);
      await eventually(async () => expect((await suite.platform.availability()).Standing).toBe(standingBefore), {
        timeoutMs: 10_000,
        intervalMs: 250,
      });
      await expectAccessible(page, `checkout, hold expired (${width})`);
      await screenshot(page, "checkout-expired", width);

      await expired.getByRole("link", { name: `Back to ${suite.platform.demoEventTitle}` }).click();
      await page.getByRole("heading", { level: 1, name: suite.platform.demoEventTitle }).waitFor();
      const standing = page.getByRole("row").filter({ has: page.getByRole("rowheader", { name: "Standing", exact: true }) });
      await standing.getByRole("cell", { name: `${standingBefore} of 1000 available`, exact: true }).waitFor();
      expectNoProblems();
    });
  }, 240_000);

  test("a buyer whose clock runs late pays after the hold ended: refused in words, nothing charged", async () => {
    await suite.inContext("phone", async (context) => {
      // This browser's clock runs two minutes behind the platform's.
      await context.clock.install({ time: Date.now() - 120_000 });
      const buyer = await suite.platform.buyer("slow-clock");
      const { page, expectNoProblems } = await openPage(context);
      const bookingId = await holdOnCheckout(page, buyer.email);
      await expectBookingExpired(buyer.token, bookingId);

      // By its own clock the page still has time left, and offers to pay.
      expect(await timerSeconds(page)).toBeGreaterThan(60);
      await page.getByRole("button", { name: /^Pay/ }).click();

      const refused = page.getByRole("alert").filter({ hasText: expiredMessage });
      await refused.waitFor();
      await page.getByRole("button", { name: /Pay/ }).waitFor({ state: "detached" });
      expect(await page.getByRole("timer").count()).toBe(0);
      await refused.getByRole("link", { name: `Back to ${suite.platform.demoEventTitle}` }).waitFor();
      // Nothing was charged: still no payment on the booking.
      await expectBookingExpired(buyer.token, bookingId);
      await expectAccessible(page, "checkout, paid too late (phone)");
      await screenshot(page, "checkout-paid-too-late", "phone");
      // The refused payment's 410 is the one error the browser logged.
      expectNoProblems([/status of 410/]);
    });
  }, 180_000);
});
