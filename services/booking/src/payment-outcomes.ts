/**
 * The booking side of the payment saga: a succeeded payment confirms its hold (reserved → sold); a
 * failed one gives the seats back at once; a refunded one cancels the booking (sold or held seats
 * back on sale) unless it is closed already. All act as the system (no user check) through the
 * same scripts as the API, and all are idempotent: confirming again with the same payment, or
 * closing a booking already closed, changes nothing. A payment that succeeded after its hold
 * expired is answered RESERVATION_EXPIRED by confirm; the payment service refunds it
 * (booking.expired, or the booking it finds closed).
 */
import { createEventConsumer, type Kafka } from "@booking-rush/lib/clients";
import type { KafkaConfig } from "@booking-rush/lib/config";
import { type PaymentEvent, parsePaymentEvent } from "@booking-rush/lib/contracts";
import { AppError } from "@booking-rush/lib/errors";
import type { Logger } from "@booking-rush/lib/observability";
import { type BookingStore, cancelBooking, confirmBooking } from "./reservations";

/** Every result of applying a payment outcome (booking_saga_results_total starts each at 0). */
export const sagaResults = ["confirmed", "released", "expired", "already_closed", "ignored"] as const;
export type SagaResult = (typeof sagaResults)[number];

export const paymentSagaTopics = ["payment.succeeded", "payment.failed", "payment.refunded"] as const;

export async function applyPaymentOutcome(store: BookingStore, event: PaymentEvent, traceparent?: string): Promise<SagaResult> {
  const { payment } = event;
  try {
    if (event.type === "payment.succeeded") {
      await confirmBooking(store, { bookingId: payment.booking_id, userId: "", paymentId: payment.payment_id, traceparent });
      return "confirmed";
    }
    if (event.type === "payment.failed" || event.type === "payment.refunded") {
      await cancelBooking(store, { bookingId: payment.booking_id, userId: "", traceparent });
      return "released";
    }
    return "ignored";
  } catch (error) {
    if (!(error instanceof AppError)) throw error; // Redis down: retried
    if (error.code === "RESERVATION_EXPIRED") return "expired";
    // Closed already (cancelled, expired, confirmed by a redelivery) or its record is gone: nothing to do.
    if (error.code === "CONFLICT" || error.code === "NOT_FOUND") return "already_closed";
    throw error;
  }
}

export function createPaymentSaga(
  dependencies: {
    store: BookingStore;
    kafka: Kafka;
    logger: Logger;
    onResult?: (result: SagaResult) => void;
    onFailure?: (error: unknown) => void;
  },
  config: { groupId: string; deadLetterTopic: string; topics: KafkaConfig["topics"] },
) {
  return createEventConsumer({
    kafka: dependencies.kafka,
    groupId: config.groupId,
    topics: paymentSagaTopics,
    topicSettings: config.topics,
    deadLetterTopic: config.deadLetterTopic,
    logger: dependencies.logger,
    onFailure: dependencies.onFailure,
    async handle(message) {
      const parsed = parsePaymentEvent(message.value);
      if ("reason" in parsed) return { deadLetter: parsed.reason };
      dependencies.onResult?.(await applyPaymentOutcome(dependencies.store, parsed.event, message.traceparent));
    },
  });
}
