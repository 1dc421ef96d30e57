/** The catalog HTTP service. */
import { pingPostgres, pingRedis } from "@booking-rush/lib/clients";
import {
  apiRateLimitSettings,
  authSettings,
  postgresSettings,
  redisSettings,
  redlockSettings,
  serviceSettings,
  telemetrySettings,
} from "@booking-rush/lib/config";
import { runProcess } from "@booking-rush/lib/process";
import { createCatalogService } from "../src/app";
import { catalogSettings } from "../src/settings";

const groups = {
  service: serviceSettings({ name: "catalog", port: 3002 }),
  redis: redisSettings,
  redlock: redlockSettings,
  postgres: postgresSettings,
  auth: authSettings,
  catalog: catalogSettings,
  rateLimit: apiRateLimitSettings,
  telemetry: telemetrySettings,
};

runProcess(groups, (config, logger, metrics) => {
  const catalog = createCatalogService(config, logger, metrics);
  return {
    plugins: [catalog.routes],
    checks: { redis: pingRedis(catalog.store.redis), postgres: pingPostgres(catalog.postgres) },
    clients: [{ name: "catalog clients", run: () => catalog.close() }],
  };
});
