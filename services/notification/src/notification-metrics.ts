import { Counter, type Metrics } from "@booking-rush/lib";

export function createNotificationMetrics(metrics: Metrics) {
  const registers = [metrics.registry];
  return {
    sent: new Counter({ name: "notifications_sent_total", help: "E-mails the SMTP server accepted, by template", labelNames: ["template"], registers }),
    failures: new Counter({
      name: "notification_failures_total",
      help: "Failed attempts (smtp_unavailable, infrastructure) and dead-lettered events by cause (not_json, invalid_event, unknown_user, unknown_booking, unknown_catalog, template, smtp_rejected, retries_exhausted)",
      labelNames: ["reason"],
      registers,
    }),
    events: new Counter({
      name: "notification_events_total",
      help: "Events handled, by result: sent, duplicate (e-mailed before, redelivered), dead_lettered",
      labelNames: ["result"],
      registers,
    }),
  };
}

export type NotificationMetrics = ReturnType<typeof createNotificationMetrics>;
