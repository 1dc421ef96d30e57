/**
 * The queue-admitter: admits the buyers waiting in each event's waiting room at the event's rate,
 * while it has free slots and seats left, and frees the slots of expired passes. Leader-only, safe
 * as several replicas (src/leader-worker.ts); its passes are acknowledged by a replica, so a
 * failover loses none. Serves /healthz, /readyz and /metrics (queue_depth, queue_active_buyers,
 * queue_admitted_total, queue_wait_seconds).
 */
import { leaderElectionSettings } from "@booking-rush/lib/clients";
import { redisSettings, redlockSettings, serviceSettings, telemetrySettings } from "@booking-rush/lib/config";
import { runProcess } from "@booking-rush/lib/process";
import { leaderWorkerParts } from "../src/leader-worker";
import { startQueueAdmitter } from "../src/queue-admission";
import { createQueueMetrics } from "../src/queue-metrics";
import { bookingSettings, queueAdmitterSettings } from "../src/settings";

const groups = {
  service: serviceSettings({ name: "queue-admitter", port: 3034 }),
  redis: redisSettings,
  redlock: redlockSettings,
  leaderElection: leaderElectionSettings,
  booking: bookingSettings,
  admitter: queueAdmitterSettings,
  telemetry: telemetrySettings,
};

runProcess(groups, (config, logger, metrics) =>
  leaderWorkerParts(config, logger, {
    name: "queue-admitter",
    intervalMs: config.admitter.intervalMs,
    loop: "queue admission",
    start: (clients) => startQueueAdmitter({ ...clients, logger, metrics: createQueueMetrics(metrics) }, config.admitter),
  }),
);
