/**
 * One pass over every live event (or the configured ones), and what it amounts to: clean (every
 * zone equal), repaired (something was repaired or rebuilt), lagging (the projector did not catch
 * up in time; reported, nothing written), failed (an event could not be reconciled). An event that
 * fails does not stop the others.
 */
import { liveEventIds, type ReconcileDependencies, reconcileEvent, type ReconcileOptions, type ZoneReport } from "@booking-rush/lib";

export type RunResult = "clean" | "repaired" | "lagging" | "failed";

/** The process's exit code for a result: a CronJob sees at a glance which runs did something. */
export const exitCodeOf: Record<RunResult, number> = { clean: 0, failed: 1, repaired: 2, lagging: 3 };

export async function reconcileAll(dependencies: ReconcileDependencies, options: ReconcileOptions & { eventIds?: string[] }): Promise<{ result: RunResult; reports: ZoneReport[] }> {
  const reports: ZoneReport[] = [];
  let failed = false;
  for (const eventId of options.eventIds ?? (await liveEventIds(dependencies.db))) {
    try {
      reports.push(...(await reconcileEvent(dependencies, eventId, options)));
    } catch (error) {
      failed = true;
      dependencies.logger.error("reconciliation failed", { event_id: eventId, error: error instanceof Error ? error.message : String(error) });
    }
  }
  const outcomes = new Set(reports.map((report) => report.outcome));
  const result: RunResult = failed ? "failed" : outcomes.has("repaired") || outcomes.has("rebuilt") ? "repaired" : outcomes.has("lagging") || outcomes.has("changed") ? "lagging" : "clean";
  dependencies.metrics.runs.inc({ result });
  return { result, reports };
}
