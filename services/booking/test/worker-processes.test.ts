/**
 * The worker entrypoints as they are deployed: real processes configured from the environment,
 * serving /readyz and /metrics, doing their work, and shutting down cleanly on SIGTERM.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { type BookingFixture, bookingFixture, jwtSecret, post, tokenFor, zoneCounts } from "@booking-rush/test-support/booking-fixture";
import { eventually } from "@booking-rush/test-support/eventually";
import { freePort } from "@booking-rush/test-support/free-port";
import { spawnWorker } from "@booking-rush/test-support/worker-process";

let fixture: BookingFixture;

beforeAll(async () => {
  fixture = await bookingFixture({ holdMs: 1_000 });
});

afterAll(async () => {
  await fixture.close();
});

describe("worker processes", () => {
  test("the expiry sweeper process expires due holds, reports them on /metrics, exits 0 on SIGTERM", async () => {
    const sweeper = spawnWorker("booking/bin/expiry-sweeper.ts", { EXPIRY_SWEEP_INTERVAL_MS: "100" });
    try {
      await sweeper.ready();
      const sale = await fixture.publish([{ kind: "general", total: 10, price: 1 }]);
      const zone = sale.zones[0]!;
      const response = await post(fixture, "/bookings/reserve", await tokenFor(crypto.randomUUID()), {
        show_id: sale.showId,
        zone_id: zone.id,
        quantity: 2,
      });
      expect(response.status).toBe(201);
      await eventually(
        async () => expect(await zoneCounts(fixture, sale.keys.zone(zone.id))).toMatchObject({ reserved: 0, sold: 0, seq: 2 }),
        { timeoutMs: 10_000 },
      );
      // The counter moves once the sweep's write is confirmed by a replica, a moment after Redis shows it.
      await eventually(async () => expect(await sweeper.metrics()).toMatch(/^booking_holds_expired_total\{[^}]*\} [1-9]/m), {
        timeoutMs: 5_000,
      });
    } finally {
      sweeper.child.kill("SIGTERM");
    }
    expect(await sweeper.child.exited).toBe(0);
  });

  test("the outbox relay process empties the outbox into Kafka, reports lag on /metrics, hands its lease back on SIGTERM", async () => {
    const consumerName = `relay-process-${crypto.randomUUID()}`;
    const relay = spawnWorker("booking/bin/outbox-relay.ts", { OUTBOX_CONSUMER_NAME: consumerName, OUTBOX_POLL_INTERVAL_MS: "20" });
    const sale = await fixture.publish([{ kind: "general", total: 10, price: 1 }]);
    try {
      await relay.ready();
      const response = await post(fixture, "/bookings/reserve", await tokenFor(crypto.randomUUID()), {
        show_id: sale.showId,
        zone_id: sale.zones[0]!.id,
        quantity: 1,
      });
      expect(response.status).toBe(201);
      await eventually(async () => expect(await fixture.redis.xlen(sale.keys.outbox)).toBe(0), { timeoutMs: 30_000, intervalMs: 50 });
      expect(await fixture.redis.get(sale.keys.outboxLease)).toBe(consumerName);
      const text = await relay.metrics();
      expect(text).toMatch(/^outbox_relayed_total\{[^}]*topic="booking.created"[^}]*\} [1-9]/m);
      expect(text).toMatch(/^outbox_lag_entries\{[^}]*\} \d+$/m);
    } finally {
      relay.child.kill("SIGTERM");
    }
    expect(await relay.child.exited).toBe(0);
    expect(await fixture.redis.get(sale.keys.outboxLease)).toBeNull();
  });

  test("with Kafka out of reach the payment saga process still answers /metrics at once: the lag is sampled in the background, the scrape shows its age", async () => {
    // Nothing listens on this loopback port: every Kafka call of the process fails.
    const saga = spawnWorker("booking/bin/payment-saga.ts", {
      JWT_SECRET: jwtSecret,
      KAFKA_BROKERS: `127.0.0.1:${freePort()}`,
      PAYMENT_SAGA_GROUP_ID: `saga-no-kafka-${crypto.randomUUID()}`,
    });
    const scrape = async () => {
      const started = performance.now();
      const response = await fetch(saga.url("/metrics"));
      return { status: response.status, text: await response.text(), ms: performance.now() - started };
    };
    const ageOf = (text: string) => Number(/^metrics_sample_age_seconds\{source="kafka_consumer_lag"[^}]*\} (\S+)$/m.exec(text)?.[1]);
    try {
      await eventually(async () => expect((await scrape()).status).toBe(200), { timeoutMs: 30_000, intervalMs: 100 });
      // Kafka is down, so the process is not ready, yet every scrape answers without waiting on it.
      expect((await fetch(saga.url("/readyz"))).status).toBe(503);
      for (let attempt = 0; attempt < 5; attempt += 1) {
        const { status, text, ms } = await scrape();
        expect(status).toBe(200);
        expect(ms).toBeLessThan(1_500);
        // Never sampled: no lag series (rather than a made-up 0), and an age that says so.
        expect(text).not.toMatch(/^kafka_consumer_lag\{/m);
        expect(ageOf(text)).toBeGreaterThanOrEqual(0);
      }
      await eventually(async () => expect(ageOf((await scrape()).text)).toBeGreaterThan(2), { timeoutMs: 20_000, intervalMs: 200 });
    } finally {
      saga.child.kill("SIGTERM");
      await saga.child.exited;
    }
  }, 60_000);
});
