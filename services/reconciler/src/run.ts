/**
 * One pass over every live event (or the configured ones), and what it amounts to: clean (every
 * zone equal), repaired (something was repaired or rebuilt), lagging (the projector did not catch
 * up in time; reported, nothing written), failed (an event could not be reconciled). An event that
 * fails does not stop the others.
 */
import { reconcilerLastSuccessKey, reconcilerRunsKey } from "@booking-rush/lib/inventory";
import { liveEventIds } from "./postgres-side";
import { type ReconcileDependencies, type ReconcileOptions, reconcileEvent, type ZoneReport } from "./reconcile";
import type { RunResult } from "./reconciliation-record";

/** The process's exit code for a result: a CronJob sees at a glance which runs did something. */
export const exitCodeOf: Record<RunResult, number> = { clean: 0, failed: 1, repaired: 2, lagging: 3 };

export async function reconcileAll(
  dependencies: ReconcileDependencies,
  options: ReconcileOptions & { eventIds?: string[] },
): Promise<{ result: RunResult; reports: ZoneReport[] }> {
  const reports: ZoneReport[] = [];
  let failed = false;
  let eventIds: readonly string[];
  try {
    eventIds = options.eventIds ?? (await liveEventIds(dependencies.db));
  } catch (error) {
    // A run that cannot even list the events failed too: it is counted like any failed run.
    await recordRun(dependencies, "failed");
    throw error;
  }
  for (const eventId of eventIds) {
    try {
      reports.push(...(await reconcileEvent(dependencies, eventId, options)));
    } catch (error) {
      failed = true;
      dependencies.logger.error("reconciliation failed", {
        event_id: eventId,
        error: error instanceof Error ? error.message : String(error),
      });
    }
  }
  const outcomes = new Set(reports.map((report) => report.outcome));
  const result: RunResult = failed
    ? "failed"
    : outcomes.has("repaired") || outcomes.has("rebuilt")
      ? "repaired"
      : outcomes.has("lagging") || outcomes.has("changed")
        ? "lagging"
        : "clean";
  await recordRun(dependencies, result);
  if (result !== "failed") await recordSuccess(dependencies);
  return { result, reports };
}

/**
 * Counts the run by result in Redis, where the booking service reads it for reconciler_runs_total:
 * this process exports no count of its own, so a CronJob's runs are seen and a loop's counted once.
 */
async function recordRun(dependencies: ReconcileDependencies, result: RunResult) {
  try {
    await dependencies.redis.hincrby(reconcilerRunsKey, result, 1);
  } catch (error) {
    dependencies.logger.warn("could not count the reconciler's run", {
      result,
      error: error instanceof Error ? error.message : String(error),
    });
  }
}

/**
 * Leaves the time of this successful run in Redis, where the booking service reads it for
 * reconciler_last_success_timestamp_seconds: a CronJob's process is gone before any scrape.
 */
async function recordSuccess(dependencies: ReconcileDependencies) {
  try {
    await dependencies.redis.set(reconcilerLastSuccessKey, String(Math.floor(Date.now() / 1000)));
  } catch (error) {
    // The run itself succeeded; only its record is missing, and the alert on its age will say so.
    dependencies.logger.warn("could not record the reconciler's success", {
      error: error instanceof Error ? error.message : String(error),
    });
  }
}
