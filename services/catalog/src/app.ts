/**
 * The catalog service's clients and routes, built once from config; bin/catalog.ts serves it, services/all
 * mounts it, tests call it with app.handle().
 */
import { createAccessControl } from "@booking-rush/lib/auth";
import {
  closeRedis,
  createDurableScripts,
  createLocks,
  createLuaScripts,
  createPostgres,
  createRedis,
  luaDirectory,
  readLuaScripts,
} from "@booking-rush/lib/clients";
import type { ApiRateLimitConfig, AuthConfig, PostgresConfig, RedisConfig, RedlockConfig, ServiceConfig } from "@booking-rush/lib/config";
import { createRateLimiter } from "@booking-rush/lib/http";
import type { Logger, Metrics } from "@booking-rush/lib/observability";
import { Elysia } from "elysia";
import { brandingRoutes } from "./branding-routes";
import { createCatalogMetrics } from "./catalog-metrics";
import { createEventCache } from "./event-cache";
import { queueAdminRoutes } from "./queue-admin-routes";
import { type CatalogRoutesOptions, catalogRoutes } from "./routes";
import type { CatalogConfig } from "./settings";
import type { CatalogStore } from "./store";
import { tenantEventsRoutes } from "./tenant-events-routes";

export interface CatalogServiceConfig {
  service: Pick<ServiceConfig, "trustProxy">;
  rateLimit: ApiRateLimitConfig;
  redis: RedisConfig;
  redlock: RedlockConfig;
  postgres: PostgresConfig;
  auth: AuthConfig;
  catalog: CatalogConfig;
}

export function createCatalogService(config: CatalogServiceConfig, logger: Logger, metrics: Metrics) {
  const redis = createRedis(config.redis, logger, "catalog");
  const postgres = createPostgres(config.postgres, logger);
  const catalogMetrics = createCatalogMetrics(metrics);
  const scripts = readLuaScripts(luaDirectory);
  const store: CatalogStore = {
    db: postgres.db,
    redis,
    scripts: createDurableScripts(config.redis, logger, scripts, { connections: 1, replicas: 1, waitTimeoutMs: 500 }),
    locks: createLocks(config.redlock, redis, logger),
    cache: createEventCache(redis, config.catalog.cacheTtlSeconds, logger, {
      onLookup: (hit) => catalogMetrics.cacheLookups.inc({ result: hit ? "hit" : "miss" }),
      onWriteFailed: () => catalogMetrics.cacheWriteFailures.inc(),
    }),
    config: config.catalog,
    metrics: catalogMetrics,
    logger,
  };
  const routeOptions: CatalogRoutesOptions = {
    access: createAccessControl(config.auth, { redis, db: postgres.db, logger }),
    limiter: createRateLimiter(createLuaScripts(redis, scripts), {
      observe: (rule, decision) => {
        if (decision.fallback) catalogMetrics.rateLimitUnwritable.inc({ rule: rule.name });
      },
    }),
    rateLimit: config.rateLimit,
    trustProxy: config.service.trustProxy,
  };
  return {
    store,
    postgres,
    routes: new Elysia({ name: "catalog" })
      .use(catalogRoutes(store, routeOptions))
      .use(queueAdminRoutes(store, routeOptions))
      .use(tenantEventsRoutes(store, routeOptions))
      .use(brandingRoutes(store, routeOptions)),
    close: async () => {
      await store.scripts.close();
      await store.locks.close();
      await closeRedis(redis);
      await postgres.close();
    },
  };
}
