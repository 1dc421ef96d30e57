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
import { expireScript } from "./booking-scripts";
import type { ExpirySweeperConfig } from "./settings";
import type { createExpiryMetrics } from "./worker-metrics";

type ExpiryMetrics = ReturnType<typeof createExpiryMetrics>;

export interface ExpiryOptions {
  batchSize: number;
  recordTtlSeconds: number;
}

/** Expires every due hold of every loaded event; resolves to how many were expired. */
export async function expireDueHolds(redis: Redis, scripts: DurableScripts, options: ExpiryOptions): Promise<number> {
  let expired = 0;
  for (const eventId of await redis.smembers(eventRegistryKey)) {
    for (;;) {
      const count = await expireScript(scripts, { eventId, ...options });
      expired += count;
      // A full batch means more may be due; a short one means this event is done for now.
      if (count < options.batchSize) break;
    }
  }
  return expired;
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
      const expired = await expireDueHolds(redis, scripts, config);
      metrics.lastSweep.setToCurrentTime();
      if (expired > 0) {
        metrics.expired.inc(expired);
        logger.info("expired holds", { count: expired });
      }
      return expired;
    },
  });
}
