/**
 * The outbox relay: booking events from the Redis outbox streams to Kafka, at least once, in order
 * per event. Safe to run as several replicas. Serves /healthz, /readyz and /metrics like every process.
 */
import { closeRedis, createKafka, createRedis, pingKafka, pingRedis } from "@booking-rush/lib/clients";
import { kafkaSettings, redisSettings, serviceSettings, telemetrySettings } from "@booking-rush/lib/config";
import { runProcess } from "@booking-rush/lib/process";
import { startOutboxRelay } from "../src/outbox-relay-loop";
import { outboxRelaySettings } from "../src/settings";
import { createOutboxMetrics } from "../src/worker-metrics";

const groups = {
  service: serviceSettings({ name: "outbox-relay", port: 3032 }),
  redis: redisSettings,
  kafka: kafkaSettings,
  relay: outboxRelaySettings,
  telemetry: telemetrySettings,
};

runProcess(groups, (config, logger, metrics) => {
  const redis = createRedis(config.redis, logger, "outbox-relay");
  const kafka = createKafka(config.kafka, logger, "outbox-relay");
  const relay = startOutboxRelay(
    { redis, kafka, logger, metrics: createOutboxMetrics(metrics, redis) },
    { ...config.relay, topics: config.kafka.topics },
  );
  return {
    checks: { redis: pingRedis(redis), kafka: pingKafka(kafka) },
    workers: [{ name: "outbox relay", run: () => relay.stop() }],
    clients: [{ name: "redis", run: () => closeRedis(redis) }],
  };
});
