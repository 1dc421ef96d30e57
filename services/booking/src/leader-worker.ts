/**
 * The booking service's leader-only workers, the expiry sweeper and the queue-admitter: what each
 * process is made of around its loop. Safe to run as several replicas: only the leader (a
 * Kubernetes Lease in a cluster, a Redlock over REDLOCK_URLS outside one) runs the loop, the others
 * take over within seconds of its loss.
 */
import {
  closeRedis,
  createDurableScripts,
  createLocks,
  createProcessLeadership,
  createRedis,
  type DurableScripts,
  type LeaderElectionConfig,
  type Leadership,
  luaDirectory,
  pingRedis,
  type Redis,
  readLuaScripts,
} from "@booking-rush/lib/clients";
import type { RedisConfig, RedlockConfig } from "@booking-rush/lib/config";
import type { Logger } from "@booking-rush/lib/observability";
import type { ProcessParts, WorkerLoop } from "@booking-rush/lib/process";
import type { BookingConfig } from "./settings";

export interface LeaderWorkerConfig {
  redis: RedisConfig;
  redlock: RedlockConfig;
  leaderElection: LeaderElectionConfig;
  booking: BookingConfig;
}

export interface LeaderWorkerClients {
  redis: Redis;
  scripts: DurableScripts;
  leadership: Leadership;
}

export interface LeaderWorker {
  /** The process's one name: its leadership is `leader:<name>`, its Redis connection is named so. */
  name: string;
  /** The loop's interval: a leader that died is replaced after five of them (at least 5 s). */
  intervalMs: number;
  /** The loop's name in the shutdown log. */
  loop: string;
  start(clients: LeaderWorkerClients): WorkerLoop;
}

export function leaderWorkerParts(config: LeaderWorkerConfig, logger: Logger, worker: LeaderWorker): ProcessParts {
  const redis = createRedis(config.redis, logger, worker.name);
  // Its writes (seats given back, passes handed out) are acknowledged by a replica, like every
  // other inventory change, so a failover loses none of them.
  const scripts = createDurableScripts(config.redis, logger, readLuaScripts(luaDirectory), {
    connections: 1,
    replicas: 1,
    waitTimeoutMs: config.booking.waitTimeoutMs,
  });
  const locks = createLocks(config.redlock, redis, logger);
  const leadership = createProcessLeadership(config.leaderElection, locks, worker.name, Math.max(5_000, worker.intervalMs * 5), logger);
  const loop = worker.start({ redis, scripts, leadership });
  return {
    checks: { redis: pingRedis(redis) },
    workers: [
      { name: worker.loop, run: () => loop.stop() },
      { name: "leadership", run: () => leadership.release() },
    ],
    clients: [
      { name: "lock servers", run: () => locks.close() },
      { name: "redis", run: () => closeRedis(redis) },
      { name: "redis writes", run: () => scripts.close() },
    ],
  };
}
