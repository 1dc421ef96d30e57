/** The catalog HTTP service. */
import {
  authSettings, createHttpApp, pingPostgres, pingRedis, postgresSettings, redisSettings, serveHttp, serviceSettings, startProcess,
  telemetrySettings,
} from "@booking-rush/lib";
import { createCatalogService } from "./src/app";
import { catalogSettings } from "./src/settings";

const groups = {
  service: serviceSettings({ name: "catalog", port: 3002 }),
  redis: redisSettings,
  postgres: postgresSettings,
  auth: authSettings,
  catalog: catalogSettings,
  telemetry: telemetrySettings,
};
const { config, logger, telemetry, metrics } = startProcess(groups);
const catalog = createCatalogService(config, logger, metrics);
const readiness = { draining: false, checks: { redis: pingRedis(catalog.store.redis), postgres: pingPostgres(catalog.postgres) } };
const app = createHttpApp({ service: config.service, logger, metrics, readiness, tracing: telemetry.enabled }, [catalog.routes]);

serveHttp({
  app,
  service: config.service,
  logger,
  readiness,
  clients: [
    { name: "telemetry", run: () => telemetry.shutdown() },
    { name: "catalog clients", run: () => catalog.close() },
  ],
});
