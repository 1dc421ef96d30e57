/**
 * The contract of the payment topics (`payment.requested`, `payment.succeeded`, `payment.failed`,
 * `payment.refunded`): what the payment service writes and the saga, the projector and the
 * notification worker read.
 *
 * Each message is lib's EventMessage (`{ event_id, type, occurred_at, data }`, no `seq`: payments
 * are not zone inventory), keyed by the concert event's id like every other topic, with `event_id`
 * (and `traceparent` when known) in the headers as well. `event_id` names the fact, so a re-send
 * of the same fact carries the same id: `paymentEventId(type, payment_id)`.
 *
 * `data` is the payment after the change. Amounts are integers in minor units of `currency`
 * (drizzle/schema/columns.ts `money`). Per type:
 * - `payment.requested`: status `pending`;
 * - `payment.succeeded`: status `succeeded`;
 * - `payment.failed`: status `failed` and a `failure_reason` fit to show the customer;
 * - `payment.refunded`: status `refunded` and `refund` (`amount` = floor(payment amount × percent /
 *   100), the rule and reason of API.md's refund rules).
 */
import { Type } from "@sinclair/typebox";
import { Value } from "@sinclair/typebox/value";
import { type EventMessage, paymentTopics } from "../topics";
import { checkedMessage, firstSchemaError, registerEventFormats } from "./formats";

registerEventFormats();

export type PaymentTopic = (typeof paymentTopics)[number];

const uuid = Type.String({ format: "uuid" });
const minorUnits = Type.Integer({ minimum: 0, maximum: 2_147_483_647 });

export const paymentStatuses = ["pending", "processing", "succeeded", "failed", "refunded"] as const;
export const refundReasons = ["customer_request", "event_cancelled", "reservation_expired", "compensation"] as const;

export const refundSchema = Type.Object({
  /** Minor units of the payment's currency; at most the payment's amount. */
  amount: minorUnits,
  /** 100, 50 or 0 by the refund rules. */
  percent: Type.Integer({ minimum: 0, maximum: 100 }),
  reason: Type.Union(refundReasons.map((reason) => Type.Literal(reason))),
});

export const paymentEventDataSchema = Type.Object({
  payment_id: uuid,
  /** The reservation id (Redis `booking_id`, PostgreSQL `bookings.reservation_id`). */
  booking_id: uuid,
  user_id: uuid,
  amount: minorUnits,
  /** ISO 4217, the event's currency. */
  currency: Type.String({ pattern: "^[A-Z]{3}$" }),
  status: Type.Union(paymentStatuses.map((status) => Type.Literal(status))),
  failure_reason: Type.Optional(Type.String({ minLength: 1, maxLength: 500 })),
  refund: Type.Optional(refundSchema),
});

export const paymentMessageSchema = Type.Object({
  event_id: Type.String({ minLength: 1 }),
  type: Type.Union(paymentTopics.map((topic) => Type.Literal(topic))),
  occurred_at: Type.String(),
  data: paymentEventDataSchema,
});

export type PaymentEventData = typeof paymentEventDataSchema.static;
export type RefundData = typeof refundSchema.static;

export interface PaymentEvent {
  eventId: string;
  type: PaymentTopic;
  occurredAt: string;
  payment: PaymentEventData;
}

const statusOfType: Record<PaymentTopic, PaymentEventData["status"]> = {
  "payment.requested": "pending",
  "payment.succeeded": "succeeded",
  "payment.failed": "failed",
  "payment.refunded": "refunded",
};

/** The id of one payment fact: the same for every re-send of it. */
export const paymentEventId = (type: PaymentTopic, paymentId: string) => `${type}:${paymentId}`;

/** Why `data` breaks a rule of its type, or undefined when it follows them. */
function violatedRule(type: PaymentTopic, data: PaymentEventData): string | undefined {
  if (data.status !== statusOfType[type]) return `${type} needs status ${statusOfType[type]}, not ${data.status}`;
  if (type === "payment.failed" && !data.failure_reason) return "payment.failed needs a failure_reason";
  if (type === "payment.refunded") {
    if (!data.refund) return "payment.refunded needs a refund";
    if (data.refund.amount > data.amount) return "refund amount exceeds the payment amount";
  }
  return undefined;
}

/** The message a producer writes for a payment fact (checked against the contract). */
export function paymentEventMessage(
  type: PaymentTopic,
  data: PaymentEventData,
  occurredAt: Date = new Date(),
): EventMessage<PaymentEventData> {
  const broken = Value.Check(paymentEventDataSchema, data)
    ? violatedRule(type, data)
    : firstSchemaError(Value.Errors(paymentEventDataSchema, data));
  if (broken) throw new Error(`not a valid ${type} event: ${broken}`);
  return { event_id: paymentEventId(type, data.payment_id), type, occurred_at: occurredAt.toISOString(), data };
}

/** The event, or why it can never be handled. */
export function parsePaymentEvent(value: Buffer | string | null): { event: PaymentEvent } | { reason: string } {
  const checked = checkedMessage(paymentMessageSchema, value, "a payment event");
  if ("reason" in checked) return checked;
  const { body } = checked;
  const broken = violatedRule(body.type, body.data);
  if (broken) return { reason: `not a payment event: ${broken}` };
  return { event: { eventId: body.event_id, type: body.type, occurredAt: body.occurred_at, payment: body.data } };
}
