/**
 * The outbox relay: booking events from the Redis outbox streams to Kafka, at least once, in order
 * per event. Safe to run as several replicas. Serves /healthz, /readyz and /metrics like every process.
 */
import {
  closeRedis, createHttpApp, createKafka, createRedis, kafkaSettings, pingKafka, pingRedis, redisSettings, serveHttp,
  serviceSettings, startProcess, telemetrySettings,
} from "@booking-rush/lib";
import { startOutboxRelay } from "./src/outbox-relay-worker";
import { outboxRelaySettings } from "./src/settings";
import { createOutboxMetrics } from "./src/worker-metrics";

const groups = {
  service: serviceSettings({ name: "booking-outbox-relay", port: 3032 }),
  redis: redisSettings,
  kafka: kafkaSettings,
  relay: outboxRelaySettings,
  telemetry: telemetrySettings,
};
const { config, logger, telemetry, metrics } = startProcess(groups);
const redis = createRedis(config.redis, logger, "outbox-relay");
const kafka = createKafka(config.kafka, logger, "outbox-relay");
const relay = startOutboxRelay({ redis, kafka, logger, metrics: createOutboxMetrics(metrics, redis) }, config.relay);
const readiness = { draining: false, checks: { redis: pingRedis(redis), kafka: pingKafka(kafka) } };

serveHttp({
  app: createHttpApp({ service: config.service, logger, metrics, readiness, tracing: telemetry.enabled }),
  service: config.service,
  logger,
  readiness,
  workers: [{ name: "outbox relay", run: () => relay.stop() }],
  clients: [
    { name: "telemetry", run: () => telemetry.shutdown() },
    { name: "redis", run: () => closeRedis(redis) },
  ],
});
