/**
 * What the auth service's domain functions work with, built once in app.ts. The functions take it
 * as their first argument and know nothing of Elysia.
 */
import type { Database, Mailer, Redis, ReplicaTarget } from "@booking-rush/lib/clients";
import type { AuthConfig } from "@booking-rush/lib/config";
import type { RateLimiter } from "@booking-rush/lib/http";
import type { Logger } from "@booking-rush/lib/observability";
import type { AuthMetrics } from "./auth-metrics";
import type { PasswordHasher } from "./secrets";
import type { AuthServiceConfig } from "./settings";

export interface AuthStore {
  db: Database;
  /** Where the users' auth state lives for every guard (auth-state.ts). */
  redis: Redis;
  /** How many replicas a revocation waits for (every one the Sentinels consider up). */
  replicas: ReplicaTarget;
  hasher: PasswordHasher;
  keys: Pick<AuthConfig, "jwtSecret" | "accessTokenTtlSeconds" | "refreshTokenTtlSeconds">;
  config: AuthServiceConfig;
  metrics: AuthMetrics;
  mailer: Mailer;
  limiter: RateLimiter;
  logger: Logger;
  /** Work finished after the response (the reset e-mail); close() waits for it. */
  background: BackgroundTasks;
}

/** Who asked, for the audit trail. */
export interface RequestOrigin {
  ip: string | null;
  requestId: string;
}

/** The audit entry of a user acting on their own account, from where the request came; add `action` and what changed. */
export function selfAudit(user: { id: string; tenantId: string | null }, origin: RequestOrigin) {
  return { actorId: user.id, tenantId: user.tenantId, entityType: "user", entityId: user.id, ip: origin.ip, requestId: origin.requestId };
}

export interface BackgroundTasks {
  run(name: string, task: () => Promise<void>): void;
  /** Resolves when every task started so far has settled. */
  settled(): Promise<void>;
}

export function createBackgroundTasks(logger: Logger): BackgroundTasks {
  const pending = new Set<Promise<void>>();
  return {
    run(name, task) {
      const promise = task()
        .catch((error: unknown) =>
          logger.error("background task failed", { task: name, error: error instanceof Error ? error.message : String(error) }),
        )
        .finally(() => pending.delete(promise));
      pending.add(promise);
    },
    async settled() {
      while (pending.size > 0) await Promise.allSettled([...pending]);
    },
  };
}

/** A unique index violated (postgres.js error, possibly wrapped by drizzle). */
export function isUniqueViolation(error: unknown, constraint: string): boolean {
  for (let current = error, depth = 0; current && depth < 4; current = (current as { cause?: unknown }).cause, depth += 1) {
    const { code, constraint_name: name } = current as { code?: unknown; constraint_name?: unknown };
    if (code === "23505" && name === constraint) return true;
  }
  return false;
}
