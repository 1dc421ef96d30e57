/**
 * Leader election among replicas of a worker (the expiry sweeper, the reconciler's loop mode)
 * over a Redlock: whoever holds `resource` leads; the leader extends it on every call to lead(),
 * the others try to take it. A leader that stops calling (crashed, paused) loses it after `ttlMs`,
 * and another replica takes over at its next call. This is the election outside a cluster; inside
 * one a worker elects through a Kubernetes Lease (kube-lease.ts), process-leadership.ts choosing
 * between the two from LEADER_ELECTION.
 */
import type { Logger } from "../logger";
import type { HeldLock, Locks } from "./locks";

export interface Leadership {
  /** Whether this replica leads now; takes or keeps the leadership as a side effect. */
  lead(): Promise<boolean>;
  release(): Promise<void>;
}

export function createLeadership(locks: Locks, resource: string, options: { ttlMs: number }, logger: Logger): Leadership {
  let held: HeldLock | undefined;
  return {
    async lead() {
      if (held) {
        try {
          await held.extend(options.ttlMs);
          return true;
        } catch {
          held = undefined;
          logger.warn("leadership lost", { resource });
        }
      }
      held = await locks.tryAcquire(resource, options.ttlMs).catch(() => undefined);
      if (held) logger.info("leading", { resource });
      return held !== undefined;
    },
    async release() {
      const current = held;
      held = undefined;
      await current?.release();
    },
  };
}
