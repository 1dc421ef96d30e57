/**
 * The reconciler's outcomes, exported by the booking service from what each reconciliation leaves
 * in Redis (services/reconciler/src/reconciliation-record.ts, keys in lib's inventory/keys.ts).
 * The reconciler runs as a CronJob whose process ends in seconds, before any scrape, and exports
 * none of these itself; the booking service always runs. Sampled in the background: a scrape
 * does no I/O. Every booking replica exports the same values, so queries take `max` over them.
 */
import { pipelineReplies, type Redis } from "@booking-rush/lib/clients";
import {
  eventRegistryKey,
  reconcilerDiscrepancyKey,
  reconcilerLastSuccessKey,
  reconcilerRunsKey,
  reconcilerZonesKey,
} from "@booking-rush/lib/inventory";
import { Counter, Gauge, type Metrics, type SamplingOptions, sampleInBackground } from "@booking-rush/lib/observability";
import { reconcilerRunResults, zoneOutcomes } from "@booking-rush/reconciler";

export function registerReconcilerOutcomeMetrics(metrics: Metrics, redis: Redis, sampling?: SamplingOptions) {
  const registers = [metrics.registry];
  // The counters have no series until the first sample: starting at 0 and jumping to Redis' count
  // would read as that many runs at once. From the first sample on, every known label value is there.
  const runs = new Counter({
    name: "reconciler_runs_total",
    help: "Reconciliation runs, by result: clean, repaired, lagging, failed",
    labelNames: ["result"],
    registers,
  });
  const zones = new Counter({
    name: "reconciler_zones_total",
    help: "Zones reconciled, by outcome: clean, repaired, rebuilt, lagging, changed",
    labelNames: ["outcome"],
    registers,
  });
  const discrepancy = new Gauge({
    name: "inventory_discrepancy",
    help: "Seats and waiting places by which Redis and PostgreSQL differed for a zone at its event's last reconciliation (0: equal at the same sequence)",
    labelNames: ["zone"],
    registers,
  });
  const lastSuccess = new Gauge({
    name: "reconciler_last_success_timestamp_seconds",
    help: "When a reconciliation run last ended without failing (0: none recorded), as the reconciler left it in Redis (sampled in the background)",
    registers,
  });
  sampleInBackground(
    metrics,
    "reconciler",
    async () => {
      const events = await redis.smembers(eventRegistryKey);
      const pipeline = redis.pipeline().hgetall(reconcilerRunsKey).hgetall(reconcilerZonesKey).get(reconcilerLastSuccessKey);
      for (const eventId of events) pipeline.hgetall(reconcilerDiscrepancyKey(eventId));
      const [runCounts, zoneCounts, recorded, ...records] = await pipelineReplies(pipeline);
      // Replaced in one synchronous step: a scrape sees one whole sample, and a zone that left is gone.
      showCounts(runs, "result", reconcilerRunResults, runCounts as Record<string, string>);
      showCounts(zones, "outcome", zoneOutcomes, zoneCounts as Record<string, string>);
      discrepancy.reset();
      for (const record of records as Record<string, string>[])
        for (const [zone, seats] of Object.entries(record)) discrepancy.set({ zone }, Number(seats));
      const seconds = Number(recorded);
      lastSuccess.set(Number.isFinite(seconds) ? seconds : 0);
    },
    sampling,
  );
}

/**
 * Shows a count Redis keeps (HINCRBY) as the counter's value, every known label value at least 0.
 * Monotonic as Redis counts it; should Redis lose the count, Prometheus sees a counter reset.
 */
function showCounts(counter: Counter<string>, label: string, known: readonly string[], counts: Record<string, string>) {
  counter.reset();
  for (const value of new Set([...known, ...Object.keys(counts)])) {
    const count = Number(counts[value] ?? 0);
    counter.inc({ [label]: value }, Number.isFinite(count) && count > 0 ? count : 0);
  }
}
