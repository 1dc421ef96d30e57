/**
 * Two buyers in two browsers (one at desktop width, one at phone width) race for the same two
 * adjacent seats on the seat map: the first holds them and goes to checkout; the second's hold is
 * refused, their page says in words which seats were taken and that nothing was held, and their
 * map shows those seats taken, with the store agreeing (the first buyer's booking holds exactly
 * those seats; the second has no hold). Each map is axe-clean and photographed.
 */
import { describe, expect, test } from "bun:test";
import type { Page } from "playwright-core";
import { expectAccessible, screenshot, type ViewportName } from "./support/browser";
import { browserSuite } from "./support/browser-suite";

const suite = browserSuite("web_seat_race");

const seat = (page: Page, number: number, state: string) =>
  page.getByRole("button", { name: `Row A, seat ${number}, ${state}`, exact: true });

/** A buyer signed in at `width`, on the seated zone's map (from the event page's link), with seats A1 and A2 chosen. */
async function buyerOnTheMap(width: ViewportName) {
  const signedIn = await suite.signedInBuyer(`racer-${width}`, width);
  const { page } = signedIn;
  await page.goto(suite.platform.eventPath());
  await page.getByRole("link", { name: "Choose seats in Seated" }).click();
  await page.getByRole("heading", { level: 1, name: "Choose seats: Seated" }).waitFor();
  await seat(page, 1, "available").click();
  await seat(page, 2, "available").click();
  await seat(page, 1, "selected").waitFor();
  await seat(page, 2, "selected").waitFor();
  await page.getByRole("status").filter({ hasText: "Row A, seat 1; Row A, seat 2" }).waitFor();
  await expectAccessible(page, `seat map (${width})`);
  await screenshot(page, "seat-map", width);
  return signedIn;
}

describe("two buyers race for the same seats", () => {
  test("the first holds them; the second is told which were taken, holds nothing, and sees them taken", async () => {
    const first = await buyerOnTheMap("desktop");
    const second = await buyerOnTheMap("phone");
    try {
      await first.page.getByRole("button", { name: "Hold 2 seats" }).click();
      await first.page.waitForURL("**/checkout/*");
      const bookingId = new URL(first.page.url()).pathname.split("/").pop()!;
      const held = await suite.platform.api("GET", `/bookings/${bookingId}`, first.buyer.token);
      expect(held.body.data).toMatchObject({ status: "reserved", quantity: 2 });
      const seatIds = held.body.data.seat_ids as string[];

      await second.page.getByRole("button", { name: "Hold 2 seats" }).click();
      await second.page
        .getByRole("alert")
        .filter({ hasText: "Row A, seat 1 and Row A, seat 2 were taken by someone else a moment ago. Nothing was held" })
        .waitFor();
      await seat(second.page, 1, "taken").waitFor();
      await seat(second.page, 2, "taken").waitFor();
      expect(await seat(second.page, 1, "taken").isDisabled()).toBe(true);
      expect(new URL(second.page.url()).pathname).not.toContain("/checkout/");
      await expectAccessible(second.page, "seat map after a lost race (phone)");
      await screenshot(second.page, "seat-map-taken", "phone");

      // The store agrees: the two seats are the first buyer's hold, the second buyer holds nothing.
      const seats = await suite.platform.api(
        "GET",
        `/shows/${suite.platform.demo.show_id}/seats?zone_id=${suite.platform.demo.zones.Seated}`,
        null,
      );
      const taken = (seats.body.data as { id: string; row_label: string; seat_number: number; state: string }[]).filter(
        (candidate) => candidate.state !== "available",
      );
      expect(taken.map((candidate) => candidate.id).sort()).toEqual([...seatIds].sort());
      expect(taken.map((candidate) => `${candidate.row_label}${candidate.seat_number}`).sort()).toEqual(["A1", "A2"]);
      const pending = await suite.platform.api("GET", "/bookings/pending", second.buyer.token);
      expect(pending.status).toBe(200);
      expect(pending.body.data).toEqual([]);
      first.expectNoProblems();
      // The refused hold's 409 is the one error the second browser logged.
      second.expectNoProblems([/status of 409/]);
    } finally {
      await first.context.close();
      await second.context.close();
    }
  }, 180_000);
});
