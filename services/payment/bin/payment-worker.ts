/**
 * The payment worker: charges requested payments through the gateway, with retries, and reports
 * the outcome (payment.succeeded / payment.failed). Scales out as a consumer group (KEDA on lag).
 */
import { createKafka, createPostgres, pingKafka, pingPostgres, registerConsumerLag } from "@booking-rush/lib/clients";
import { kafkaSettings, postgresSettings, serviceSettings, telemetrySettings } from "@booking-rush/lib/config";
import { runProcess } from "@booking-rush/lib/process";
import { createGatewayClient } from "../src/gateway/gateway-client";
import { createPaymentWorker, paymentWorkerTopics } from "../src/payment-consumer";
import { createPaymentMetrics } from "../src/payment-metrics";
import { createPaymentPublisher } from "../src/payment-publisher";
import { paymentSettings } from "../src/settings";

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
    {
      kafka,
      db: postgres.db,
      gateway: createGatewayClient(config.payment.gatewayUrl, config.payment.retry),
      publisher,
      logger,
      metrics: createPaymentMetrics(metrics),
    },
    { ...config.payment, topics: config.kafka.topics },
  );
  registerConsumerLag(metrics, kafka, config.payment.groupId, paymentWorkerTopics);
  return {
    checks: { postgres: pingPostgres(postgres), kafka: pingKafka(kafka) },
    consumer: { name: "payment worker", ...worker },
    clients: [
      { name: "postgres", run: () => postgres.close() },
      { name: "kafka producer", run: () => publisher.close() },
    ],
  };
});
