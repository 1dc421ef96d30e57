/**
 * A sold-out zone and its waitlist in real browsers. Another buyer holds both places of the seeded
 * "Front Row" through the API; two buyers (one at desktop width, one at phone width) see the zone
 * sold out with the offer to join the waitlist, join it one after the other and see their places, 1
 * and 2, as the API gives them; a third joins and leaves again from the waitlist page. When the other buyer cancels their hold through the API, the two
 * places come back and go to the two waiting buyers, not back on sale: each page shows the
 * promotion without a reload and leads to checkout with the promoted hold's countdown, which the
 * API shows reserved. Each of those pages is axe-clean and photographed at its width.
 */
import { describe, expect, test } from "bun:test";
import type { Page } from "playwright-core";
import { expectAccessible, screenshot, type ViewportName } from "./support/browser";
import { browserSuite } from "./support/browser-suite";

/** How long a waiting page may take to show a promotion the API already made (it reads the booking every few seconds). */
const promotedWithinMs = 20_000;

const suite = browserSuite("web_waitlist");

const frontRow = (page: Page) => page.getByRole("row").filter({ has: page.getByRole("rowheader", { name: "Front Row", exact: true }) });

/** A buyer at `width` who finds Front Row sold out on the event page and joins its waitlist; on their waitlist page. */
async function joinTheWaitlist(width: ViewportName, expectedPosition: number, photograph = true) {
  const signedIn = await suite.signedInBuyer(`waiting-${width}`, width);
  const { page, buyer } = signedIn;
  await page.goto(suite.platform.eventPath());
  await page.getByRole("heading", { level: 1, name: suite.platform.demoEventTitle }).waitFor();

  // Sold out, with the waitlist offered (and the people already on it counted).
  const waiting = expectedPosition - 1;
  await frontRow(page)
    .getByRole("cell", { name: waiting > 0 ? `Sold out, ${waiting} on the waitlist` : "Sold out", exact: true })
    .waitFor();
  const join = frontRow(page).getByRole("form", { name: "Join the waitlist for Front Row" });
  await join.getByLabel("Tickets").waitFor();
  expect(await frontRow(page).getByRole("form", { name: "Hold tickets in Front Row" }).count()).toBe(0);
  await expectAccessible(page, `event, Front Row sold out (${width})`);
  if (photograph) await screenshot(page, "zone-sold-out", width);

  await join.getByRole("button", { name: "Join the waitlist" }).click();
  await page.waitForURL("**/waitlist/*");
  await page.getByRole("heading", { level: 1, name: "Your waitlist place" }).waitFor();
  const bookingId = new URL(page.url()).pathname.split("/").pop()!;
  await page.getByText(`Number ${expectedPosition} in line`, { exact: true }).waitFor();
  // The place shown is the one the API gives.
  const booking = await suite.platform.api("GET", `/bookings/${bookingId}`, buyer.token);
  expect(booking.status).toBe(200);
  expect(booking.body.data).toMatchObject({
    status: "waitlisted",
    waitlist_position: expectedPosition,
    quantity: 1,
    zone_id: suite.platform.demo.zones["Front Row"],
  });
  await expectAccessible(page, `waitlist place (${width})`);
  if (photograph) await screenshot(page, "waitlist-place", width);
  return { ...signedIn, bookingId };
}

/** The promotion on the waiting page, without a reload; then checkout with the promoted hold's countdown. */
async function promotedToCheckout(waiter: Awaited<ReturnType<typeof joinTheWaitlist>>, width: ViewportName) {
  const { page } = waiter;
  const promotion = page.getByRole("alert").filter({ hasText: "came back and is held for you" });
  await promotion.waitFor({ timeout: promotedWithinMs });
  expect(await page.getByText(/in line$/).count()).toBe(0);
  await expectAccessible(page, `waitlist, promoted (${width})`);
  await screenshot(page, "waitlist-promoted", width);
  await promotion.getByRole("link", { name: "Go to checkout" }).click();
  await page.waitForURL(`**/checkout/${waiter.bookingId}`);
  await page.getByRole("heading", { level: 1, name: "Checkout" }).waitFor();
  await page.getByRole("timer").waitFor();
  await page.getByRole("button", { name: /^Pay/ }).waitFor();
  const booking = await suite.platform.api("GET", `/bookings/${waiter.bookingId}`, waiter.buyer.token);
  expect(booking.body.data).toMatchObject({ status: "reserved", quantity: 1, zone_id: suite.platform.demo.zones["Front Row"] });
  // A hold made by the promotion: promoted_at says when.
  expect(Date.parse(booking.body.data.promoted_at)).toBeLessThanOrEqual(Date.now());
  // The countdown shows the promoted hold's own time: it ends when the API says it does.
  const [minutes, seconds] = ((await page.getByRole("timer").textContent()) ?? "").split(":").map(Number);
  const shownMs = (minutes! * 60 + seconds!) * 1_000;
  const apiMs = Date.parse(booking.body.data.expires_at) - Date.now();
  expect(Math.abs(shownMs - apiMs)).toBeLessThan(5_000);
  await expectAccessible(page, `checkout, promoted (${width})`);
  await screenshot(page, "checkout-promoted", width);
}

describe("a sold-out zone with a waitlist", () => {
  test("two buyers join, see places 1 and 2, and are promoted without a reload when a hold is cancelled", async () => {
    const rival = await suite.platform.buyer("rival");
    const held = await suite.platform.api("POST", "/bookings/reserve", rival.token, {
      show_id: suite.platform.demo.show_id,
      zone_id: suite.platform.demo.zones["Front Row"],
      quantity: 2,
    });
    expect(held.status).toBe(201);
    expect(held.body.data.status).toBe("reserved");
    expect((await suite.platform.availability())["Front Row"]).toBe(0);

    const first = await joinTheWaitlist("desktop", 1);
    const second = await joinTheWaitlist("phone", 2);
    try {
      // A third buyer joins behind them and leaves again from the waitlist page.
      const third = await joinTheWaitlist("desktop", 3, false);
      try {
        await third.page.getByRole("button", { name: "Leave the waitlist" }).click();
        await third.page.getByRole("status").filter({ hasText: "You are no longer on this waitlist." }).waitFor();
        const left = await suite.platform.api("GET", `/bookings/${third.bookingId}`, third.buyer.token);
        expect(left.body.data.status).toBe("cancelled");
        third.expectNoProblems();
      } finally {
        await third.context.close();
      }

      // The two places come back: they go to the two waiting buyers, not back on sale.
      const cancelled = await suite.platform.api("POST", `/bookings/${held.body.data.booking_id}/cancel`, rival.token);
      expect(cancelled.status).toBe(200);
      expect((await suite.platform.availability())["Front Row"]).toBe(0);

      await promotedToCheckout(first, "desktop");
      await promotedToCheckout(second, "phone");
      first.expectNoProblems();
      second.expectNoProblems();
    } finally {
      await first.context.close();
      await second.context.close();
    }
  }, 240_000);
});
