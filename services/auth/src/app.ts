/**
 * The auth service's clients and routes, built once from config; bin/auth.ts serves it, services/all
 * mounts it, tests call it with app.handle().
 */
import { createAccessControl } from "@booking-rush/lib/auth";
import {
  closeRedis,
  createLuaScripts,
  createMailer,
  createPostgres,
  createRedis,
  createReplicaTarget,
  luaDirectory,
  readLuaScripts,
  schemaReady,
} from "@booking-rush/lib/clients";
import type { AuthConfig, PostgresConfig, RedisConfig, ServiceConfig, SmtpConfig } from "@booking-rush/lib/config";
import { createRateLimiter } from "@booking-rush/lib/http";
import type { Logger, Metrics } from "@booking-rush/lib/observability";
import { startOrExit } from "@booking-rush/lib/process";
import { createAuthMetrics } from "./auth-metrics";
import { bootstrapAdmin } from "./bootstrap-admin";
import { authRoutes } from "./routes";
import { createPasswordHasher } from "./secrets";
import type { AuthServiceConfig } from "./settings";
import { type AuthStore, createBackgroundTasks } from "./store";

export interface AuthServiceClientsConfig {
  service: Pick<ServiceConfig, "trustProxy">;
  redis: RedisConfig;
  postgres: PostgresConfig;
  smtp: SmtpConfig;
  auth: AuthConfig;
  authService: AuthServiceConfig;
}

export function createAuthService(config: AuthServiceClientsConfig, logger: Logger, metrics: Metrics) {
  const redis = createRedis(config.redis, logger, "auth");
  const postgres = createPostgres(config.postgres, logger);
  const mailer = createMailer(config.smtp);
  const authMetrics = createAuthMetrics(metrics);
  const limiter = createRateLimiter(createLuaScripts(redis, readLuaScripts(luaDirectory)), {
    observe: (rule, decision) => {
      if (decision.fallback) authMetrics.rateLimitLocal.inc({ rule: rule.name });
      if (decision.admitted) return;
      authMetrics.rateLimited.inc({ rule: rule.name });
      if (rule.name === "login") authMetrics.logins.inc({ result: "rate_limited" });
      if (rule.name === "register") authMetrics.registrations.inc({ result: "rate_limited" });
    },
  });
  const store: AuthStore = {
    db: postgres.db,
    redis,
    replicas: createReplicaTarget(config.redis, logger, 1),
    hasher: createPasswordHasher(config.authService.passwordHashCost),
    keys: config.auth,
    config: config.authService,
    metrics: authMetrics,
    mailer,
    limiter,
    logger,
    background: createBackgroundTasks(logger),
  };
  return {
    store,
    redis,
    postgres,
    routes: authRoutes(store, {
      access: createAccessControl(config.auth, { redis, db: postgres.db, logger }),
      trustProxy: config.service.trustProxy,
    }),
    /**
     * Creates the first admin from ADMIN_EMAIL/ADMIN_PASSWORD when none exists, at start, once the
     * database schema is there (on a fresh install the migrations Job runs beside this process);
     * returns the readiness check that passes once that is done. A failure stops the process, so
     * the orchestrator restarts it rather than it serving without an admin.
     */
    startAdminBootstrap(): () => Promise<unknown> {
      const bootstrap = schemaReady(postgres, logger).then(() =>
        bootstrapAdmin(postgres.db, config.authService.admin, store.hasher.hash, logger),
      );
      const done = startOrExit(logger, "admin bootstrap", bootstrap);
      return () => done;
    },
    close: async () => {
      await store.background.settled();
      store.replicas.close();
      mailer.close();
      await closeRedis(redis);
      await postgres.close();
    },
  };
}

export type AuthService = ReturnType<typeof createAuthService>;
