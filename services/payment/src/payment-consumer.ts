/**
 * The payment worker: charges requested payments (payment.requested) and gives money back when a
 * paid booking ends without its show (booking.expired, booking.cancelled, event.cancelled). One
 * message at a time per partition, at least once; every handler makes a redelivery harmless.
 */
import { createEventConsumer, type Database, type Kafka } from "@booking-rush/lib/clients";
import type { KafkaConfig } from "@booking-rush/lib/config";
import {
  type BookingEvent,
  type EventCancelled,
  parseBookingEvent,
  parseEventCancelled,
  parsePaymentEvent,
} from "@booking-rush/lib/contracts";
import type { Logger } from "@booking-rush/lib/observability";
import { chargePayment } from "./charge";
import type { GatewayClient } from "./gateway/gateway-client";
import type { PaymentMetrics } from "./payment-metrics";
import type { PaymentPublisher } from "./payment-publisher";
import { paidBookingsOfEvent, type RefundDependencies, type RefundResult, refundBooking } from "./refund";
import { customerRefundRule } from "./refund-rules";
import type { PaymentConfig } from "./settings";

export interface PaymentWorkerDependencies {
  kafka: Kafka;
  db: Database;
  gateway: GatewayClient;
  publisher: PaymentPublisher;
  logger: Logger;
  metrics: PaymentMetrics;
}

export const paymentWorkerTopics = ["payment.requested", "booking.expired", "booking.cancelled", "event.cancelled"] as const;

/** How long a payment.requested whose payment row is not visible yet is retried before it is dead-lettered. */
const unknownPaymentGraceMs = 30_000;

/**
 * A booking that closed without its show. Expired after it was paid: in full. Cancelled before the
 * saga confirmed it: in full too (the customer never had the ticket). Cancelled once confirmed: by
 * the rules, at the moment of the cancellation rather than when this message is handled.
 */
export function refundClosedBooking(dependencies: RefundDependencies, event: BookingEvent, traceparent?: string): Promise<RefundResult> {
  const { booking } = event;
  if (event.type === "booking.expired")
    return refundBooking(dependencies, booking.booking_id, () => ({ percent: 100, reason: "reservation_expired" }), traceparent);
  if (booking.confirmed_at_ms === undefined)
    return refundBooking(dependencies, booking.booking_id, () => ({ percent: 100, reason: "compensation" }), traceparent);
  const at = new Date(booking.closed_at_ms ?? Date.now());
  return refundBooking(dependencies, booking.booking_id, (facts) => customerRefundRule({ ...facts, at }), traceparent);
}

/**
 * Every paid booking of a cancelled event, in full; each refund on its own, so a redelivery only
 * finishes what is left. A big event takes a while: the consumer's heartbeat is kept up between
 * refunds, or the group would hand the message to another member half way.
 */
export async function refundCancelledEvent(
  dependencies: RefundDependencies,
  cancelled: EventCancelled,
  traceparent?: string,
  heartbeat: () => Promise<void> = async () => {},
): Promise<RefundResult[]> {
  const results: RefundResult[] = [];
  for (const reservationId of await paidBookingsOfEvent(dependencies.db, cancelled.concertEventId)) {
    results.push(await refundBooking(dependencies, reservationId, () => ({ percent: 100, reason: "event_cancelled" }), traceparent));
    await heartbeat();
  }
  return results;
}

export function createPaymentWorker(worker: PaymentWorkerDependencies, config: PaymentConfig & { topics: KafkaConfig["topics"] }) {
  const { metrics } = worker;
  const dependencies = { ...worker, money: metrics.money };
  return createEventConsumer({
    kafka: dependencies.kafka,
    groupId: config.groupId,
    topics: paymentWorkerTopics,
    topicSettings: config.topics,
    deadLetterTopic: config.deadLetterTopic,
    logger: dependencies.logger,
    onFailure: () => metrics.workerFailures.inc(),
    async handle(message) {
      if (message.topic === "event.cancelled") {
        const parsed = parseEventCancelled(message.value);
        if ("reason" in parsed) return { deadLetter: parsed.reason };
        for (const result of await refundCancelledEvent(dependencies, parsed.event, message.traceparent, message.heartbeat))
          metrics.outcomes.inc({ result });
        return;
      }
      if (message.topic === "booking.expired" || message.topic === "booking.cancelled") {
        const parsed = parseBookingEvent(message.value);
        if ("reason" in parsed) return { deadLetter: parsed.reason };
        metrics.outcomes.inc({ result: await refundClosedBooking(dependencies, parsed.event, message.traceparent) });
        return;
      }
      const parsed = parsePaymentEvent(message.value);
      if ("reason" in parsed) return { deadLetter: parsed.reason };
      const result = await chargePayment(dependencies, parsed.event.payment.payment_id, message.traceparent);
      if (result === "unknown_payment") {
        // payment.requested is sent just before the transaction that records the payment commits:
        // a fast worker can get here first. Retried until the row is visible; a payment that never
        // appears (its transaction rolled back after the send) is dead-lettered.
        if (Date.now() - message.timestamp < unknownPaymentGraceMs)
          throw new Error(`payment ${parsed.event.payment.payment_id} is not visible yet`);
        metrics.outcomes.inc({ result });
        return { deadLetter: "no such payment: its transaction never committed" };
      }
      metrics.outcomes.inc({ result });
    },
  });
}
