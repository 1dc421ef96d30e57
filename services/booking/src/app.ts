/**
 * The booking service's clients and routes, built once from config; main.ts serves it, services/all
 * mounts it, tests call it with app.handle().
 */
import {
  type AuthConfig, closeRedis, createDurableScripts, createReconciler, type ReconcilerServiceConfig, createRedis, type Logger, luaDirectory, type Metrics, readLuaScripts, type RedisConfig,
} from "@booking-rush/lib";
import { inventoryAdminRoutes } from "./admin-routes";
import { createBookingMetrics } from "./booking-metrics";
import type { BookingStore } from "./reservations";
import { bookingRoutes } from "./routes";
import type { BookingConfig } from "./settings";

export interface BookingServiceConfig {
  redis: RedisConfig;
  auth: Pick<AuthConfig, "jwtSecret">;
  booking: BookingConfig;
}

/**
 * The admin inventory endpoints: PostgreSQL, the lock servers and Kafka besides Redis, so they
 * are a plugin of their own and the hot path never depends on them.
 */
export function createInventoryAdmin(config: ReconcilerServiceConfig & { auth: Pick<AuthConfig, "jwtSecret"> }, logger: Logger, metrics: Metrics) {
  const reconciliation = createReconciler(config, logger, metrics);
  return {
    reconciliation,
    routes: inventoryAdminRoutes(reconciliation, config.auth.jwtSecret),
    close: () => reconciliation.close(),
  };
}

export function createBookingService(config: BookingServiceConfig, logger: Logger, metrics: Metrics) {
  const redis = createRedis(config.redis, logger, "booking");
  const bookingMetrics = createBookingMetrics(metrics, redis);
  const scripts = createDurableScripts(config.redis, logger, readLuaScripts(luaDirectory), {
    connections: config.booking.writeConnections,
    replicas: 1,
    waitTimeoutMs: config.booking.waitTimeoutMs,
    observe: (script, seconds) => bookingMetrics.redisDuration.observe({ script }, seconds),
  });
  const store: BookingStore = { redis, scripts, config: config.booking, metrics: bookingMetrics };
  return {
    store,
    routes: bookingRoutes(store, config.auth.jwtSecret),
    close: async () => {
      await scripts.close();
      await closeRedis(redis);
    },
  };
}
