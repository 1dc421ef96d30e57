import { bookingRecordVariables, secret, settingsGroup } from "@booking-rush/lib/config";
import { Type } from "@sinclair/typebox";

export const bookingSettings = settingsGroup(
  {
    RESERVE_RATE_PER_MINUTE: Type.Number({
      exclusiveMinimum: 0,
      default: 20,
      description: "Token-bucket refill of reserve attempts per user and event",
    }),
    RESERVE_RATE_BURST: Type.Integer({ minimum: 1, default: 10, description: "Token-bucket size of reserve attempts per user and event" }),
    IDEMPOTENCY_TTL_SECONDS: Type.Integer({ minimum: 60, default: 86_400, description: "How long an Idempotency-Key's result is kept" }),
    // RESERVATION_HOLD_SECONDS and BOOKING_RECORD_TTL_SECONDS: shared with the reconciler's restore
    ...bookingRecordVariables,
    REDIS_WRITE_CONNECTIONS: Type.Integer({
      minimum: 1,
      maximum: 64,
      default: 4,
      description: "Connections for writes; each sends scripts and one WAIT for all of them (group commit)",
    }),
    REDIS_WAIT_TIMEOUT_MS: Type.Integer({
      minimum: 1,
      default: 500,
      description: "WAIT <n> <ms>: how long a write waits for the replicas that are up before the request gets 503",
    }),
  },
  (values) => ({
    holdMs: values.RESERVATION_HOLD_SECONDS * 1000,
    ratePerMinute: values.RESERVE_RATE_PER_MINUTE,
    rateBurst: values.RESERVE_RATE_BURST,
    idempotencyTtlSeconds: values.IDEMPOTENCY_TTL_SECONDS,
    recordTtlSeconds: values.BOOKING_RECORD_TTL_SECONDS,
    writeConnections: values.REDIS_WRITE_CONNECTIONS,
    waitTimeoutMs: values.REDIS_WAIT_TIMEOUT_MS,
  }),
);

export type BookingConfig = ReturnType<typeof bookingSettings.shape>;

export const expirySweeperSettings = settingsGroup(
  {
    EXPIRY_SWEEP_INTERVAL_MS: Type.Integer({
      minimum: 50,
      maximum: 60_000,
      default: 1_000,
      description: "How often the expiry sweeper looks for holds whose time is up",
    }),
    EXPIRY_BATCH_SIZE: Type.Integer({
      minimum: 1,
      maximum: 10_000,
      default: 200,
      description: "Holds one expire.lua call closes at most (bounds how long Redis is busy per call)",
    }),
  },
  (values) => ({ intervalMs: values.EXPIRY_SWEEP_INTERVAL_MS, batchSize: values.EXPIRY_BATCH_SIZE }),
);

export const outboxRelaySettings = settingsGroup(
  {
    OUTBOX_CONSUMER_NAME: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 200,
        description: "This relay's consumer name in the outbox group; defaults to host name and pid",
      }),
    ),
    OUTBOX_BATCH_SIZE: Type.Integer({
      minimum: 1,
      maximum: 10_000,
      default: 500,
      description: "Outbox entries read and sent to Kafka at once per event",
    }),
    OUTBOX_POLL_INTERVAL_MS: Type.Integer({
      minimum: 10,
      maximum: 10_000,
      default: 50,
      description: "Pause between passes while every outbox is empty",
    }),
    OUTBOX_LEASE_MS: Type.Integer({
      minimum: 1_000,
      maximum: 300_000,
      default: 15_000,
      description: "Lease that makes one relay the only sender of an event; a dead relay's events move on after it",
    }),
    OUTBOX_CLAIM_IDLE_MS: Type.Integer({
      minimum: 100,
      maximum: 3_600_000,
      default: 30_000,
      description: "Entries read but unacknowledged this long by another relay are claimed (XAUTOCLAIM) and sent again",
    }),
  },
  (values) => ({
    consumerName: values.OUTBOX_CONSUMER_NAME,
    batchSize: values.OUTBOX_BATCH_SIZE,
    pollIntervalMs: values.OUTBOX_POLL_INTERVAL_MS,
    leaseMs: values.OUTBOX_LEASE_MS,
    claimIdleMs: values.OUTBOX_CLAIM_IDLE_MS,
  }),
);

export type ExpirySweeperConfig = ReturnType<typeof expirySweeperSettings.shape>;
export type OutboxRelayConfig = ReturnType<typeof outboxRelaySettings.shape>;

export const paymentSagaSettings = settingsGroup(
  {
    PAYMENT_SAGA_GROUP_ID: Type.String({
      minLength: 1,
      default: "booking-payment-saga",
      description: "Kafka consumer group of the booking side of the payment saga",
    }),
    PAYMENT_SAGA_DEAD_LETTER_TOPIC: Type.String({
      minLength: 1,
      default: "booking.saga.dead-letter",
      description: "Where payment messages the saga can never handle go, with the reason",
    }),
  },
  (values) => ({ groupId: values.PAYMENT_SAGA_GROUP_ID, deadLetterTopic: values.PAYMENT_SAGA_DEAD_LETTER_TOPIC }),
);

/** The waiting room's side in the booking API: its passes and its live stream. */
export const queueSettings = settingsGroup(
  {
    QUEUE_PASS_SECRET: secret(
      Type.String({
        minLength: 32,
        description: "HS256 signing key of queue passes (X-Queue-Pass), at least 32 characters; not the access tokens' JWT_SECRET",
      }),
    ),
    QUEUE_STREAM_INTERVAL_MS: Type.Integer({
      minimum: 100,
      maximum: 60_000,
      default: 1_000,
      description:
        "How often a /queue/stream connection reads a place near the front again (one far back: as its poll hint says, at most every 10 s); it sends only changes",
    }),
    QUEUE_STREAM_MAX_SECONDS: Type.Integer({
      minimum: 10,
      maximum: 3_600,
      default: 600,
      description: "A /queue/stream connection ends after this long; the client connects again",
    }),
  },
  (values) => ({
    passSecret: values.QUEUE_PASS_SECRET,
    streamIntervalMs: values.QUEUE_STREAM_INTERVAL_MS,
    streamMaxMs: values.QUEUE_STREAM_MAX_SECONDS * 1000,
  }),
);

export type QueueConfig = ReturnType<typeof queueSettings.shape>;

/** GET /admin/sales/stream: the organizer's live sales screen. */
export const salesSettings = settingsGroup(
  {
    SALES_STREAM_INTERVAL_MS: Type.Integer({
      minimum: 500,
      maximum: 60_000,
      default: 2_000,
      description: "How often a /admin/sales/stream connection reads the event's sales figures again and sends them",
    }),
    SALES_STREAM_MAX_SECONDS: Type.Integer({
      minimum: 10,
      maximum: 3_600,
      default: 600,
      description: "A /admin/sales/stream connection ends after this long; the screen connects again",
    }),
  },
  (values) => ({ streamIntervalMs: values.SALES_STREAM_INTERVAL_MS, streamMaxMs: values.SALES_STREAM_MAX_SECONDS * 1000 }),
);

export type SalesConfig = ReturnType<typeof salesSettings.shape>;

/** The queue-admitter worker: one admission step per event with the waiting room on, per interval. */
export const queueAdmitterSettings = settingsGroup(
  {
    QUEUE_ADMIT_INTERVAL_MS: Type.Integer({
      minimum: 50,
      maximum: 60_000,
      default: 1_000,
      description: "How often the admitter admits the next buyers of each waiting room (at most one interval's worth of the rate at once)",
    }),
    QUEUE_ADMIT_BATCH_MAX: Type.Integer({
      minimum: 1,
      maximum: 10_000,
      default: 500,
      description: "Buyers one queue-admit.lua call admits at most (bounds how long Redis is busy per call)",
    }),
  },
  (values) => ({ intervalMs: values.QUEUE_ADMIT_INTERVAL_MS, batchMax: values.QUEUE_ADMIT_BATCH_MAX }),
);

export type QueueAdmitterConfig = ReturnType<typeof queueAdmitterSettings.shape>;
