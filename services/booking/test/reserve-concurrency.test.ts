import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { type BookingFixture, bookingFixture, post, tokenFor, zoneCounts } from "@booking-rush/test-support/booking-fixture";

let fixture: BookingFixture;
beforeAll(async () => {
  fixture = await bookingFixture();
});
afterAll(() => fixture.close());

describe("reserve under real concurrency", () => {
  test("5,000 concurrent requests from 1,000 users for 100 seats: exactly 100 held, every user within the limit", async () => {
    const sale = await fixture.publish([{ kind: "general", total: 100, price: 150_000 }], { maxTicketsPerUser: 4 });
    const zone = sale.zones[0]!;
    const users = Array.from({ length: 1_000 }, () => crypto.randomUUID());
    const tokens = await Promise.all(users.map((user) => tokenFor(user)));
    const outboxBefore = await fixture.redis.xlen(sale.keys.outbox);

    const attempts = users.flatMap((user, index) =>
      Array.from({ length: 5 }, (_, attempt) => ({ user, token: tokens[index]!, quantity: 1 + ((index + attempt) % 2) })),
    );
    const results = await Promise.all(
      attempts.map(async (attempt) => ({
        ...attempt,
        ...(await post(fixture, "/bookings/reserve", attempt.token, {
          show_id: sale.showId,
          zone_id: zone.id,
          quantity: attempt.quantity,
        })),
      })),
    );

    const winners = results.filter((result) => result.status === 201);
    const losers = results.filter((result) => result.status !== 201);
    const heldSeats = winners.reduce((sum, result) => sum + result.body.data.quantity, 0);
    expect(heldSeats).toBe(100);
    expect(new Set(winners.map((result) => result.body.data.booking_id)).size).toBe(winners.length);
    for (const loser of losers) {
      expect(loser.status).toBe(409);
      expect(["INSUFFICIENT_STOCK", "MAX_PER_USER_EXCEEDED"]).toContain(loser.body.error.code);
    }
    const perUser = new Map<string, number>();
    for (const winner of winners) perUser.set(winner.user, (perUser.get(winner.user) ?? 0) + winner.body.data.quantity);
    expect(Math.max(...perUser.values())).toBeLessThanOrEqual(4);

    // The store agrees with what the callers were told.
    const counts = await zoneCounts(fixture, sale.keys.zone(zone.id));
    expect(counts).toMatchObject({ total: 100, reserved: 100, sold: 0 });
    expect(counts.seq).toBe(winners.length);
    const tickets = await fixture.redis.hgetall(sale.keys.userTickets);
    expect(Object.values(tickets).reduce((sum, value) => sum + Number(value), 0)).toBe(100);
    for (const [user, count] of perUser) expect(Number(tickets[user])).toBe(count);
    expect(await fixture.redis.zcard(sale.keys.expiry)).toBe(winners.length);
    expect((await fixture.redis.xlen(sale.keys.outbox)) - outboxBefore).toBe(winners.length);
  });

  test("assigned seats: two users racing for overlapping sets, one gets all of its seats, the other none", async () => {
    const seatIds = Array.from({ length: 60 }, () => crypto.randomUUID());
    const sale = await fixture.publish([{ kind: "assigned", total: 60, price: 300_000, seatIds }]);
    const zone = sale.zones[0]!;
    // Twenty races at once: pair i overlaps on one seat (the middle one of three).
    const races = Array.from({ length: 20 }, async (_, race) => {
      const [first, second, third] = seatIds.slice(race * 3, race * 3 + 3) as [string, string, string];
      const [alice, bob] = [crypto.randomUUID(), crypto.randomUUID()];
      const [aliceResult, bobResult] = await Promise.all([
        post(fixture, "/bookings/reserve", await tokenFor(alice), { show_id: sale.showId, seat_ids: [first, second] }),
        post(fixture, "/bookings/reserve", await tokenFor(bob), { show_id: sale.showId, seat_ids: [second, third] }),
      ]);
      const statuses = [aliceResult.status, bobResult.status].sort();
      expect(statuses).toEqual([201, 409]);
      const loser = aliceResult.status === 409 ? aliceResult : bobResult;
      expect(loser.body.error.code).toBe("SEAT_UNAVAILABLE");
      expect(loser.body.error.details.seat_ids).toEqual([second]);
      const winner =
        aliceResult.status === 201 ? { result: aliceResult, seats: [first, second] } : { result: bobResult, seats: [second, third] };
      const states = await fixture.redis.hmget(sale.keys.zoneSeats(zone.id), first, second, third);
      const held = `held:${winner.result.body.data.booking_id}`;
      expect(states).toEqual([first, second, third].map((seat) => (winner.seats.includes(seat) ? held : "")));
    });
    await Promise.all(races);
    expect(await zoneCounts(fixture, sale.keys.zone(zone.id))).toMatchObject({ reserved: 40, sold: 0 });
  });
});
