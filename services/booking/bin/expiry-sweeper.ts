/**
 * The expiry sweeper: closes holds whose time is up (seats back, booking.expired to the outbox).
 * Safe to run as several replicas; only the leader (a Kubernetes Lease in a cluster, a Redlock over
 * REDLOCK_URLS outside one) sweeps, the others take over within seconds of its loss. Serves /healthz, /readyz and /metrics like every process.
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
import { startExpirySweeper } from "../src/hold-expiry";
import { bookingSettings, expirySweeperSettings } from "../src/settings";
import { createExpiryMetrics } from "../src/worker-metrics";

const groups = {
  service: serviceSettings({ name: "expiry-sweeper", port: 3031 }),
  redis: redisSettings,
  redlock: redlockSettings,
  leaderElection: leaderElectionSettings,
  booking: bookingSettings,
  sweeper: expirySweeperSettings,
  telemetry: telemetrySettings,
};

runProcess(groups, (config, logger, metrics) => {
  const redis = createRedis(config.redis, logger, "expiry-sweeper");
  // Expiry gives seats back: acknowledged by a replica like every other inventory change.
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
    "expiry-sweeper",
    Math.max(5_000, config.sweeper.intervalMs * 5),
    logger,
  );
  const sweeper = startExpirySweeper(
    { redis, scripts, logger, metrics: createExpiryMetrics(metrics), leadership },
    { ...config.sweeper, recordTtlSeconds: config.booking.recordTtlSeconds },
  );
  return {
    checks: { redis: pingRedis(redis) },
    workers: [
      { name: "expiry sweep", run: () => sweeper.stop() },
      { name: "leadership", run: () => leadership.release() },
    ],
    clients: [
      { name: "lock servers", run: () => locks.close() },
      { name: "redis", run: () => closeRedis(redis) },
      { name: "redis writes", run: () => scripts.close() },
    ],
  };
});
