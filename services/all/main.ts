/**
 * Development entrypoint: every HTTP service in one Bun process on one port, with the readiness of
 * every dependency they use.
 */
import {
  closeRedis, createHttpApp, createKafka, createLogger, createMetrics, createPostgres, createRedis, loadConfigOrExit,
  pingKafka, pingPostgres, pingRedis, secretValues, serveHttp, startTelemetry,
} from "@booking-rush/lib";
import { allServices } from "./src/app";
import { allInOneSettings } from "./src/config";

const config = loadConfigOrExit(allInOneSettings, process.env);

const logger = createLogger({
  service: config.service.name,
  level: config.service.logLevel,
  secrets: secretValues(allInOneSettings, process.env),
});
const telemetry = startTelemetry(config.telemetry, config.service.name);
const redis = createRedis(config.redis, logger, config.service.name);
const postgres = createPostgres(config.postgres, logger);
const kafka = createKafka(config.kafka, logger, config.service.name);
const readiness = {
  draining: false,
  checks: { redis: pingRedis(redis), postgres: pingPostgres(postgres), kafka: pingKafka(kafka) },
};
const metrics = createMetrics(config.service.name);
const services = allServices(config, logger, metrics);
const app = createHttpApp({ service: config.service, logger, metrics, readiness, tracing: telemetry.enabled }, services.plugins);

serveHttp({
  app,
  service: config.service,
  logger,
  readiness,
  clients: [
    { name: "telemetry", run: () => telemetry.shutdown() },
    { name: "redis", run: () => closeRedis(redis) },
    { name: "postgres", run: () => postgres.close() },
    ...services.close,
  ],
});
