import { ConfigError, settingsGroup } from "@booking-rush/lib/config";
import { Type } from "@sinclair/typebox";

const validTimeZone = (zone: string) => {
  try {
    new Intl.DateTimeFormat("en-GB", { timeZone: zone });
    return true;
  } catch {
    return false;
  }
};

export const notificationSettings = settingsGroup(
  {
    NOTIFICATION_GROUP_ID: Type.String({
      minLength: 1,
      default: "notification",
      description: "Kafka consumer group of the notification worker",
    }),
    NOTIFICATION_SEND_ATTEMPTS: Type.Integer({
      minimum: 1,
      maximum: 100,
      default: 8,
      description: "SMTP attempts per e-mail before it goes to the dead-letter topic",
    }),
    NOTIFICATION_RETRY_BASE_MS: Type.Integer({
      minimum: 10,
      maximum: 600_000,
      default: 1_000,
      description: "Back-off after the first failed attempt; doubles with each further one (with jitter)",
    }),
    NOTIFICATION_RETRY_MAX_MS: Type.Integer({
      minimum: 10,
      maximum: 3_600_000,
      default: 60_000,
      description: "Longest back-off between two attempts",
    }),
    NOTIFICATION_DEAD_LETTER_TOPIC: Type.String({
      minLength: 1,
      default: "notification.dead-letter",
      description: "Where events that cannot be e-mailed go, with the reason",
    }),
    NOTIFICATION_CONCURRENCY: Type.Integer({
      minimum: 1,
      maximum: 100,
      default: 4,
      description: "Partitions worked on at once (each holds a PostgreSQL connection while its e-mail is sent)",
    }),
    NOTIFICATION_TIME_ZONE: Type.String({ minLength: 1, default: "UTC", description: "IANA time zone the e-mails show times in" }),
    PUBLIC_WEB_URL: Type.String({
      pattern: "^https?://[^\\s?#]+$",
      maxLength: 2_000,
      default: "http://127.0.0.1:3000",
      description: "Base URL of the buyers' web app; the promotion e-mail links to its page /bookings/:id/pay",
    }),
  },
  (values) => {
    if (!validTimeZone(values.NOTIFICATION_TIME_ZONE))
      throw new ConfigError([`NOTIFICATION_TIME_ZONE must be an IANA time zone (got ${JSON.stringify(values.NOTIFICATION_TIME_ZONE)})`]);
    return {
      groupId: values.NOTIFICATION_GROUP_ID,
      sendAttempts: values.NOTIFICATION_SEND_ATTEMPTS,
      retryBaseMs: values.NOTIFICATION_RETRY_BASE_MS,
      retryMaxMs: Math.max(values.NOTIFICATION_RETRY_MAX_MS, values.NOTIFICATION_RETRY_BASE_MS),
      deadLetterTopic: values.NOTIFICATION_DEAD_LETTER_TOPIC,
      concurrency: values.NOTIFICATION_CONCURRENCY,
      timeZone: values.NOTIFICATION_TIME_ZONE,
      // Without a trailing slash, so every link is `${publicWebUrl}/path`.
      publicWebUrl: values.PUBLIC_WEB_URL.replace(/\/+$/, ""),
    };
  },
);

export type NotificationConfig = ReturnType<typeof notificationSettings.shape>;
