/**
 * Paying for a hold: POST /payments records a pending payment for the caller's live booking and
 * asks the worker to charge it (payment.requested); GET shows where it is.
 *
 * Never twice: one payment per booking that has not failed (`payments_booking_id_active_key`), and
 * the same Idempotency-Key of the same user names the same payment. The booking's PostgreSQL row is
 * written here from its Redis record when the projector has not caught up yet (an upsert that never
 * goes back in time, shared with the projector).
 */

import { bookings, events, type Payment, payments, type Refund, refunds } from "@booking-rush/db/schema";
import type { AuthenticatedUser } from "@booking-rush/lib/auth";
import type { Database, Redis } from "@booking-rush/lib/clients";
import { inScope, systemScope } from "@booking-rush/lib/data";
import { AppError, conflict, notFound } from "@booking-rush/lib/errors";
import { readBooking } from "@booking-rush/lib/inventory";
import { upsertBookingStates, zoneFacts } from "@booking-rush/projector/booking-rows";
import { and, eq, ne } from "drizzle-orm";
import type { GatewayClient } from "./gateway/gateway-client";
import type { MoneyMetrics } from "./payment-metrics";
import type { PaymentPublisher } from "./payment-publisher";

export interface PaymentStore {
  db: Database;
  redis: Redis;
  publisher: PaymentPublisher;
  gateway: GatewayClient;
  /** Counts the money of the refunds customers ask for (POST /payments/:id/refund). */
  money?: MoneyMetrics;
}

export type PaymentMethod = "card" | "bank_transfer" | "e_wallet";

export const refundView = (refund: Refund) => ({
  refund_id: refund.id,
  amount: refund.amount,
  percent: refund.percent,
  reason: refund.reason,
  status: refund.status,
  ...(refund.processedAt ? { processed_at: refund.processedAt.toISOString() } : {}),
});

/** The payment as its owner sees it; with its refund when one is under way or done. */
export function paymentView(payment: Payment, reservationId: string, refund?: Refund) {
  return {
    payment_id: payment.id,
    booking_id: reservationId,
    status: payment.status,
    amount: payment.amount,
    currency: payment.currency,
    method: payment.method,
    ...(payment.failureReason ? { failure_reason: payment.failureReason } : {}),
    created_at: payment.createdAt.toISOString(),
    updated_at: payment.updatedAt.toISOString(),
    ...(refund ? { refund: refundView(refund) } : {}),
  };
}

export type PaymentView = ReturnType<typeof paymentView>;

/** What the payment events carry about a payment. */
export const paymentEventData = (payment: Payment, reservationId: string) => ({
  payment_id: payment.id,
  booking_id: reservationId,
  user_id: payment.userId,
  amount: payment.amount,
  currency: payment.currency,
  status: payment.status,
  ...(payment.failureReason ? { failure_reason: payment.failureReason } : {}),
});

export interface PaymentRequest {
  user: AuthenticatedUser;
  bookingId: string;
  method: PaymentMethod;
  idempotencyKey: string;
  traceparent?: string;
}

const uniqueViolation = (error: unknown, constraint: string) => {
  const cause =
    (error as { cause?: { code?: string; constraint_name?: string } })?.cause ?? (error as { code?: string; constraint_name?: string });
  return cause?.code === "23505" && cause.constraint_name === constraint;
};

export async function createPayment(store: PaymentStore, request: PaymentRequest): Promise<{ created: boolean; payment: PaymentView }> {
  const booking = await readBooking(store.redis, request.bookingId);
  if (booking.user_id !== request.user.id) throw notFound("Booking");

  try {
    return await inScope(store.db, systemScope, async (tx) => {
      const [earlier] = await tx
        .select({ payment: payments, reservationId: bookings.reservationId })
        .from(payments)
        .innerJoin(bookings, eq(bookings.id, payments.bookingId))
        .where(and(eq(payments.userId, request.user.id), eq(payments.idempotencyKey, request.idempotencyKey)));
      if (earlier) {
        if (earlier.reservationId !== request.bookingId || earlier.payment.method !== request.method) {
          throw new AppError("IDEMPOTENCY_KEY_REUSED", "This Idempotency-Key was used with a different request");
        }
        return { created: false, payment: paymentView(earlier.payment, earlier.reservationId) };
      }
      if (booking.status === "expired" || (booking.status === "reserved" && booking.expires_at_ms <= Date.now())) {
        throw new AppError("RESERVATION_EXPIRED", "The hold expired before it was paid", {
          expires_at: new Date(booking.expires_at_ms).toISOString(),
        });
      }
      if (booking.status !== "reserved") throw conflict("Only a live hold can be paid", { status: booking.status });
      // Key-share: many payments of one sale lock the event row together; an event cancellation's
      // refund pass (paidBookingsOfEvent) waits for them, and they see its cancellation.
      const [event] = await tx.select({ status: events.status }).from(events).where(eq(events.id, booking.event_id)).for("key share");
      if (event?.status === "cancelled") throw new AppError("BOOKING_NOT_OPEN", "The event was cancelled", { event_id: booking.event_id });

      const facts = await zoneFacts(tx, [booking.zone_id]);
      const zone = facts.get(booking.zone_id);
      if (!zone) throw notFound("Zone");
      const rowIds = await upsertBookingStates(tx, [booking], facts);
      const [payment] = await tx
        .insert(payments)
        .values({
          bookingId: rowIds.get(booking.booking_id)!,
          userId: request.user.id,
          idempotencyKey: request.idempotencyKey,
          amount: zone.price * booking.quantity,
          currency: zone.currency,
          method: request.method,
          status: "pending",
        })
        .returning();
      await store.publisher.publish(
        "payment.requested",
        paymentEventData(payment!, booking.booking_id),
        booking.event_id,
        request.traceparent,
      );
      return { created: true, payment: paymentView(payment!, booking.booking_id) };
    });
  } catch (error) {
    if (uniqueViolation(error, "payments_booking_id_active_key")) throw conflict("This booking is already paid or being paid");
    throw error;
  }
}

export async function getPayment(store: PaymentStore, user: AuthenticatedUser, paymentId: string): Promise<PaymentView> {
  const [row] = await inScope(store.db, systemScope, (tx) =>
    tx
      .select({ payment: payments, reservationId: bookings.reservationId, tenantId: bookings.tenantId, refund: refunds })
      .from(payments)
      .innerJoin(bookings, eq(bookings.id, payments.bookingId))
      .leftJoin(refunds, and(eq(refunds.paymentId, payments.id), ne(refunds.status, "failed")))
      .where(eq(payments.id, paymentId)),
  );
  // The payer, or an admin of the event's tenant.
  const allowed = row && (row.payment.userId === user.id || (user.role === "admin" && user.tenant_id === row.tenantId));
  if (!row || !allowed) throw notFound("Payment");
  return paymentView(row.payment, row.reservationId, row.refund ?? undefined);
}
