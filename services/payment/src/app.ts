/**
 * The payment service's clients and routes (bin/payment.ts serves them, services/all mounts them), and
 * the worker's (bin/payment-worker.ts). Built once from config.
 */
import { createAccessControl } from "@booking-rush/lib/auth";
import { closeRedis, createKafka, createPostgres, createRedis } from "@booking-rush/lib/clients";
import type { AuthConfig, KafkaConfig, PostgresConfig, RedisConfig } from "@booking-rush/lib/config";
import type { Logger, Metrics } from "@booking-rush/lib/observability";
import { createGatewayClient } from "./gateway/gateway-client";
import { createMoneyMetrics } from "./payment-metrics";
import { createPaymentPublisher } from "./payment-publisher";
import type { PaymentStore } from "./payments";
import { paymentRoutes } from "./routes";
import type { PaymentConfig } from "./settings";

export interface PaymentServiceConfig {
  redis: RedisConfig;
  postgres: PostgresConfig;
  kafka: KafkaConfig;
  auth: AuthConfig;
  /** The gateway, for refunds the customer asks for (charges run in the worker). */
  payment: Pick<PaymentConfig, "gatewayUrl" | "retry">;
}

/** `metrics`: where the refunds customers ask for are counted (payment_refunds_minor_units_total); none in tests that do not look. */
export function createPaymentService(config: PaymentServiceConfig, logger: Logger, metrics?: Metrics) {
  const redis = createRedis(config.redis, logger, "payment");
  const postgres = createPostgres(config.postgres, logger);
  const kafka = createKafka(config.kafka, logger, "payment");
  const publisher = createPaymentPublisher(kafka, config.kafka.topics);
  const gateway = createGatewayClient(config.payment.gatewayUrl, config.payment.retry);
  const store: PaymentStore = { db: postgres.db, redis, publisher, gateway, money: metrics ? createMoneyMetrics(metrics) : undefined };
  return {
    store,
    kafka,
    postgres,
    routes: paymentRoutes(store, createAccessControl(config.auth, { redis, db: postgres.db, logger })),
    close: async () => {
      await publisher.close();
      await closeRedis(redis);
      await postgres.close();
    },
  };
}
