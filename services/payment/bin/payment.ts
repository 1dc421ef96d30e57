/** The payment HTTP service: POST /payments, GET /payments/:id, POST /payments/:id/refund. The charging runs in worker.ts. */
import { pingKafka, pingPostgres, pingRedis } from "@booking-rush/lib/clients";
import { authSettings, kafkaSettings, postgresSettings, redisSettings, serviceSettings, telemetrySettings } from "@booking-rush/lib/config";
import { runProcess } from "@booking-rush/lib/process";
import { createPaymentService } from "../src/app";
import { paymentSettings } from "../src/settings";

const groups = {
  service: serviceSettings({ name: "payment", port: 3004 }),
  redis: redisSettings,
  postgres: postgresSettings,
  kafka: kafkaSettings,
  auth: authSettings,
  payment: paymentSettings,
  telemetry: telemetrySettings,
};

runProcess(groups, (config, logger, metrics) => {
  const payment = createPaymentService(config, logger, metrics);
  return {
    plugins: [payment.routes],
    checks: { redis: pingRedis(payment.store.redis), postgres: pingPostgres(payment.postgres), kafka: pingKafka(payment.kafka) },
    clients: [{ name: "payment clients", run: () => payment.close() }],
  };
});
