import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createDurableScripts, luaDirectory, readLuaScripts } from "@booking-rush/lib/clients";
import { createMetrics } from "@booking-rush/lib/observability";
import {
  type BookingFixture,
  bookingFixture,
  confirmPaid,
  get,
  post,
  tokenFor,
  zoneCounts,
} from "@booking-rush/test-support/booking-fixture";
import { eventually } from "@booking-rush/test-support/eventually";
import { collectMessages } from "@booking-rush/test-support/kafka-collector";
import { commandsOnKeys } from "@booking-rush/test-support/redis-monitor";
import { metricValue, startTestRelay, testKafka } from "@booking-rush/test-support/relay-fixture";
import { stackConfig, testLogger } from "@booking-rush/test-support/stack-config";
import { expireDueHolds, startExpirySweeper } from "../src/hold-expiry";
import { createExpiryMetrics } from "../src/worker-metrics";

let shortHold: BookingFixture;
let longHold: BookingFixture;

beforeAll(async () => {
  shortHold = await bookingFixture({ holdMs: 1_000 });
  longHold = await bookingFixture();
});

afterAll(async () => {
  await shortHold.close();
  await longHold.close();
});

/** A sweeper as its entrypoint runs it, with a write pool of its own (another replica, in effect). */
function startSweeper(batchSize: number) {
  const metrics = createMetrics("sweeper-test");
  const scripts = createDurableScripts(stackConfig.redis, testLogger, readLuaScripts(luaDirectory), {
    connections: 1,
    replicas: 1,
    waitTimeoutMs: 500,
  });
  const loop = startExpirySweeper(
    { redis: shortHold.redis, scripts, logger: testLogger, metrics: createExpiryMetrics(metrics) },
    { intervalMs: 20, batchSize, recordTtlSeconds: 600 },
  );
  return {
    metrics,
    async stop() {
      await loop.stop();
      await scripts.close();
    },
  };
}

async function hold(fixture: BookingFixture, showId: string, zoneId: string, quantity: number) {
  const userId = crypto.randomUUID();
  const token = await tokenFor(userId);
  const response = await post(fixture, "/bookings/reserve", token, { show_id: showId, zone_id: zoneId, quantity });
  expect(response.status).toBe(201);
  return { bookingId: response.body.data.booking_id as string, token, userId };
}

describe("expiry sweeper (real Redis, real Kafka)", () => {
  test("a short hold expires: seats return, booking.expired reaches Kafka, confirming afterwards is 410", async () => {
    const sale = await shortHold.publish([{ kind: "general", total: 10, price: 90_000 }]);
    const zone = sale.zones[0]!;
    const relay = startTestRelay(shortHold.redis);
    const sweeper = startSweeper(100);
    try {
      const { bookingId, token, userId } = await hold(shortHold, sale.showId, zone.id, 3);
      expect(await zoneCounts(shortHold, sale.keys.zone(zone.id))).toMatchObject({ total: 10, reserved: 3, sold: 0 });

      await eventually(
        async () => expect(await zoneCounts(shortHold, sale.keys.zone(zone.id))).toMatchObject({ reserved: 0, sold: 0, seq: 2 }),
        {
          timeoutMs: 10_000,
        },
      );
      expect(await shortHold.redis.hget(sale.keys.userTickets, userId)).toBeNull();
      expect(await shortHold.redis.zcard(sale.keys.expiry)).toBe(0);
      expect((await get(shortHold, `/bookings/${bookingId}`, token)).body.data.status).toBe("expired");
      // At least this hold (a sweeper expires every due hold it finds, of any event).
      await eventually(async () => expect(await metricValue(sweeper.metrics, "booking_holds_expired_total")).toBeGreaterThanOrEqual(1), {
        timeoutMs: 5_000,
      });

      const late = await confirmPaid(shortHold, bookingId, crypto.randomUUID());
      expect(late.status).toBe(410);
      expect(late.body.error.code).toBe("RESERVATION_EXPIRED");
      expect(await zoneCounts(shortHold, sale.keys.zone(zone.id))).toMatchObject({ reserved: 0, sold: 0, seq: 2 });

      // The seats are on sale again.
      await hold(longHold, sale.showId, zone.id, 4);

      await eventually(async () => expect(await shortHold.redis.xlen(sale.keys.outbox)).toBe(0), { timeoutMs: 30_000, intervalMs: 50 });
      const collector = await collectMessages(testKafka, [sale.eventId]);
      try {
        await collector.caughtUp();
        const expired = collector.messages.filter((message) => message.body.event_id === `booking.expired:${bookingId}`);
        expect(expired).toHaveLength(1);
        expect(expired[0]!.topic).toBe("booking.expired");
        expect(expired[0]!.body).toMatchObject({
          type: "booking.expired",
          seq: 2,
          data: { booking_id: bookingId, status: "expired", quantity: 3 },
        });
      } finally {
        await collector.stop();
      }
    } finally {
      await sweeper.stop();
      await relay.stop();
    }
  });

  test("two sweepers at once expire every due hold exactly once and leave live holds alone", async () => {
    const sale = await shortHold.publish([{ kind: "general", total: 500, price: 90_000 }]);
    const zone = sale.zones[0]!;
    const due = await Promise.all(Array.from({ length: 120 }, () => hold(shortHold, sale.showId, zone.id, 1)));
    const live = await Promise.all(Array.from({ length: 5 }, () => hold(longHold, sale.showId, zone.id, 2)));
    expect(await zoneCounts(shortHold, sale.keys.zone(zone.id))).toMatchObject({ reserved: 130, sold: 0 });

    const sweepers = [startSweeper(7), startSweeper(7)];
    try {
      await eventually(async () => expect(await zoneCounts(shortHold, sale.keys.zone(zone.id))).toMatchObject({ reserved: 10, sold: 0 }), {
        timeoutMs: 15_000,
      });
    } finally {
      for (const sweeper of sweepers) await sweeper.stop();
    }
    const expiredBySweepers = await Promise.all(sweepers.map((sweeper) => metricValue(sweeper.metrics, "booking_holds_expired_total")));
    expect(expiredBySweepers[0]! + expiredBySweepers[1]!).toBe(120);

    const entries = await shortHold.redis.xrange(sale.keys.outbox, "-", "+");
    const expiredEvents = entries
      .map(([, fields]) => fields[fields.indexOf("event_id") + 1]!)
      .filter((eventId) => eventId.startsWith("booking.expired:"));
    expect(expiredEvents.sort()).toEqual(due.map((booking) => `booking.expired:${booking.bookingId}`).sort());
    expect(await shortHold.redis.zrange(sale.keys.expiry, "0", "-1")).toEqual(
      expect.arrayContaining(live.map((booking) => booking.bookingId)),
    );
    expect(await shortHold.redis.zcard(sale.keys.expiry)).toBe(5);
    const tickets = await shortHold.redis.hgetall(sale.keys.userTickets);
    expect(Object.values(tickets).map(Number)).toEqual([2, 2, 2, 2, 2]);
    expect(await zoneCounts(shortHold, sale.keys.zone(zone.id))).toMatchObject({ total: 500, reserved: 10, sold: 0, seq: 125 + 120 });
  });

  test("cost: a sweep reads the holds that are due and no other, however many are live", async () => {
    const sale = await shortHold.publish([{ kind: "general", total: 500, price: 90_000 }]);
    const zone = sale.zones[0]!;
    await Promise.all(Array.from({ length: 60 }, () => hold(longHold, sale.showId, zone.id, 1)));
    const due = await Promise.all(Array.from({ length: 3 }, () => hold(shortHold, sale.showId, zone.id, 1)));
    const [seconds, micros] = await shortHold.redis.time();
    const dueBy = Number(seconds) * 1000 + Math.floor(Number(micros) / 1000) + 1_000;
    // Due by Redis' clock (the script's): the three short holds' expiry passed, the 60 long ones' not.
    await eventually(
      async () => {
        const [now] = await shortHold.redis.time();
        expect(Number(now) * 1000).toBeGreaterThan(dueBy);
      },
      { timeoutMs: 10_000, intervalMs: 100 },
    );
    const scripts = createDurableScripts(stackConfig.redis, testLogger, readLuaScripts(luaDirectory), {
      connections: 1,
      replicas: 1,
      waitTimeoutMs: 500,
    });
    try {
      const { value: expired, commands } = await commandsOnKeys(shortHold.redis, sale.keys.tag, () =>
        expireDueHolds(shortHold.redis, scripts, { batchSize: 100, recordTtlSeconds: 600 }),
      );
      // Due holds of other events may be swept too; of this one, exactly the three were read.
      expect(expired.expired).toBeGreaterThanOrEqual(3);
      const read = (names: string[]) => commands.filter(([name]) => names.includes(name ?? "")).map(([name, key]) => `${name} ${key}`);
      // The due bookings, and the event's status and window (whether its waitlists close).
      expect([...new Set(read(["hgetall", "hget", "hmget"]))].sort()).toEqual(
        [...due.map((one) => `hgetall ${sale.keys.booking(one.bookingId)}`), `hmget ${sale.keys.event}`].sort(),
      );
      // The expiry set is read by score (what is due), never whole.
      expect(read(["zrange", "zscan", "scan", "keys", "zrangebyscore"])).toEqual([`zrangebyscore ${sale.keys.expiry}`]);
      expect(await shortHold.redis.zcard(sale.keys.expiry)).toBe(60);
    } finally {
      await scripts.close();
    }
  });

  test("an expired hold's seats go to the head of the zone's waitlist, in the sweep that expires it", async () => {
    const sale = await shortHold.publish([{ kind: "general", total: 1, price: 100 }], { waitlistLimit: 5 });
    const zone = sale.zones[0]!;
    const expiring = await hold(shortHold, sale.showId, zone.id, 1);
    const waiter = crypto.randomUUID();
    const place = await post(shortHold, "/bookings/reserve", await tokenFor(waiter), {
      show_id: sale.showId,
      zone_id: zone.id,
      quantity: 1,
      join_waitlist: true,
    });
    expect(place.body.data).toMatchObject({ status: "waitlisted", waitlist_position: 1 });
    const sweeper = startSweeper(100);
    try {
      await eventually(async () => expect(await shortHold.redis.hget(sale.keys.booking(expiring.bookingId), "status")).toBe("expired"), {
        timeoutMs: 15_000,
        intervalMs: 50,
      });
      const promoted = await shortHold.redis.hgetall(sale.keys.booking(place.body.data.booking_id));
      // Promoted in the same script (the same instant), with its own full hold (which may in turn
      // have expired by now).
      expect(promoted.promoted_at_ms).toBe((await shortHold.redis.hget(sale.keys.booking(expiring.bookingId), "closed_at_ms"))!);
      expect(Number(promoted.expires_at_ms) - Number(promoted.promoted_at_ms)).toBe(1_000);
      expect(await shortHold.redis.hget(sale.keys.zone(zone.id), "waitlisted")).toBe("0");
    } finally {
      await sweeper.stop();
    }
  });
});
