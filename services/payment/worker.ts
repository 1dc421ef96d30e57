/**
 * The payment worker: charges requested payments through the gateway, with retries, and reports
 * the outcome (payment.succeeded / payment.failed). Scales out as a consumer group (KEDA on lag).
 */
import {
  createKafka, createPostgres, kafkaSettings, pingKafka, pingPostgres, postgresSettings, registerConsumerLag, runProcess, startOrExit, serviceSettings,
  telemetrySettings,
} from "@booking-rush/lib";
import { createGatewayClient } from "./src/gateway/gateway-client";
import { createPaymentMetrics } from "./src/payment-metrics";
import { createPaymentPublisher } from "./src/payment-publisher";
import { createPaymentWorker, paymentWorkerTopics } from "./src/payment-worker";
import { paymentSettings } from "./src/settings";

const groups = {
  service: serviceSettings({ name: "payment-worker", port: 3044 }),
  postgres: postgresSettings,
  kafka: kafkaSettings,
  payment: paymentSettings,
  telemetry: telemetrySettings,
};

runProcess(groups, (config, logger, metrics) => {
  const postgres = createPostgres(config.postgres, logger);
  const kafka = createKafka(config.kafka, logger, "payment-worker");
  const publisher = createPaymentPublisher(kafka, config.kafka.topics);
  const worker = createPaymentWorker(
    { kafka, db: postgres.db, gateway: createGatewayClient(config.payment.gatewayUrl, config.payment.retry), publisher, logger, metrics: createPaymentMetrics(metrics) },
    { ...config.payment, topics: config.kafka.topics },
  );
  registerConsumerLag(metrics, kafka, config.payment.groupId, paymentWorkerTopics);
  // Kafka may still be starting: the consumer's own retries bring it up.
  void startOrExit(logger, "payment worker", worker.start());
  return {
    checks: { postgres: pingPostgres(postgres), kafka: pingKafka(kafka) },
    workers: [{ name: "payment worker", run: () => worker.stop() }],
    clients: [
      { name: "postgres", run: () => postgres.close() },
      { name: "kafka producer", run: () => publisher.close() },
    ],
  };
});
