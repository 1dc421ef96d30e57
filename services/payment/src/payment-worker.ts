/**
 * The payment worker: charges requested payments (payment.requested) and gives the money back in
 * full when a paid hold expired before the saga could confirm it (booking.expired). One message at
 * a time per partition, at least once; both handlers make a redelivery harmless.
 */
import { createEventConsumer, type Database, type Kafka, type KafkaConfig, type Logger, parseBookingEvent, parsePaymentEvent } from "@booking-rush/lib";
import { chargePayment } from "./charge";
import { refundBooking } from "./refund";
import type { GatewayClient } from "./gateway/gateway-client";
import type { PaymentPublisher } from "./payment-publisher";
import type { PaymentMetrics } from "./payment-metrics";
import type { PaymentConfig } from "./settings";

export interface PaymentWorkerDependencies {
  kafka: Kafka;
  db: Database;
  gateway: GatewayClient;
  publisher: PaymentPublisher;
  logger: Logger;
  metrics: PaymentMetrics;
}

export function createPaymentWorker(dependencies: PaymentWorkerDependencies, config: PaymentConfig & { topics: KafkaConfig["topics"] }) {
  const { metrics } = dependencies;
  return createEventConsumer({
    kafka: dependencies.kafka,
    groupId: config.groupId,
    topics: ["payment.requested", "booking.expired"],
    topicSettings: config.topics,
    deadLetterTopic: config.deadLetterTopic,
    logger: dependencies.logger,
    onFailure: () => metrics.workerFailures.inc(),
    async handle(message) {
      if (message.topic === "booking.expired") {
        const expired = parseBookingEvent(message.value);
        if ("reason" in expired) return { deadLetter: expired.reason };
        const refunded = await refundBooking(dependencies, expired.event.booking.booking_id, { percent: 100, reason: "reservation_expired" }, message.traceparent);
        metrics.outcomes.inc({ result: refunded });
        return;
      }
      const parsed = parsePaymentEvent(message.value);
      if ("reason" in parsed) return { deadLetter: parsed.reason };
      const result = await chargePayment(dependencies, parsed.event.payment.payment_id, message.traceparent);
      metrics.outcomes.inc({ result });
    },
  });
}
