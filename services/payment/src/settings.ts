import { settingsGroup } from "@booking-rush/lib/config";
import { Type } from "@sinclair/typebox";

export const paymentSettings = settingsGroup(
  {
    PAYMENT_GATEWAY_URL: Type.String({
      pattern: "^https?://",
      default: "http://127.0.0.1:3099",
      description: "Base URL of the payment gateway (locally the mock: bun run services/payment/bin/mock-gateway.ts)",
    }),
    PAYMENT_GATEWAY_ATTEMPTS: Type.Integer({
      minimum: 1,
      maximum: 20,
      default: 5,
      description: "Attempts per charge or refund, the first included",
    }),
    PAYMENT_GATEWAY_BASE_DELAY_MS: Type.Integer({
      minimum: 1,
      maximum: 60_000,
      default: 200,
      description: "Back-off before the first retry; doubles per retry, with full jitter",
    }),
    PAYMENT_GATEWAY_MAX_DELAY_MS: Type.Integer({
      minimum: 1,
      maximum: 300_000,
      default: 5_000,
      description: "Longest back-off between two attempts",
    }),
    PAYMENT_GATEWAY_TIMEOUT_MS: Type.Integer({
      minimum: 10,
      maximum: 120_000,
      default: 5_000,
      description: "How long one attempt waits for the gateway's answer",
    }),
    PAYMENT_GROUP_ID: Type.String({ minLength: 1, default: "payment", description: "Kafka consumer group of the payment worker" }),
    PAYMENT_DEAD_LETTER_TOPIC: Type.String({
      minLength: 1,
      default: "payment.dead-letter",
      description: "Where payment messages that can never be handled go, with the reason",
    }),
  },
  (values) => ({
    gatewayUrl: values.PAYMENT_GATEWAY_URL,
    retry: {
      attempts: values.PAYMENT_GATEWAY_ATTEMPTS,
      baseDelayMs: values.PAYMENT_GATEWAY_BASE_DELAY_MS,
      maxDelayMs: values.PAYMENT_GATEWAY_MAX_DELAY_MS,
      attemptTimeoutMs: values.PAYMENT_GATEWAY_TIMEOUT_MS,
    },
    groupId: values.PAYMENT_GROUP_ID,
    deadLetterTopic: values.PAYMENT_DEAD_LETTER_TOPIC,
  }),
);

export type PaymentConfig = ReturnType<typeof paymentSettings.shape>;
