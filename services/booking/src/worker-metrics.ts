import type { Redis } from "@booking-rush/lib/clients";
import { outboxTopics } from "@booking-rush/lib/contracts";
import { eventKeys, eventRegistryKey } from "@booking-rush/lib/inventory";
import { Counter, Gauge, type Metrics, resultCounter, type SamplingOptions, sampleInBackground } from "@booking-rush/lib/observability";
import { sagaResults } from "./payment-outcomes";

export function createSagaMetrics(metrics: Metrics) {
  const registers = [metrics.registry];
  const results = resultCounter(metrics, {
    name: "booking_saga_results_total",
    help: "Payment outcomes applied to bookings, by result",
    results: sagaResults,
  });
  return {
    results,
    failures: new Counter({
      name: "booking_saga_failures_total",
      help: "Attempts to apply a payment outcome that failed and were retried",
      registers,
    }),
  };
}

export function createExpiryMetrics(metrics: Metrics) {
  const registers = [metrics.registry];
  return {
    expired: new Counter({ name: "booking_holds_expired_total", help: "Holds the sweeper closed because their time was up", registers }),
    failures: new Counter({
      name: "booking_expiry_sweep_failures_total",
      help: "Sweeps that failed (Redis unreachable, no replica confirmed)",
      registers,
    }),
    lastSweep: new Gauge({
      name: "booking_expiry_last_sweep_timestamp_seconds",
      help: "When a sweep last completed; a stale value means holds are not being expired",
      registers,
    }),
  };
}

export function createOutboxMetrics(metrics: Metrics, redis: Redis, sampling?: SamplingOptions) {
  const registers = [metrics.registry];
  /** Read in the background: the relay deletes what Kafka has, so what is left in the streams is the lag. */
  async function outboxBacklog() {
    const streams = (await redis.smembers(eventRegistryKey)).map((eventId) => eventKeys(eventId).outbox);
    const pipeline = redis.pipeline();
    for (const stream of streams) pipeline.xlen(stream).xrange(stream, "-", "+", "COUNT", 1);
    const replies = (await pipeline.exec()) ?? [];
    let entries = 0;
    let oldestMs = Number.POSITIVE_INFINITY;
    for (let index = 0; index < replies.length; index += 2) {
      entries += Number(replies[index]?.[1] ?? 0);
      const first = (replies[index + 1]?.[1] as [string, string[]][] | undefined)?.[0];
      // A stream entry id is "<ms>-<n>": the time it was written.
      if (first) oldestMs = Math.min(oldestMs, Number(first[0].split("-")[0]));
    }
    return { entries, oldestAgeSeconds: Number.isFinite(oldestMs) ? Math.max(0, (Date.now() - oldestMs) / 1000) : 0 };
  }
  const lag = new Gauge({
    name: "outbox_lag_entries",
    help: "Booking events in the Redis outboxes not yet delivered to Kafka (sampled in the background)",
    registers,
  });
  const oldestAge = new Gauge({
    name: "outbox_oldest_entry_age_seconds",
    help: "Age of the oldest booking event not yet delivered to Kafka (0 when none waits), at the last background sample",
    registers,
  });
  sampleInBackground(
    metrics,
    "outbox_backlog",
    async () => {
      const backlog = await outboxBacklog();
      lag.set(backlog.entries);
      oldestAge.set(backlog.oldestAgeSeconds);
    },
    sampling,
  );
  const relayed = new Counter({
    name: "outbox_relayed_total",
    help: "Outbox entries delivered to Kafka, by topic",
    labelNames: ["topic"],
    registers,
  });
  // Every topic at 0 from the start: the waitlist panels (booking.promoted, ...) have series before the first one.
  for (const topic of outboxTopics) relayed.inc({ topic }, 0);
  return {
    relayed,
    failures: new Counter({
      name: "outbox_relay_failures_total",
      help: "Relay passes that failed (Kafka or Redis unreachable); the entries wait and are sent again",
      registers,
    }),
    lag,
    oldestAge,
  };
}
