/**
 * The waiting room's metrics, exported by the queue-admitter (the Booking dashboard's queue panel
 * reads exactly these names). Per event: only the leading admitter sets them; a standby exports
 * none, so a sum over replicas counts each event once.
 */
import { Counter, Gauge, Histogram, type Metrics } from "@booking-rush/lib/observability";

export function createQueueMetrics(metrics: Metrics) {
  const registers = [metrics.registry];
  return {
    depth: new Gauge({
      name: "queue_depth",
      help: "Buyers waiting in an event's waiting room (pre-queue included), at the admitter's last step",
      labelNames: ["event_id"],
      registers,
    }),
    active: new Gauge({
      name: "queue_active_buyers",
      help: "Buyers holding a live queue pass (a slot of max_active) per event, at the admitter's last step",
      labelNames: ["event_id"],
      registers,
    }),
    admitted: new Counter({
      name: "queue_admitted_total",
      help: "Buyers the waiting room admitted (a pass each), per event",
      labelNames: ["event_id"],
      registers,
    }),
    wait: new Histogram({
      name: "queue_wait_seconds",
      help: "Time from joining the waiting room to being admitted",
      buckets: [1, 5, 15, 30, 60, 120, 300, 600, 1200, 1800, 3600],
      registers,
    }),
    failures: new Counter({
      name: "queue_admitter_failures_total",
      help: "Admission steps that failed (Redis unreachable, no replica confirmed); retried",
      registers,
    }),
    lastStep: new Gauge({
      name: "queue_admitter_last_step_timestamp_seconds",
      help: "When the leading admitter last completed a step; a stale value means nobody is admitted",
      registers,
    }),
  };
}

export type QueueMetrics = ReturnType<typeof createQueueMetrics>;
