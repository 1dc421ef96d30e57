/**
 * The booking service's clients and routes, built once from config; bin/booking.ts serves it, services/all
 * mounts it, tests call it with app.handle().
 */
import { type AccessControl, createAccessControl } from "@booking-rush/lib/auth";
import {
  closeRedis,
  createDurableScripts,
  createLuaScripts,
  createPostgres,
  createRedis,
  luaDirectory,
  readLuaScripts,
} from "@booking-rush/lib/clients";
import type { AuthConfig, PostgresConfig, RedisConfig } from "@booking-rush/lib/config";
import type { Logger, Metrics } from "@booking-rush/lib/observability";
import { createReconciler, type ReconcilerServiceConfig } from "@booking-rush/reconciler";
import { Elysia } from "elysia";
import { inventoryAdminRoutes } from "./admin-routes";
import { createBookingMetrics } from "./booking-metrics";
import { createQueuePasses, refuseEveryPass } from "./queue-pass";
import { queueRoutes } from "./queue-routes";
import type { BookingStore } from "./reservations";
import { bookingRoutes } from "./routes";
import { salesRoutes } from "./sales-routes";
import type { BookingConfig, QueueConfig, SalesConfig } from "./settings";

export interface BookingServiceConfig {
  redis: RedisConfig;
  /** Payments for a buyer's confirm, and a user's auth state Redis no longer has; never on the hot path. */
  postgres: PostgresConfig;
  auth: AuthConfig;
  booking: BookingConfig;
  /**
   * The waiting room's buyer side (its routes, its passes). A process that only changes bookings
   * (the payment saga) has none: without it no pass is valid and no queue route is served.
   */
  queue?: QueueConfig;
  /** The organizers' live sales (GET /admin/sales and its stream); a process that serves no API has none. */
  sales?: SalesConfig;
}

/**
 * The admin inventory endpoints: PostgreSQL, the lock servers and Kafka besides Redis, so they
 * are a plugin of their own and the hot path never depends on them.
 */
export function createInventoryAdmin(config: ReconcilerServiceConfig, access: AccessControl, logger: Logger) {
  const reconciliation = createReconciler(config, logger);
  return {
    reconciliation,
    routes: inventoryAdminRoutes(reconciliation, access),
    close: () => reconciliation.close(),
  };
}

export function createBookingService(config: BookingServiceConfig, logger: Logger, metrics: Metrics) {
  const redis = createRedis(config.redis, logger, "booking");
  // Never on the reserve path: a buyer's confirm reads the payment, a guard fills a state Redis lost,
  // and the stock sampler finds the loaded events' zones in the background.
  const postgres = createPostgres({ ...config.postgres, poolMax: Math.min(config.postgres.poolMax, 4) }, logger);
  const bookingMetrics = createBookingMetrics(metrics, { redis, db: postgres.db });
  const luaScripts = readLuaScripts(luaDirectory);
  const scripts = createDurableScripts(config.redis, logger, luaScripts, {
    connections: config.booking.writeConnections,
    replicas: 1,
    waitTimeoutMs: config.booking.waitTimeoutMs,
    observe: (script, seconds) => bookingMetrics.redisDuration.observe({ script }, seconds),
  });
  const store: BookingStore = {
    redis,
    db: postgres.db,
    scripts,
    reads: createLuaScripts(redis, luaScripts),
    queuePasses: config.queue ? createQueuePasses(config.queue.passSecret) : refuseEveryPass,
    config: config.booking,
    metrics: bookingMetrics,
  };
  const access = createAccessControl(config.auth, { redis, db: postgres.db, logger });
  return {
    store,
    postgres,
    access,
    routes: new Elysia({ name: "booking.api" })
      .use(bookingRoutes(store, access))
      .use(config.queue ? queueRoutes(store, access, config.queue) : new Elysia())
      .use(config.sales ? salesRoutes(store, access, config.sales) : new Elysia()),
    close: async () => {
      await scripts.close();
      await closeRedis(redis);
      await postgres.close();
    },
  };
}
