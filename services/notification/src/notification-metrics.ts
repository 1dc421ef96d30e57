import { Counter, type Metrics, resultCounter } from "@booking-rush/lib";

/** Every result of an event, each at 0 from the start (the dead-letter ratio alert divides by them). */
export const notificationResults = ["sent", "duplicate", "dead_lettered"] as const;

export function createNotificationMetrics(metrics: Metrics) {
  const registers = [metrics.registry];
  const events = resultCounter(metrics, {
    name: "notification_events_total",
    help: "Events handled, by result: sent, duplicate (e-mailed before, redelivered), dead_lettered",
    results: notificationResults,
  });
  return {
    sent: new Counter({ name: "notifications_sent_total", help: "E-mails the SMTP server accepted, by template", labelNames: ["template"], registers }),
    failures: new Counter({
      name: "notification_failures_total",
      help: "Failed attempts (smtp_unavailable, infrastructure) and dead-lettered events by cause (not_json, invalid_event, unknown_user, unknown_booking, unknown_catalog, template, smtp_rejected, retries_exhausted)",
      labelNames: ["reason"],
      registers,
    }),
    events,
  };
}

export type NotificationMetrics = ReturnType<typeof createNotificationMetrics>;
