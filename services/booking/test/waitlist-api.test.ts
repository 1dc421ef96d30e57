/**
 * The waitlist through the public API under real concurrency, checked against Redis afterwards:
 * who gets a hold, who a place and which, and where returned seats go while newcomers hammer.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { type BookingFixture, bookingFixture, get, post, tokenFor, zoneCounts } from "@booking-rush/test-support/booking-fixture";

let fixture: BookingFixture;
beforeAll(async () => {
  fixture = await bookingFixture();
});
afterAll(() => fixture.close());

const buyers = (count: number) =>
  Promise.all(
    Array.from({ length: count }, async () => {
      const id = crypto.randomUUID();
      return { id, token: await tokenFor(id) };
    }),
  );

describe("the waitlist under real concurrency", () => {
  test("1,000 buyers race for 10 seats with join_waitlist: 10 holds, places 1..limit without gap or twice, then FULL; a second try is ALREADY_WAITLISTED", async () => {
    const sale = await fixture.publish([{ kind: "general", total: 10, price: 150_000 }], { waitlistLimit: 300 });
    const zone = sale.zones[0]!;
    const everyone = await buyers(1_000);
    const reserve = (token: string) =>
      post(fixture, "/bookings/reserve", token, { show_id: sale.showId, zone_id: zone.id, quantity: 1, join_waitlist: true });

    const results = await Promise.all(everyone.map(async (buyer) => ({ buyer, ...(await reserve(buyer.token)) })));

    const held = results.filter((result) => result.status === 201 && result.body.data.status === "reserved");
    const waiting = results.filter((result) => result.status === 201 && result.body.data.status === "waitlisted");
    const refused = results.filter((result) => result.status !== 201);
    expect(held).toHaveLength(10);
    expect(waiting).toHaveLength(300);
    expect(refused).toHaveLength(690);
    for (const result of refused) expect(result.body.error).toMatchObject({ code: "WAITLIST_FULL", details: { limit: 300 } });
    const positions = waiting.map((result) => result.body.data.waitlist_position).sort((a, b) => a - b);
    expect(positions).toEqual(Array.from({ length: 300 }, (_, index) => index + 1));

    // Each waiting buyer trying again (a new request, not a retry) is told where they already are.
    const again = await Promise.all(waiting.map(async (result) => ({ first: result.body.data, ...(await reserve(result.buyer.token)) })));
    for (const answer of again) {
      expect(answer.status).toBe(409);
      expect(answer.body.error).toMatchObject({
        code: "ALREADY_WAITLISTED",
        details: { booking_id: answer.first.booking_id, waitlist_position: answer.first.waitlist_position },
      });
    }

    // The store agrees: 10 held, 300 waiting in the order of the places given, each buyer's tickets counted once.
    expect(await zoneCounts(fixture, sale.keys.zone(zone.id))).toMatchObject({ total: 10, reserved: 10, sold: 0, seq: 310 });
    expect(await fixture.redis.hget(sale.keys.zone(zone.id), "waitlisted")).toBe("300");
    const line = await fixture.redis.zrange(sale.keys.zoneWaitlist(zone.id), "0", "-1");
    const byPosition = [...waiting].sort((a, b) => a.body.data.waitlist_position - b.body.data.waitlist_position);
    expect(line).toEqual(byPosition.map((result) => result.body.data.booking_id));
    const tickets = await fixture.redis.hgetall(sale.keys.userTickets);
    expect(Object.keys(tickets)).toHaveLength(310);
    expect(Object.values(tickets).every((count) => count === "1")).toBe(true);

    // A waiting booking shows in the buyer's list with its place.
    const mine = await get(fixture, "/bookings", waiting[0]!.buyer.token);
    expect(mine.body.data).toEqual([
      expect.objectContaining({ status: "waitlisted", waitlist_position: waiting[0]!.body.data.waitlist_position }),
    ]);
  }, 120_000);

  test("3 seats released while 500 newcomers hammer the zone: the 3 go to the waitlist's head, never to a newcomer", async () => {
    const sale = await fixture.publish([{ kind: "general", total: 10, price: 150_000 }], { waitlistLimit: 10 });
    const zone = sale.zones[0]!;
    const holders = await buyers(10);
    const holds = await Promise.all(
      holders.map((holder) => post(fixture, "/bookings/reserve", holder.token, { show_id: sale.showId, zone_id: zone.id, quantity: 1 })),
    );
    expect(holds.every((hold) => hold.status === 201)).toBe(true);
    const waiters = await buyers(5);
    const places = [];
    for (const waiter of waiters) {
      places.push(
        await post(fixture, "/bookings/reserve", waiter.token, {
          show_id: sale.showId,
          zone_id: zone.id,
          quantity: 1,
          join_waitlist: true,
        }),
      );
    }
    expect(places.map((place) => place.body.data.waitlist_position)).toEqual([1, 2, 3, 4, 5]);

    const newcomers = await buyers(500);
    const [hammering, cancels] = await Promise.all([
      Promise.all(
        newcomers.map((newcomer) =>
          post(fixture, "/bookings/reserve", newcomer.token, { show_id: sale.showId, zone_id: zone.id, quantity: 1 }),
        ),
      ),
      Promise.all(
        [0, 1, 2].map((index) => post(fixture, `/bookings/${holds[index]!.body.data.booking_id}/cancel`, holders[index]!.token, {})),
      ),
    ]);
    expect(cancels.map((cancel) => cancel.status)).toEqual([200, 200, 200]);
    expect(hammering.filter((answer) => answer.status === 201)).toEqual([]);
    for (const answer of hammering) expect(answer.body.error.code).toBe("INSUFFICIENT_STOCK");

    const statuses = await Promise.all(
      places.map(async (place, index) => (await get(fixture, `/bookings/${place.body.data.booking_id}`, waiters[index]!.token)).body.data),
    );
    expect(statuses.map((booking) => booking.status)).toEqual(["reserved", "reserved", "reserved", "waitlisted", "waitlisted"]);
    // Those still waiting moved up; the promoted keep the place they had.
    expect(statuses.map((booking) => booking.waitlist_position)).toEqual([1, 2, 3, 1, 2]);
    for (const promoted of statuses.slice(0, 3))
      expect(new Date(promoted.expires_at).getTime() - new Date(promoted.promoted_at).getTime()).toBe(fixture.service.store.config.holdMs);
    expect(await zoneCounts(fixture, sale.keys.zone(zone.id))).toMatchObject({ reserved: 10, sold: 0 });
    expect(await fixture.redis.hget(sale.keys.zone(zone.id), "waitlisted")).toBe("2");
    // The promoted holds are the buyers' pending ones, to pay.
    const pending = await get(fixture, "/bookings/pending", waiters[0]!.token);
    expect(pending.body.data.map((booking: { booking_id: string }) => booking.booking_id)).toEqual([places[0]!.body.data.booking_id]);
  }, 120_000);

  test("a waiting buyer leaves with POST /bookings/:id/cancel; bad input on reserve changes nothing", async () => {
    const sale = await fixture.publish([{ kind: "general", total: 1, price: 150_000 }], { waitlistLimit: 5 });
    const zone = sale.zones[0]!;
    const [holder, waiter] = await buyers(2);
    await post(fixture, "/bookings/reserve", holder!.token, { show_id: sale.showId, zone_id: zone.id, quantity: 1 });
    const place = await post(fixture, "/bookings/reserve", waiter!.token, {
      show_id: sale.showId,
      zone_id: zone.id,
      quantity: 1,
      join_waitlist: true,
    });
    expect(place.body.data).toMatchObject({ status: "waitlisted", waitlist_position: 1 });

    const before = await fixture.redis.hgetall(sale.keys.zone(zone.id));
    const bad = await post(fixture, "/bookings/reserve", waiter!.token, {
      show_id: sale.showId,
      zone_id: zone.id,
      quantity: 1,
      join_waitlist: "yes",
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe("VALIDATION_ERROR");
    // Another buyer cannot cancel someone's place.
    expect((await post(fixture, `/bookings/${place.body.data.booking_id}/cancel`, holder!.token, {})).status).toBe(404);
    expect(await fixture.redis.hgetall(sale.keys.zone(zone.id))).toEqual(before);

    const left = await post(fixture, `/bookings/${place.body.data.booking_id}/cancel`, waiter!.token, {});
    expect(left.status).toBe(200);
    expect(left.body.data).toMatchObject({ status: "cancelled" });
    expect(await fixture.redis.hget(sale.keys.zone(zone.id), "waitlisted")).toBe("0");
    expect(await fixture.redis.hget(sale.keys.userTickets, waiter!.id)).toBeNull();
  });
});
