import { Type } from "@sinclair/typebox";
import { settingsGroup } from "@booking-rush/lib";

export const bookingSettings = settingsGroup(
  {
    RESERVATION_HOLD_SECONDS: Type.Integer({ minimum: 1, maximum: 3600, default: 600, description: "How long a hold lasts before it expires" }),
    RESERVE_RATE_PER_MINUTE: Type.Number({ exclusiveMinimum: 0, default: 20, description: "Token-bucket refill of reserve attempts per user and event" }),
    RESERVE_RATE_BURST: Type.Integer({ minimum: 1, default: 10, description: "Token-bucket size of reserve attempts per user and event" }),
    IDEMPOTENCY_TTL_SECONDS: Type.Integer({ minimum: 60, default: 86_400, description: "How long an Idempotency-Key's result is kept" }),
    BOOKING_RECORD_TTL_SECONDS: Type.Integer({ minimum: 60, default: 604_800, description: "How long a closed booking stays readable in Redis" }),
    REDIS_WRITE_CONNECTIONS: Type.Integer({ minimum: 1, maximum: 64, default: 4, description: "Connections for writes; each write waits for a replica on its own" }),
    REDIS_WAIT_TIMEOUT_MS: Type.Integer({ minimum: 1, default: 500, description: "WAIT 1 <ms>: how long a write waits for a replica before the request gets 503" }),
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
