/**
 * Admission: every interval, one queue-admit.lua step per event whose waiting room is on (the
 * catalog's `{ev:E}:queue` enabled = 1). Each step is atomic and paces itself with the event's
 * token bucket in Redis, so even two admitters at once could never admit more than the rate; with a
 * leadership (several replicas deployed) only the leader steps, and the others stand by.
 */
import { type DurableScripts, type Leadership, pipelineReplies, type Redis } from "@booking-rush/lib/clients";
import { eventKeys, eventRegistryKey } from "@booking-rush/lib/inventory";
import type { Logger } from "@booking-rush/lib/observability";
import { startWorkerLoop, type WorkerLoop } from "@booking-rush/lib/process";
import { type QueueAdmitResult, queueAdmitScript } from "./booking-scripts";
import type { QueueMetrics } from "./queue-metrics";
import type { QueueAdmitterConfig } from "./settings";

/** The loaded events whose waiting room is on. */
export async function eventsWithQueue(redis: Redis): Promise<string[]> {
  const events = await redis.smembers(eventRegistryKey);
  if (events.length === 0) return [];
  const pipeline = redis.pipeline();
  for (const eventId of events) pipeline.hget(eventKeys(eventId).queue, "enabled");
  const enabled = await pipelineReplies(pipeline);
  return events.filter((_, index) => enabled[index] === "1");
}

/** One admission step for every event with a waiting room; resolves to each event's result. */
export async function admitEverywhere(
  redis: Redis,
  scripts: DurableScripts,
  config: QueueAdmitterConfig,
): Promise<Map<string, QueueAdmitResult>> {
  const results = new Map<string, QueueAdmitResult>();
  for (const eventId of await eventsWithQueue(redis)) {
    results.set(eventId, await queueAdmitScript(scripts, { eventId, intervalMs: config.intervalMs, batchMax: config.batchMax }));
  }
  return results;
}

/** The metrics of one step, replaced in one synchronous step (an event whose room closed disappears). */
function record(metrics: QueueMetrics, results: Map<string, QueueAdmitResult>) {
  metrics.depth.reset();
  metrics.active.reset();
  for (const [eventId, result] of results) {
    metrics.depth.set({ event_id: eventId }, result.depth);
    metrics.active.set({ event_id: eventId }, result.active);
    // Also by 0: the event's series exists from its first step, so rate() reads 0, not nothing,
    // and a restarted admitter's series starts again even before it admits anyone.
    metrics.admitted.inc({ event_id: eventId }, result.admitted.length);
    for (const [, , waitedMs] of result.admitted) metrics.wait.observe(waitedMs / 1000);
  }
  metrics.lastStep.setToCurrentTime();
}

export interface QueueAdmitterDependencies {
  redis: Redis;
  scripts: DurableScripts;
  logger: Logger;
  metrics: QueueMetrics;
  /** When given, a step admits only while this replica leads. */
  leadership?: Leadership;
}

export function startQueueAdmitter(
  { redis, scripts, logger, metrics, leadership }: QueueAdmitterDependencies,
  config: QueueAdmitterConfig,
): WorkerLoop {
  return startWorkerLoop({
    name: "queue admission",
    logger,
    intervalMs: config.intervalMs,
    onFailure: () => metrics.failures.inc(),
    step: async () => {
      if (leadership && !(await leadership.lead())) {
        // A standby exports no per-event values: the leader's are the ones that count.
        metrics.depth.reset();
        metrics.active.reset();
        return 0;
      }
      const results = await admitEverywhere(redis, scripts, config);
      record(metrics, results);
      let admitted = 0;
      for (const [eventId, result] of results) {
        admitted += result.admitted.length;
        if (result.admitted.length > 0) logger.debug("admitted buyers", { event_id: eventId, count: result.admitted.length });
      }
      return admitted;
    },
  });
}
