/**
 * Redlock over the Sentinel-discovered master, for admin operations that span Redis and
 * PostgreSQL (publishing an event, repairing inventory). Contenders wait for the holder rather than
 * fail, within a bound; a lock not acquired by then is a 503 (the caller retries), never a
 * second concurrent run. `using` extends the lock while the work runs.
 */
import Redlock, { ExecutionError } from "redlock";
import { serviceUnavailable } from "../errors";
import type { Redis } from "./redis";

export interface LockOptions {
  /** Lock lifetime; extended automatically while the work is still running. */
  ttlMs: number;
  /** How long a contender waits for the holder before giving up. */
  waitMs: number;
}

export function createLocks(redis: Redis) {
  const retryDelay = 50;
  const redlock = new Redlock([redis], { retryDelay, retryJitter: 25, automaticExtensionThreshold: 500 });
  return {
    async withLock<T>(resource: string, options: LockOptions, work: () => Promise<T>): Promise<T> {
      try {
        return await redlock.using([resource], options.ttlMs, { retryCount: Math.ceil(options.waitMs / retryDelay) }, work);
      } catch (error) {
        if (error instanceof ExecutionError) throw serviceUnavailable("lock");
        throw error;
      }
    },
  };
}

export type Locks = ReturnType<typeof createLocks>;
