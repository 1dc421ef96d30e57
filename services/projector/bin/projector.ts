/**
 * The projector: booking events from Kafka into PostgreSQL in batches. Scales out as a consumer
 * group (KEDA on its lag); serves /healthz, /readyz and /metrics like every process.
 */
import { createKafka, createPostgres, pingKafka, pingPostgres, registerConsumerLag } from "@booking-rush/lib/clients";
import { kafkaSettings, postgresSettings, serviceSettings, telemetrySettings } from "@booking-rush/lib/config";
import { bookingTopics } from "@booking-rush/lib/contracts";
import { runProcess } from "@booking-rush/lib/process";
import { createProjector } from "../src/projector-consumer";
import { createProjectorMetrics } from "../src/projector-metrics";
import { projectorSettings } from "../src/settings";

const groups = {
  service: serviceSettings({ name: "projector", port: 3041 }),
  postgres: postgresSettings,
  kafka: kafkaSettings,
  projector: projectorSettings,
  telemetry: telemetrySettings,
};

runProcess(groups, (config, logger, metrics) => {
  const postgres = createPostgres(config.postgres, logger);
  const kafka = createKafka(config.kafka, logger, "projector");
  const projector = createProjector(
    { kafka, db: postgres.db, logger, metrics: createProjectorMetrics(metrics) },
    { ...config.projector, topics: config.kafka.topics },
  );
  registerConsumerLag(metrics, kafka, config.projector.groupId, bookingTopics);
  return {
    checks: { postgres: pingPostgres(postgres), kafka: pingKafka(kafka) },
    consumer: { name: "projector", ...projector },
    clients: [{ name: "postgres", run: () => postgres.close() }],
  };
});
