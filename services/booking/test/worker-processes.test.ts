/**
 * The worker entrypoints as they are deployed: real processes configured from the environment,
 * serving /readyz and /metrics, doing their work, and shutting down cleanly on SIGTERM.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { eventually } from "../../lib/test/support/eventually";
import { spawnWorker } from "../../lib/test/support/worker-process";
import { type BookingFixture, bookingFixture, post, tokenFor, zoneCounts } from "./support/booking-fixture";

let fixture: BookingFixture;

beforeAll(async () => {
  fixture = await bookingFixture({ holdMs: 1_000 });
});

afterAll(async () => {
  await fixture.close();
});

describe("worker processes", () => {
  test("the expiry sweeper process expires due holds, reports them on /metrics, exits 0 on SIGTERM", async () => {
    const sweeper = spawnWorker("booking/expiry-sweeper.ts", { EXPIRY_SWEEP_INTERVAL_MS: "100" });
    try {
      await sweeper.ready();
      const sale = await fixture.publish([{ kind: "general", total: 10, price: 1 }]);
      const zone = sale.zones[0]!;
      const response = await post(fixture, "/bookings/reserve", await tokenFor(crypto.randomUUID()), { show_id: sale.showId, zone_id: zone.id, quantity: 2 });
      expect(response.status).toBe(201);
      await eventually(async () => expect(await zoneCounts(fixture, sale.keys.zone(zone.id))).toMatchObject({ reserved: 0, sold: 0, seq: 2 }), { timeoutMs: 10_000 });
      // The counter moves once the sweep's write is confirmed by a replica, a moment after Redis shows it.
      await eventually(async () => expect(await sweeper.metrics()).toMatch(/^booking_holds_expired_total\{[^}]*\} [1-9]/m), { timeoutMs: 5_000 });
    } finally {
      sweeper.child.kill("SIGTERM");
    }
    expect(await sweeper.child.exited).toBe(0);
  });

  test("the outbox relay process empties the outbox into Kafka, reports lag on /metrics, hands its lease back on SIGTERM", async () => {
    const consumerName = `relay-process-${crypto.randomUUID()}`;
    const relay = spawnWorker("booking/outbox-relay.ts", { OUTBOX_CONSUMER_NAME: consumerName, OUTBOX_POLL_INTERVAL_MS: "20" });
    const sale = await fixture.publish([{ kind: "general", total: 10, price: 1 }]);
    try {
      await relay.ready();
      const response = await post(fixture, "/bookings/reserve", await tokenFor(crypto.randomUUID()), { show_id: sale.showId, zone_id: sale.zones[0]!.id, quantity: 1 });
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
});
