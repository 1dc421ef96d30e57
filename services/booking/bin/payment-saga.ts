/**
 * The booking side of the payment saga as a worker: payment.succeeded confirms the hold,
 * payment.failed gives the seats back, payment.refunded cancels the booking. Serves /healthz, /readyz and /metrics like every process.
 */
import { createKafka, pingKafka, pingRedis, registerConsumerLag } from "@booking-rush/lib/clients";
import { authSettings, kafkaSettings, postgresSettings, redisSettings, serviceSettings, telemetrySettings } from "@booking-rush/lib/config";
import { runProcess } from "@booking-rush/lib/process";
import { createBookingService } from "../src/app";
import { createPaymentSaga, paymentSagaTopics } from "../src/payment-outcomes";
import { bookingSettings, paymentSagaSettings } from "../src/settings";
import { createSagaMetrics } from "../src/worker-metrics";

const groups = {
  service: serviceSettings({ name: "payment-saga", port: 3033 }),
  redis: redisSettings,
  postgres: postgresSettings,
  kafka: kafkaSettings,
  auth: authSettings,
  booking: bookingSettings,
  saga: paymentSagaSettings,
  telemetry: telemetrySettings,
};

runProcess(groups, (config, logger, metrics) => {
  const booking = createBookingService(config, logger, metrics);
  const kafka = createKafka(config.kafka, logger, "payment-saga");
  const sagaMetrics = createSagaMetrics(metrics);
  const saga = createPaymentSaga(
    {
      store: booking.store,
      kafka,
      logger,
      onResult: (result) => sagaMetrics.results.inc({ result }),
      onFailure: () => sagaMetrics.failures.inc(),
    },
    { ...config.saga, topics: config.kafka.topics },
  );
  registerConsumerLag(metrics, kafka, config.saga.groupId, paymentSagaTopics);
  return {
    checks: { redis: pingRedis(booking.store.redis), kafka: pingKafka(kafka) },
    consumer: { name: "payment saga", ...saga },
    clients: [{ name: "booking clients", run: () => booking.close() }],
  };
});
