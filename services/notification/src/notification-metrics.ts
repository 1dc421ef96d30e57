import { labelledCounter, type Metrics, resultCounter } from "@booking-rush/lib/observability";
import { failureReasons } from "./failures";
import { templateNames } from "./templates";

/** Every result of an event, each at 0 from the start (the dead-letter ratio alert divides by them). */
export const notificationResults = ["sent", "duplicate", "dead_lettered"] as const;

export function createNotificationMetrics(metrics: Metrics) {
  const events = resultCounter(metrics, {
    name: "notification_events_total",
    help: "Events handled, by result: sent, duplicate (e-mailed before, redelivered), dead_lettered",
    results: notificationResults,
  });
  return {
    sent: labelledCounter(metrics, {
      name: "notifications_sent_total",
      help: "E-mails the SMTP server accepted, by template",
      label: "template",
      values: templateNames,
    }),
    failures: labelledCounter(metrics, {
      name: "notification_failures_total",
      help: "Failed attempts (smtp_unavailable, infrastructure) and dead-lettered events by cause (not_json, invalid_event, unknown_user, unknown_booking, unknown_catalog, template, smtp_rejected, retries_exhausted)",
      label: "reason",
      values: failureReasons,
    }),
    events,
  };
}

export type NotificationMetrics = ReturnType<typeof createNotificationMetrics>;
