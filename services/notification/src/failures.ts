/**
 * Why an event was not e-mailed, and what happens next:
 * - `permanent`: the same event will never work (not JSON, wrong shape, unknown user, a zone that
 *   does not exist, SMTP refused it for good) → the dead-letter topic at once;
 * - `retryable`: may work later (SMTP unreachable, the booking not yet projected into PostgreSQL)
 *   → retried with back-off for NOTIFICATION_SEND_ATTEMPTS attempts, then dead-lettered.
 * Anything else (PostgreSQL or Kafka down) is retried until it works or the worker stops: the
 * event is not at fault, and dead-lettering everything during an outage would lose nothing but
 * leave every e-mail to a manual replay.
 */
export const failureReasons = [
  "not_json",
  "invalid_event",
  "unknown_user",
  "unknown_booking",
  "unknown_catalog",
  "template",
  "smtp_rejected",
  "smtp_unavailable",
  "retries_exhausted",
  "infrastructure",
] as const;
export type FailureReason = (typeof failureReasons)[number];

export class NotificationFailure extends Error {
  override name = "NotificationFailure";
  constructor(
    readonly kind: "permanent" | "retryable",
    readonly reason: FailureReason,
    message: string,
  ) {
    super(message);
  }
}

export const permanent = (reason: FailureReason, message: string) => new NotificationFailure("permanent", reason, message);
export const retryable = (reason: FailureReason, message: string) => new NotificationFailure("retryable", reason, message);
