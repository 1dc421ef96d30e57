/**
 * The booking service's clients and routes, built once from config; bin/booking.ts serves it, services/all
 * mounts it, tests call it with app.handle().
 */
import { type AccessControl, createAccessControl } from "@booking-rush/lib/auth";
import { closeRedis, createDurableScripts, createPostgres, createRedis, luaDirectory, readLuaScripts } from "@booking-rush/lib/clients";
import type { AuthConfig, PostgresConfig, RedisConfig } from "@booking-rush/lib/config";
import type { Logger, Metrics } from "@booking-rush/lib/observability";
import { createReconciler, type ReconcilerServiceConfig } from "@booking-rush/reconciler";
import { inventoryAdminRoutes } from "./admin-routes";
import { createBookingMetrics } from "./booking-metrics";
import type { BookingStore } from "./reservations";
import { bookingRoutes } from "./routes";
import type { BookingConfig } from "./settings";

export interface BookingServiceConfig {
  redis: RedisConfig;
  /** Payments for a buyer's confirm, and a user's auth state Redis no longer has; never on the hot path. */
  postgres: PostgresConfig;
  auth: AuthConfig;
  booking: BookingConfig;
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
  const scripts = createDurableScripts(config.redis, logger, readLuaScripts(luaDirectory), {
    connections: config.booking.writeConnections,
    replicas: 1,
    waitTimeoutMs: config.booking.waitTimeoutMs,
    observe: (script, seconds) => bookingMetrics.redisDuration.observe({ script }, seconds),
  });
  const store: BookingStore = { redis, db: postgres.db, scripts, config: config.booking, metrics: bookingMetrics };
  const access = createAccessControl(config.auth, { redis, db: postgres.db, logger });
  return {
    store,
    postgres,
    access,
    routes: bookingRoutes(store, access),
    close: async () => {
      await scripts.close();
      await closeRedis(redis);
      await postgres.close();
    },
  };
}
