/**
 * What a reconciliation leaves in Redis for the metrics (layout in inventory/keys.ts). The
 * reconciler runs as a CronJob whose process is gone long before a scrape, so the booking service,
 * which always runs, exports these (services/booking/src/reconciler-outcome-metrics.ts) and the
 * reconciler exports none of them itself: one source, counted once, CronJob or loop.
 */
import { pipelineReplies, type Redis } from "@booking-rush/lib/clients";
import { reconcilerDiscrepancyKey, reconcilerZonesKey } from "@booking-rush/lib/inventory";
import type { Logger } from "@booking-rush/lib/observability";

/** Every result a run ends in: `reconciler_runs_total{result}`, each exported from the start. */
export const reconcilerRunResults = ["clean", "repaired", "lagging", "failed"] as const;
export type RunResult = (typeof reconcilerRunResults)[number];

/** Every outcome of a zone: `reconciler_zones_total{outcome}`, each exported from the start. */
export const zoneOutcomes = ["clean", "repaired", "rebuilt", "lagging", "changed"] as const;
export type ZoneOutcome = (typeof zoneOutcomes)[number];

export interface ReconciledZone {
  zoneId: string;
  outcome: ZoneOutcome;
  /** Seats the two sides differ by (0: clean). */
  discrepancy: number;
}

/**
 * Counts the event's zones by outcome and replaces its discrepancy record, which expires after
 * `ttlSeconds` unless a later reconciliation replaces it: a zone that left the event is gone with
 * the next one, an event no longer reconciled (ended, unpublished) with the expiry. The record is
 * replaced in one transaction so a sample never sees it half written. A failure is logged and
 * does not fail the reconciliation: what it did stands, only its numbers are missing.
 */
export async function recordReconciledEvent(redis: Redis, logger: Logger, eventId: string, zones: ReconciledZone[], ttlSeconds: number) {
  const key = reconcilerDiscrepancyKey(eventId);
  const record = redis.multi().del(key);
  if (zones.length > 0) record.hset(key, Object.fromEntries(zones.map((zone) => [zone.zoneId, zone.discrepancy]))).expire(key, ttlSeconds);
  const counts = new Map<ZoneOutcome, number>();
  for (const zone of zones) counts.set(zone.outcome, (counts.get(zone.outcome) ?? 0) + 1);
  // The counters live in another slot than the record: a separate pipeline, not the transaction.
  const counters = redis.pipeline();
  for (const [outcome, count] of counts) counters.hincrby(reconcilerZonesKey, outcome, count);
  try {
    await pipelineReplies(record);
    if (counts.size > 0) await pipelineReplies(counters);
  } catch (error) {
    logger.warn("could not record the reconciliation's outcome", {
      event_id: eventId,
      error: error instanceof Error ? error.message : String(error),
    });
  }
}
