/**
 * Closes holds whose time is up, event by event, in bounded batches of expire.lua. Each batch is
 * one atomic script, so sweepers on several replicas share the work without ever expiring a
 * booking twice, and a sweeper that dies mid-way leaves nothing half done. With a leadership
 * (several replicas deployed), only the leader sweeps: the others stand by instead of racing it.
 */
import type { DurableScripts, Leadership, Redis } from "@booking-rush/lib/clients";
import { eventRegistryKey } from "@booking-rush/lib/inventory";
import type { Logger } from "@booking-rush/lib/observability";
import { startWorkerLoop, type WorkerLoop } from "@booking-rush/lib/process";
import { type ExpireOutcome, expireScript } from "./booking-scripts";
import type { ExpirySweeperConfig } from "./settings";
import type { createExpiryMetrics } from "./worker-metrics";

type ExpiryMetrics = ReturnType<typeof createExpiryMetrics>;

export interface ExpiryOptions {
  batchSize: number;
  recordTtlSeconds: number;
}

/**
 * Expires every due hold of every loaded event, and closes the waitlists of sales that are over;
 * resolves to how many of each.
 */
export async function expireDueHolds(redis: Redis, scripts: DurableScripts, options: ExpiryOptions): Promise<ExpireOutcome> {
  const total: ExpireOutcome = { expired: 0, waitlistClosed: 0 };
  for (const eventId of await redis.smembers(eventRegistryKey)) {
    for (;;) {
      const { expired, waitlistClosed } = await expireScript(scripts, { eventId, ...options });
      total.expired += expired;
      total.waitlistClosed += waitlistClosed;
      // A full batch means more may be due; a short one means this event is done for now.
      if (expired < options.batchSize && waitlistClosed < options.batchSize) break;
    }
  }
  return total;
}

export interface ExpirySweeperDependencies {
  redis: Redis;
  scripts: DurableScripts;
  logger: Logger;
  metrics: ExpiryMetrics;
  /** When given, a step sweeps only while this replica leads. */
  leadership?: Leadership;
}

/** The sweeper's loop: a sweep every intervalMs, a back-off while Redis is unreachable. */
export function startExpirySweeper(
  { redis, scripts, logger, metrics, leadership }: ExpirySweeperDependencies,
  config: ExpirySweeperConfig & ExpiryOptions,
): WorkerLoop {
  return startWorkerLoop({
    name: "expiry sweep",
    logger,
    intervalMs: config.intervalMs,
    onFailure: () => metrics.failures.inc(),
    step: async () => {
      if (leadership && !(await leadership.lead())) return 0;
      const { expired, waitlistClosed } = await expireDueHolds(redis, scripts, config);
      metrics.lastSweep.setToCurrentTime();
      if (expired > 0) {
        metrics.expired.inc(expired);
        logger.info("expired holds", { count: expired });
      }
      if (waitlistClosed > 0) logger.info("closed waitlists of sales that are over", { count: waitlistClosed });
      return expired + waitlistClosed;
    },
  });
}
