import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { parseBookingHash } from "@booking-rush/lib/inventory";
import { type BookingFixture, bookingFixture, post, tokenFor } from "@booking-rush/test-support/booking-fixture";
import { eventually } from "@booking-rush/test-support/eventually";
import { masterAddress as masterOf, replicasLinked, sentinelClient } from "@booking-rush/test-support/redis-topology";
import { stackConfig } from "@booking-rush/test-support/stack-config";

const { masterName } = stackConfig.redis;
const sentinel = sentinelClient();
let fixture: BookingFixture;

const masterAddress = () => masterOf(sentinel);
/** The topology is whole again: a master whose replicas are all linked (writes are accepted). */
const replicaLinked = () => replicasLinked(sentinel);

beforeAll(async () => {
  await eventually(replicaLinked, { timeoutMs: 30_000, intervalMs: 200 });
  fixture = await bookingFixture();
});
afterAll(async () => {
  await eventually(replicaLinked, { timeoutMs: 30_000, intervalMs: 200 });
  await fixture.close();
  sentinel.disconnect();
});

describe("reserve across a Sentinel failover", () => {
  test("a failover in the middle of a sale: never more than 100 held, every acknowledged hold is still there", async () => {
    const sale = await fixture.publish([{ kind: "general", total: 100, price: 1 }], { maxTicketsPerUser: 4 });
    const zone = sale.zones[0]!;
    const users = Array.from({ length: 1_000 }, () => crypto.randomUUID());
    const tokens = await Promise.all(users.map((user) => tokenFor(user)));
    const attempts = users.flatMap((user, index) => Array.from({ length: 5 }, () => ({ user, token: tokens[index]! })));
    const before = await masterAddress();

    // Waves of 100 concurrent requests; the failover is forced after the 10th wave, while later waves run.
    const acknowledged: { user: string; bookingId: string; quantity: number }[] = [];
    const statuses = new Map<number, number>();
    let failover: Promise<unknown> | undefined;
    for (let wave = 0; wave < attempts.length / 100; wave += 1) {
      if (wave === 10) failover = sentinel.call("SENTINEL", "FAILOVER", masterName);
      const results = await Promise.all(
        attempts.slice(wave * 100, wave * 100 + 100).map(async (attempt) => ({
          attempt,
          result: await post(fixture, "/bookings/reserve", attempt.token, { show_id: sale.showId, zone_id: zone.id, quantity: 1 }),
        })),
      );
      for (const { attempt, result } of results) {
        statuses.set(result.status, (statuses.get(result.status) ?? 0) + 1);
        if (result.status === 201)
          acknowledged.push({ user: attempt.user, bookingId: result.body.data.booking_id, quantity: result.body.data.quantity });
        else expect([409, 503]).toContain(result.status);
      }
    }
    expect(await failover).toBe("OK");
    await eventually(async () => expect(await masterAddress()).not.toBe(before), { timeoutMs: 30_000, intervalMs: 100 });
    await eventually(replicaLinked, { timeoutMs: 30_000, intervalMs: 200 });

    // Read the new master's state. Every acknowledged hold is there, still reserved.
    const records = await Promise.all(acknowledged.map(({ bookingId }) => fixture.redis.hgetall(sale.keys.booking(bookingId))));
    for (const [index, fields] of records.entries()) {
      expect({ bookingId: acknowledged[index]!.bookingId, status: parseBookingHash(fields)?.status }).toEqual({
        bookingId: acknowledged[index]!.bookingId,
        status: "reserved",
      });
    }
    const [total, reserved, sold] = (await fixture.redis.hmget(sale.keys.zone(zone.id), "total", "reserved", "sold")).map(Number);
    expect(total).toBe(100);
    expect(reserved! + sold!).toBeLessThanOrEqual(100);
    expect(reserved).toBeGreaterThanOrEqual(acknowledged.length);
    // The counter agrees with the holds that exist (acknowledged ones, plus any whose WAIT timed out: those were answered 503).
    const live = await fixture.redis.zrange(sale.keys.expiry, "0", "-1");
    const liveRecords = await Promise.all(live.map((bookingId) => fixture.redis.hgetall(sale.keys.booking(bookingId))));
    expect(liveRecords.reduce((sum, fields) => sum + Number(fields.quantity), 0)).toBe(reserved!);
    const perUser = await fixture.redis.hgetall(sale.keys.userTickets);
    expect(Math.max(...Object.values(perUser).map(Number))).toBeLessThanOrEqual(4);
    expect(statuses.get(201)).toBeGreaterThan(0);
    console.info(
      "failover sale outcome by status",
      Object.fromEntries(statuses),
      "acknowledged",
      acknowledged.length,
      "reserved",
      reserved,
    );
  });
});
