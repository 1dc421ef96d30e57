import { Counter, eventKeys, eventRegistryKey, Gauge, Histogram, type Metrics } from "@booking-rush/lib";
import type { Redis } from "ioredis";

export function createBookingMetrics(metrics: Metrics, redis: Redis) {
  const registers = [metrics.registry];
  return {
    reservations: new Counter({
      name: "booking_reservations_total",
      help: "Reserve requests by result: reserved, replayed (idempotent retry) or rejected",
      labelNames: ["result"],
      registers,
    }),
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
    activeReservations: new Gauge({
      name: "active_reservations",
      help: "Holds not yet confirmed, cancelled or expired, over every loaded event",
      registers,
      // Read at scrape time, from the expiry sets that hold exactly the live holds.
      async collect() {
        const events = await redis.smembers(eventRegistryKey);
        const counts = await Promise.all(events.map((eventId) => redis.zcard(eventKeys(eventId).expiry)));
        this.set(counts.reduce((sum, count) => sum + count, 0));
      },
    }),
  };
}

export type BookingMetrics = ReturnType<typeof createBookingMetrics>;
