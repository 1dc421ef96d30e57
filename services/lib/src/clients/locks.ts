/**
 * Redlock for admin operations that span Redis and PostgreSQL (publishing an event, repairing or
 * rebuilding inventory), over independent lock servers (`REDLOCK_URLS`, a majority must grant),
 * or the inventory Redis alone when none are configured. Contenders wait for the holder rather
 * than fail, within a bound; a lock not acquired by then is a 503 (the caller retries), never a
 * second concurrent run. The lock is extended while the work runs.
 *
 * A lock alone cannot stop a holder that was paused past its TTL (a GC pause, a stalled network)
 * from writing after someone else took over. `withFencedLock` therefore also draws a fencing
 * token: a counter in the guarded data's own Redis (`{ev:E}:fence`), incremented on every
 * acquisition and acknowledged by a replica. Every write under the lock passes its token to a
 * script that refuses it unless it is still the newest one (lua/_fence.lua).
 */
import Redis from "ioredis";
import Redlock, { ExecutionError } from "redlock";
import { serviceUnavailable } from "../errors";
import type { Logger } from "../logger";
import type { RedlockConfig } from "../settings";
import { closeRedis, keepConnected } from "./redis";

export interface LockOptions {
  /** Lock lifetime; extended automatically while the work is still running. */
  ttlMs: number;
  /** How long a contender waits for the holder before giving up. */
  waitMs: number;
}

export interface Fence {
  /** The guarded data's Redis (the inventory master). */
  redis: Redis;
  /** The counter the guarded scripts check, in the same slot as the data they write. */
  key: string;
  /** Replicas that must have the new token before the holder may use it. */
  replicas: number;
  waitTimeoutMs: number;
}

export interface LockLease {
  /** Aborted when the lock could not be extended: the work should stop, its writes are refused anyway. */
  signal: AbortSignal;
}

export interface HeldLock {
  /** Extends the lock to `ms` from now; throws when it was lost meanwhile. */
  extend(ms: number): Promise<void>;
  release(): Promise<void>;
}

/** A write refused because a newer lock holder exists. */
export class StaleLockError extends Error {
  constructor(token: number) {
    super(`fencing token ${token} is stale: another holder took the lock since`);
  }
}

const retryDelayMs = 50;

export function createLocks(config: RedlockConfig, fallback: Redis, logger: Logger) {
  const own = config.urls.map(
    (url) =>
      new Redis(url, {
        connectionName: "redlock",
        protocol: 2,
        maxRetriesPerRequest: 1,
        connectTimeout: 2_000,
        commandTimeout: 2_000,
        retryStrategy: (attempt) => Math.min(100 * 2 ** attempt, 2_000),
      }),
  );
  for (const server of own) {
    server.on("error", (error) => logger.debug("lock server unreachable", { error: error.message }));
    keepConnected(server, logger.child({ component: "redlock" }));
  }
  const redlock = new Redlock(own.length > 0 ? own : [fallback], {
    retryDelay: retryDelayMs,
    retryJitter: 25,
    automaticExtensionThreshold: 500,
  });
  redlock.on("error", (error) => logger.debug("lock attempt failed on a server", { error: String(error) }));

  async function withLock<T>(resource: string, options: LockOptions, work: (lease: LockLease) => Promise<T>): Promise<T> {
    // The work's own failure wins over a failed release (a lock that expired meanwhile cannot be released).
    let failure: { error: unknown } | undefined;
    try {
      return await redlock.using([resource], options.ttlMs, { retryCount: Math.ceil(options.waitMs / retryDelayMs) }, async (signal) => {
        try {
          return await work({ signal });
        } catch (error) {
          failure = { error };
          throw error;
        }
      });
    } catch (error) {
      if (failure) throw failure.error;
      if (error instanceof ExecutionError) throw serviceUnavailable("lock");
      throw error;
    }
  }

  return {
    withLock,
    /** The lock, plus a fencing token drawn once it is held. */
    withFencedLock<T>(
      resource: string,
      options: LockOptions,
      fence: Fence,
      work: (token: number, lease: LockLease) => Promise<T>,
    ): Promise<T> {
      return withLock(resource, options, async (lease) => {
        const token = await fence.redis.incr(fence.key);
        if (fence.replicas > 0) await fence.redis.call("WAIT", fence.replicas, fence.waitTimeoutMs);
        return work(token, lease);
      });
    },
    /**
     * One attempt, no waiting: the lock if it is free, else undefined. The caller extends and
     * releases it (leadership.ts); for work that runs inside one call, use withLock.
     */
    async tryAcquire(resource: string, ttlMs: number): Promise<HeldLock | undefined> {
      try {
        let lock = await redlock.acquire([resource], ttlMs, { retryCount: 0 });
        return {
          async extend(ms: number) {
            lock = await lock.extend(ms);
          },
          async release() {
            await lock.release().catch(() => undefined);
          },
        };
      } catch (error) {
        if (error instanceof ExecutionError) return undefined;
        throw error;
      }
    },
    /** Whether any process holds the lock right now (for tests and status). */
    async held(resource: string): Promise<boolean> {
      const servers = own.length > 0 ? own : [fallback];
      const answers = await Promise.all(servers.map((server) => server.exists(resource).catch(() => 0)));
      return answers.filter(Boolean).length > servers.length / 2;
    },
    async close() {
      await Promise.all(own.map(closeRedis));
    },
  };
}

export type Locks = ReturnType<typeof createLocks>;
