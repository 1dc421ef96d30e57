import { type Database, type Redis, registerRedisMemory } from "@booking-rush/lib/clients";
import { eventKeys, eventRegistryKey } from "@booking-rush/lib/inventory";
import { Counter, Gauge, Histogram, type Metrics, resultCounter, sampleInBackground } from "@booking-rush/lib/observability";
import { registerReconcilerOutcomeMetrics } from "./reconciler-outcome-metrics";
import { registerStockMetrics, type StockSampling } from "./stock-metrics";

/** Every result and code a reserve request can end in, shown at 0 before the first one happens. */
export const reservationResults = ["reserved", "waitlisted", "replayed", "rejected"] as const;

/** `db`: only where the stock sampler finds each loaded event's zones (stock-metrics.ts), never per request. */
export function createBookingMetrics(metrics: Metrics, sources: { redis: Redis; db: Database }, sampling?: StockSampling) {
  const { redis } = sources;
  const registers = [metrics.registry];
  const activeReservations = new Gauge({
    name: "active_reservations",
    help: "Holds not yet confirmed, cancelled or expired, over every loaded event (sampled in the background)",
    registers,
  });
  // Read from the expiry sets that hold exactly the live holds, on a timer: a scrape does no I/O.
  sampleInBackground(
    metrics,
    "active_reservations",
    async () => {
      const events = await redis.smembers(eventRegistryKey);
      const counts = await Promise.all(events.map((eventId) => redis.zcard(eventKeys(eventId).expiry)));
      activeReservations.set(counts.reduce((sum, count) => sum + count, 0));
    },
    sampling,
  );
  registerRedisMemory(metrics, redis, sampling);
  registerStockMetrics(metrics, sources, sampling);
  registerReconcilerOutcomeMetrics(metrics, redis, sampling);
  const reservations = resultCounter(metrics, {
    name: "booking_reservations_total",
    help: "Reserve requests by result: reserved, waitlisted (a waiting place), replayed (idempotent retry) or rejected",
    results: reservationResults,
  });
  return {
    reservations,
    failures: new Counter({
      name: "booking_reservation_failures",
      help: "Rejected reserve requests by error code",
      labelNames: ["code"],
      registers,
    }),
    redisDuration: new Histogram({
      name: "redis_operation_duration_seconds",
      help: "Time a Lua script took in Redis, by script (the WAIT for a replica not included)",
      labelNames: ["script"],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5],
      registers,
    }),
    activeReservations,
  };
}

export type BookingMetrics = ReturnType<typeof createBookingMetrics>;
