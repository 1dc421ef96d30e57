/**
 * An event's min_age, through the public API: the organizer sets it in the catalog, the buyer's
 * date of birth comes from their profile (auth, the access token's `birthdate` claim), the sale
 * (lua/reserve.lua) counts the age on the day of booking. Refused: 403 AGE_RESTRICTED with the
 * limit and the reason, and nothing changed in Redis, also for a buyer asking for a waitlist place.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { yearsAgo } from "@booking-rush/test-support/dates";
import { type PlatformFixture, platformFixture } from "./support/platform";

let platform: PlatformFixture;
beforeAll(async () => {
  platform = await platformFixture("min_age");
});
afterAll(() => platform?.close());

type Sale = Awaited<ReturnType<PlatformFixture["publishedEvent"]>>;
type Buyer = Awaited<ReturnType<PlatformFixture["buyer"]>>;

const generalHold = (sale: Sale, quantity = 1, more: Record<string, unknown> = {}) => ({
  show_id: sale.show.id,
  zone_id: sale.general.id,
  quantity,
  ...more,
});

/** The request is 403 AGE_RESTRICTED for `reason`, and every key of the sale and the buyer's list are as they were. */
async function expectRestricted(sale: Sale, buyer: Buyer, body: unknown, reason: "too_young" | "date_of_birth_required", minAge = 18) {
  const before = await platform.snapshot(sale.event.id, [buyer.id]);
  const refused = await platform.call("POST", "/bookings/reserve", buyer.token, body);
  expect({ status: refused.status, error: refused.body.error }).toMatchObject({
    status: 403,
    error: { code: "AGE_RESTRICTED", details: { min_age: minAge, reason } },
  });
  // The zones' counts and waitlists, the user-tickets, the outbox, the idempotency records: all as they were.
  expect(await platform.snapshot(sale.event.id, [buyer.id])).toEqual(before);
}

describe("an event with min_age 18", () => {
  test("no date of birth: date_of_birth_required; a refreshed token after setting one gets through", async () => {
    const sale = await platform.publishedEvent({ min_age: 18 });
    const buyer = await platform.buyer();
    await expectRestricted(sale, buyer, generalHold(sale), "date_of_birth_required");
    await expectRestricted(sale, buyer, { show_id: sale.show.id, seat_ids: [sale.seatIds[0]] }, "date_of_birth_required");

    // Set on the profile: the token in use still has none; the one a refresh issues carries it.
    expect((await platform.call("PUT", "/auth/me", buyer.token, { date_of_birth: yearsAgo(30) })).status).toBe(200);
    await expectRestricted(sale, buyer, generalHold(sale), "date_of_birth_required");
    const refreshed = await platform.call("POST", "/auth/refresh", null, { refresh_token: buyer.refreshToken });
    const adult = { ...buyer, token: refreshed.body.data.tokens.access_token as string };
    const held = await platform.call("POST", "/bookings/reserve", adult.token, generalHold(sale, 2));
    expect(held.status).toBe(201);
    expect(held.body.data).toMatchObject({ status: "reserved", quantity: 2 });
  });

  test("17 (18 tomorrow): too_young; 18 today: 201; both for a number of seats and for chosen seats", async () => {
    const sale = await platform.publishedEvent({ min_age: 18 });
    const seventeen = await platform.buyer(yearsAgo(18, 1));
    await expectRestricted(sale, seventeen, generalHold(sale), "too_young");
    await expectRestricted(sale, seventeen, { show_id: sale.show.id, seat_ids: [sale.seatIds[0]] }, "too_young");

    const eighteen = await platform.buyer(yearsAgo(18));
    const general = await platform.call("POST", "/bookings/reserve", eighteen.token, generalHold(sale));
    expect(general.status).toBe(201);
    const seated = await platform.call("POST", "/bookings/reserve", eighteen.token, { show_id: sale.show.id, seat_ids: [sale.seatIds[0]] });
    expect(seated.status).toBe(201);
    expect(Number(await platform.redis.hget(sale.keys.userTickets, eighteen.id))).toBe(2);
    const zones = (await platform.call("GET", `/shows/${sale.show.id}/zones`, null)).body.data;
    expect(zones.map((zone: { reserved: number }) => zone.reserved).sort()).toEqual([1, 1]);
  });

  test("a sold-out zone with a waitlist: an under-age buyer or one without a date gets no waitlist place", async () => {
    const sale = await platform.publishedEvent({ min_age: 18, waitlist_limit: 10, max_tickets_per_user: 20 });
    for (let buyers = 0; buyers < 5; buyers += 1) {
      const adult = await platform.buyer(yearsAgo(40));
      for (const _ of [1, 2])
        expect((await platform.call("POST", "/bookings/reserve", adult.token, generalHold(sale, 10))).status).toBe(201);
    }
    const waiting = generalHold(sale, 1, { join_waitlist: true });
    await expectRestricted(sale, await platform.buyer(yearsAgo(18, 1)), waiting, "too_young");
    await expectRestricted(sale, await platform.buyer(), waiting, "date_of_birth_required");
    expect(await platform.redis.zcard(sale.keys.zoneWaitlist(sale.general.id))).toBe(0);

    // The same request from an adult is a waitlist place: the refusals above were the age alone.
    const adult = await platform.call("POST", "/bookings/reserve", (await platform.buyer(yearsAgo(18))).token, waiting);
    expect(adult.status).toBe(201);
    expect(adult.body.data).toMatchObject({ status: "waitlisted", waitlist_position: 1 });
  });

  test("the organizer raising min_age on the live sale applies to the next request", async () => {
    const sale = await platform.publishedEvent({ min_age: 18 });
    const nineteen = await platform.buyer(yearsAgo(19));
    expect((await platform.call("POST", "/bookings/reserve", nineteen.token, generalHold(sale))).status).toBe(201);
    expect((await platform.call("PUT", `/events/${sale.event.id}`, platform.organizerToken, { min_age: 21 })).status).toBe(200);
    await expectRestricted(sale, nineteen, generalHold(sale), "too_young", 21);
    expect((await platform.call("PUT", `/events/${sale.event.id}`, platform.organizerToken, { min_age: null })).status).toBe(200);
    expect((await platform.call("POST", "/bookings/reserve", nineteen.token, generalHold(sale))).status).toBe(201);
  });
});

describe("an event without min_age", () => {
  test("a buyer without a date of birth and a child both hold seats", async () => {
    const sale = await platform.publishedEvent();
    for (const buyer of [await platform.buyer(), await platform.buyer(yearsAgo(8))]) {
      expect((await platform.call("POST", "/bookings/reserve", buyer.token, generalHold(sale))).status).toBe(201);
    }
  });
});
