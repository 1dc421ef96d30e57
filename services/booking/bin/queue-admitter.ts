/**
 * The queue-admitter: admits the buyers waiting in each event's waiting room at the event's rate,
 * while it has free slots and seats left, and frees the slots of expired passes. Safe to run as
 * several replicas; only the leader (a Kubernetes Lease in a cluster, a Redlock over REDLOCK_URLS
 * outside one) admits, the others take over within seconds of its loss. Serves /healthz, /readyz
 * and /metrics (queue_depth, queue_active_buyers, queue_admitted_total, queue_wait_seconds).
 */
import {
  closeRedis,
  createDurableScripts,
  createLocks,
  createProcessLeadership,
  createRedis,
  leaderElectionSettings,
  luaDirectory,
  pingRedis,
  readLuaScripts,
} from "@booking-rush/lib/clients";
import { redisSettings, redlockSettings, serviceSettings, telemetrySettings } from "@booking-rush/lib/config";
import { runProcess } from "@booking-rush/lib/process";
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

runProcess(groups, (config, logger, metrics) => {
  const redis = createRedis(config.redis, logger, "queue-admitter");
  // An admission hands out passes: acknowledged by a replica, so a failover loses no pass.
  const scripts = createDurableScripts(config.redis, logger, readLuaScripts(luaDirectory), {
    connections: 1,
    replicas: 1,
    waitTimeoutMs: config.booking.waitTimeoutMs,
  });
  const locks = createLocks(config.redlock, redis, logger);
  // A leader that died is replaced after at most this long.
  const leadership = createProcessLeadership(
    config.leaderElection,
    locks,
    "queue-admitter",
    Math.max(5_000, config.admitter.intervalMs * 5),
    logger,
  );
  const admitter = startQueueAdmitter({ redis, scripts, logger, metrics: createQueueMetrics(metrics), leadership }, config.admitter);
  return {
    checks: { redis: pingRedis(redis) },
    workers: [
      { name: "queue admission", run: () => admitter.stop() },
      { name: "leadership", run: () => leadership.release() },
    ],
    clients: [
      { name: "lock servers", run: () => locks.close() },
      { name: "redis", run: () => closeRedis(redis) },
      { name: "redis writes", run: () => scripts.close() },
    ],
  };
});
