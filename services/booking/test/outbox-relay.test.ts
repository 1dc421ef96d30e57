import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { eventKeys, eventRegistryKey, outboxGroup } from "@booking-rush/lib/inventory";
import { type BookingFixture, bookingFixture, confirmPaid, post, tokenFor } from "@booking-rush/test-support/booking-fixture";
import { eventually } from "@booking-rush/test-support/eventually";
import { collectMessages } from "@booking-rush/test-support/kafka-collector";
import { metricValue, stack, startTestRelay, testKafka } from "@booking-rush/test-support/relay-fixture";

let fixture: BookingFixture;

beforeAll(async () => {
  fixture = await bookingFixture({ rateBurst: 100 });
});

afterAll(async () => {
  await fixture.close();
});

type Sale = Awaited<ReturnType<BookingFixture["publish"]>>;

/** `count` holds of one seat each by distinct users; resolves to their booking ids and tokens. */
async function reserveMany(sale: Sale, count: number, traceparent?: string) {
  const results = await Promise.all(
    Array.from({ length: count }, async () => {
      const token = await tokenFor(crypto.randomUUID());
      const response = await post(fixture, "/bookings/reserve", token, { show_id: sale.showId, zone_id: sale.zones[0]!.id, quantity: 1 });
      expect(response.status).toBe(201);
      return { bookingId: response.body.data.booking_id as string, token };
    }),
  );
  if (traceparent) {
    const token = await tokenFor(crypto.randomUUID());
    const response = await fixture.app.handle(
      new Request("http://localhost/api/v1/bookings/reserve", {
        method: "POST",
        headers: {
          authorization: `Bearer ${token}`,
          "idempotency-key": crypto.randomUUID(),
          "content-type": "application/json",
          traceparent,
        },
        body: JSON.stringify({ show_id: sale.showId, zone_id: sale.zones[0]!.id, quantity: 1 }),
      }),
    );
    expect(response.status).toBe(201);
    results.push({ bookingId: ((await response.json()) as { data: { booking_id: string } }).data.booking_id, token });
  }
  return results;
}

const publishZone = () => fixture.publish([{ kind: "general", total: 200, price: 150_000 }]);

async function pendingCount(sale: Sale) {
  const [count] = (await fixture.redis.xpending(sale.keys.outbox, outboxGroup)) as [number];
  return count;
}

describe("outbox relay (real Redis outbox, real Kafka)", () => {
  test("every entry reaches Kafka once, on its type's topic, keyed by the event, in stream order; then leaves the stream", async () => {
    const sale = await publishZone();
    const relay = startTestRelay(fixture.redis);
    try {
      const traceparent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
      const holds = await reserveMany(sale, 10, traceparent);
      for (const hold of holds.slice(0, 3)) {
        expect((await confirmPaid(fixture, hold.bookingId, crypto.randomUUID())).status).toBe(200);
      }
      for (const hold of holds.slice(3, 5))
        expect((await post(fixture, `/bookings/${hold.bookingId}/cancel`, hold.token, {})).status).toBe(200);
      const expected = [
        ...holds.map((hold) => `booking.created:${hold.bookingId}`),
        ...holds.slice(0, 3).map((hold) => `booking.confirmed:${hold.bookingId}`),
        ...holds.slice(3, 5).map((hold) => `booking.cancelled:${hold.bookingId}`),
      ];

      await eventually(async () => expect(await fixture.redis.xlen(sale.keys.outbox)).toBe(0), { timeoutMs: 30_000, intervalMs: 50 });
      expect(await pendingCount(sale)).toBe(0);

      const collector = await collectMessages(testKafka, [sale.eventId]);
      try {
        await collector.caughtUp();
        expect(collector.eventIds().sort()).toEqual(expected.sort());
        for (const message of collector.messages) {
          expect(message.topic).toBe(message.body.type);
          expect(message.key).toBe(sale.eventId);
          expect(message.headers.event_id).toBe(message.body.event_id);
          expect(message.body.data).toMatchObject({ event_id: sale.eventId, zone_id: sale.zones[0]!.id });
          expect(Number.isNaN(Date.parse(message.body.occurred_at))).toBe(false);
        }
        // One event, one partition per topic; offsets follow the zone's sequence numbers.
        for (const topic of ["booking.created", "booking.confirmed", "booking.cancelled"]) {
          const onTopic = collector.messages.filter((message) => message.topic === topic).sort((a, b) => a.offset - b.offset);
          expect(new Set(onTopic.map((message) => message.partition)).size).toBe(1);
          const seqs = onTopic.map((message) => message.body.seq!);
          expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
        }
        const traced = collector.messages.find((message) => message.body.event_id === `booking.created:${holds.at(-1)!.bookingId}`)!;
        expect(traced.headers.traceparent).toBe(traceparent);
      } finally {
        await collector.stop();
      }
      expect(await metricValue(relay.metrics, "outbox_relayed_total")).toBeGreaterThanOrEqual(expected.length);
    } finally {
      await relay.stop();
    }
  });

  test("with Kafka stopped, reservations still succeed; after Kafka restarts every event is delivered, none lost, none twice", async () => {
    const sale = await publishZone();
    const relay = startTestRelay(fixture.redis);
    let kafkaStopped = false;
    try {
      const before = await reserveMany(sale, 5);
      await eventually(async () => expect(await fixture.redis.xlen(sale.keys.outbox)).toBe(0), { timeoutMs: 30_000, intervalMs: 50 });

      stack("down", "kafka");
      kafkaStopped = true;
      const during = await reserveMany(sale, 20);
      for (const hold of during.slice(0, 3))
        expect((await post(fixture, `/bookings/${hold.bookingId}/cancel`, hold.token, {})).status).toBe(200);
      // The relay tried and failed, and kept every entry.
      const failuresBefore = relay.loop.consecutiveFailures;
      await eventually(() => expect(relay.loop.consecutiveFailures).toBeGreaterThan(failuresBefore), {
        timeoutMs: 60_000,
        intervalMs: 100,
      });
      expect(await fixture.redis.xlen(sale.keys.outbox)).toBe(23);
      // Sampled in the background; sample now rather than wait for the timer.
      expect(await relay.metrics.refreshSamples()).toBe(true);
      expect(await metricValue(relay.metrics, "outbox_lag_entries")).toBeGreaterThanOrEqual(23);
      expect(await metricValue(relay.metrics, "outbox_relay_failures_total")).toBeGreaterThan(0);

      stack("up");
      kafkaStopped = false;
      await eventually(async () => expect(await fixture.redis.xlen(sale.keys.outbox)).toBe(0), { timeoutMs: 60_000, intervalMs: 100 });
      expect(await pendingCount(sale)).toBe(0);

      const expected = [
        ...[...before, ...during].map((hold) => `booking.created:${hold.bookingId}`),
        ...during.slice(0, 3).map((hold) => `booking.cancelled:${hold.bookingId}`),
      ].sort();
      const collector = await collectMessages(testKafka, [sale.eventId]);
      try {
        await collector.caughtUp();
        expect(collector.eventIds().sort()).toEqual(expected);
      } finally {
        await collector.stop();
      }
    } finally {
      if (kafkaStopped) stack("up");
      await relay.stop();
    }
  }, 180_000);

  test("an event whose outbox Redis lost does not hold up the others; its group is recreated", async () => {
    const lost = crypto.randomUUID();
    await fixture.redis.sadd(eventRegistryKey, lost);
    const sale = await publishZone();
    const relay = startTestRelay(fixture.redis);
    try {
      await reserveMany(sale, 3);
      await eventually(async () => expect(await fixture.redis.xlen(sale.keys.outbox)).toBe(0), { timeoutMs: 30_000, intervalMs: 50 });
      await eventually(async () => expect(await fixture.redis.xinfo("GROUPS", eventKeys(lost).outbox)).toHaveLength(1), {
        timeoutMs: 10_000,
        intervalMs: 50,
      });
    } finally {
      await relay.stop();
      await fixture.redis.srem(eventRegistryKey, lost);
      await fixture.redis.del(eventKeys(lost).outbox, eventKeys(lost).outboxLease);
    }
  });

  test("entries a dead relay read but never acknowledged are claimed and delivered once its lease runs out", async () => {
    const sale = await publishZone();
    const holds = await reserveMany(sale, 4);
    // A relay that took the lease, read everything, and died before sending.
    await fixture.redis.set(sale.keys.outboxLease, "dead-relay", "PX", 1_000);
    await fixture.redis.xreadgroup("GROUP", outboxGroup, "dead-relay", "COUNT", 100, "STREAMS", sale.keys.outbox, ">");
    expect(await pendingCount(sale)).toBe(4);

    const relay = startTestRelay(fixture.redis, { claimIdleMs: 500, leaseMs: 1_500 });
    try {
      await eventually(async () => expect(await fixture.redis.xlen(sale.keys.outbox)).toBe(0), { timeoutMs: 30_000, intervalMs: 50 });
      expect(await pendingCount(sale)).toBe(0);
      expect(await fixture.redis.get(sale.keys.outboxLease)).toBe(relay.relay.consumerName);
      // The dead relay, with nothing pending any more, is dropped from the group.
      const consumerNames = async () =>
        ((await fixture.redis.xinfo("CONSUMERS", sale.keys.outbox, outboxGroup)) as string[][]).map((consumer) => consumer[1]);
      await eventually(async () => expect(await consumerNames()).toEqual([relay.relay.consumerName]), {
        timeoutMs: 10_000,
        intervalMs: 50,
      });
      const collector = await collectMessages(testKafka, [sale.eventId]);
      try {
        await collector.caughtUp();
        expect(collector.eventIds().sort()).toEqual(holds.map((hold) => `booking.created:${hold.bookingId}`).sort());
      } finally {
        await collector.stop();
      }
    } finally {
      await relay.stop();
    }
  });

  test("two relays: each event is sent by one of them; when one stops, the other takes its events over", async () => {
    const sales = await Promise.all(Array.from({ length: 4 }, publishZone));
    const first = startTestRelay(fixture.redis, { leaseMs: 3_000 });
    const second = startTestRelay(fixture.redis, { leaseMs: 3_000 });
    const relays = [first, second];
    try {
      const firstRound = await Promise.all(sales.map((sale) => reserveMany(sale, 5)));
      for (const sale of sales) {
        await eventually(async () => expect(await fixture.redis.xlen(sale.keys.outbox)).toBe(0), { timeoutMs: 30_000, intervalMs: 50 });
        const holder = await fixture.redis.get(sale.keys.outboxLease);
        expect(relays.map((relay) => relay.relay.consumerName)).toContain(holder!);
      }

      await first.stop();
      relays.shift();
      for (const sale of sales) expect(await fixture.redis.get(sale.keys.outboxLease)).not.toBe(first.relay.consumerName);
      const secondRound = await Promise.all(sales.map((sale) => reserveMany(sale, 5)));
      for (const sale of sales) {
        await eventually(async () => expect(await fixture.redis.xlen(sale.keys.outbox)).toBe(0), { timeoutMs: 30_000, intervalMs: 50 });
        expect(await fixture.redis.get(sale.keys.outboxLease)).toBe(second.relay.consumerName);
      }

      const collector = await collectMessages(
        testKafka,
        sales.map((sale) => sale.eventId),
      );
      try {
        const expected = [...firstRound, ...secondRound]
          .flat()
          .map((hold) => `booking.created:${hold.bookingId}`)
          .sort();
        await collector.caughtUp();
        expect(collector.eventIds().sort()).toEqual(expected);
      } finally {
        await collector.stop();
      }
    } finally {
      for (const relay of relays) await relay.stop();
    }
  });
});
