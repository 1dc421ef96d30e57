import { Counter, Gauge, Histogram, type Metrics, resultCounter } from "@booking-rush/lib/observability";

export const projectorResults = ["applied", "duplicate", "rejected"] as const;

export function createProjectorMetrics(metrics: Metrics) {
  const registers = [metrics.registry];
  const events = resultCounter(metrics, {
    name: "projector_events_total",
    help: "Booking events by result: applied, duplicate (seen before), rejected (dead-lettered)",
    results: projectorResults,
  });
  return {
    events,
    lastApplied: new Gauge({
      name: "projector_last_applied_timestamp_seconds",
      help: "When a batch of booking events was last written to PostgreSQL (0: never since start); stale while the lag grows means the projector is stuck",
      registers,
    }),
    flushFailures: new Counter({
      name: "projector_batch_failures_total",
      help: "Batches that failed to write (PostgreSQL unreachable...) and were retried",
      registers,
    }),
    batchDuration: new Histogram({
      name: "projector_batch_duration_seconds",
      help: "Time to write one batch to PostgreSQL",
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers,
    }),
  };
}

export type ProjectorMetrics = ReturnType<typeof createProjectorMetrics>;
