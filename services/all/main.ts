/**
 * Development entrypoint: every HTTP service in one Bun process on one port, with the readiness of
 * every dependency they use.
 */
import {
  closeRedis, createHttpApp, createKafka, createPostgres, createRedis, pingKafka, pingPostgres, pingRedis, serveHttp, startProcess,
} from "@booking-rush/lib";
import { allServices } from "./src/app";
import { allInOneSettings } from "./src/config";

const { config, logger, telemetry, metrics } = startProcess(allInOneSettings);
const redis = createRedis(config.redis, logger, config.service.name);
const postgres = createPostgres(config.postgres, logger);
const kafka = createKafka(config.kafka, logger, config.service.name);
const readiness = {
  draining: false,
  checks: { redis: pingRedis(redis), postgres: pingPostgres(postgres), kafka: pingKafka(kafka) },
};
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
