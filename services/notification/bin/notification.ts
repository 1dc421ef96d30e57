/**
 * The notification worker: booking and payment events from Kafka → e-mails (confirmation with the
 * e-ticket, reservation expired, payment failed, refund processed). Scales out as a consumer group;
 * serves /healthz, /readyz (PostgreSQL and Kafka) and /metrics like every process. SMTP is not a
 * readiness check: while it is away the worker retries each e-mail with back-off (then dead-letters
 * it); taking the worker out of service would not bring the server back.
 */
import { createKafka, createMailer, createPostgres, pingKafka, pingPostgres, registerConsumerLag } from "@booking-rush/lib/clients";
import { kafkaSettings, postgresSettings, serviceSettings, smtpSettings, telemetrySettings } from "@booking-rush/lib/config";
import { runProcess } from "@booking-rush/lib/process";
import { createNotificationMetrics } from "../src/notification-metrics";
import { createNotifier, notificationTopics } from "../src/notifier";
import { notificationSettings } from "../src/settings";
import { loadTemplates } from "../src/templates";

const groups = {
  service: serviceSettings({ name: "notification", port: 3051 }),
  postgres: postgresSettings,
  kafka: kafkaSettings,
  smtp: smtpSettings,
  notification: notificationSettings,
  telemetry: telemetrySettings,
};

runProcess(groups, (config, logger, metrics) => {
  const templates = loadTemplates();
  const postgres = createPostgres(config.postgres, logger);
  const kafka = createKafka(config.kafka, logger, "notification");
  const mailer = createMailer(config.smtp);
  const notifier = createNotifier(
    { kafka, db: postgres.db, mailer, templates, logger, metrics: createNotificationMetrics(metrics) },
    { ...config.notification, topics: config.kafka.topics },
  );
  registerConsumerLag(metrics, kafka, config.notification.groupId, notificationTopics);
  return {
    checks: { postgres: pingPostgres(postgres), kafka: pingKafka(kafka) },
    consumer: { name: "notification", ...notifier },
    clients: [
      { name: "postgres", run: () => postgres.close() },
      { name: "smtp", run: async () => mailer.close() },
    ],
  };
});
