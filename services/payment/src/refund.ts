/**
 * Refunding a succeeded payment: one refund per payment that has not failed
 * (`refunds_payment_id_active_key`), the gateway called with the refund's id as idempotency key,
 * then refund succeeded + payment refunded + payment.refunded in one transaction. A gateway failure
 * marks the refund failed and throws, so the message that asked for it is retried (a failed refund
 * makes room for a new attempt).
 *
 * Here: the money of a hold that expired before its payment could confirm it (booking.expired for
 * a booking whose payment succeeded) goes back in full.
 */
import { type Database, inScope, type RefundData, systemScope } from "@booking-rush/lib";
import { and, eq, ne } from "drizzle-orm";
import { bookings, payments, refunds } from "../../../drizzle/schema";
import type { GatewayClient } from "./gateway/gateway-client";
import type { PaymentPublisher } from "./payment-publisher";
import { paymentEventData } from "./payments";

export interface RefundDependencies {
  db: Database;
  gateway: GatewayClient;
  publisher: PaymentPublisher;
}

export type RefundResult = "refunded" | "nothing_to_refund";

export async function refundBooking(
  dependencies: RefundDependencies,
  reservationId: string,
  rule: { percent: number; reason: RefundData["reason"] },
  traceparent?: string,
): Promise<RefundResult> {
  const { db, gateway, publisher } = dependencies;
  const started = await inScope(db, systemScope, async (tx) => {
    const [row] = await tx
      .select({ payment: payments, booking: bookings })
      .from(payments)
      .innerJoin(bookings, eq(bookings.id, payments.bookingId))
      .where(and(eq(bookings.reservationId, reservationId), eq(payments.status, "succeeded")))
      .for("update", { of: payments });
    if (!row) return undefined;
    const [pending] = await tx
      .select()
      .from(refunds)
      .where(and(eq(refunds.paymentId, row.payment.id), ne(refunds.status, "failed")));
    const refund =
      pending ??
      (
        await tx
          .insert(refunds)
          .values({ paymentId: row.payment.id, amount: Math.floor((row.payment.amount * rule.percent) / 100), percent: rule.percent, reason: rule.reason, status: "processing" })
          .returning()
      )[0]!;
    return { payment: row.payment, booking: row.booking, refund };
  });
  if (!started) return "nothing_to_refund";

  const { payment, booking, refund } = started;
  const outcome =
    refund.amount === 0
      ? ({ status: "succeeded", reference: "", attempts: 0 } as const)
      : await gateway.refund(
          { idempotencyKey: refund.id, chargeId: payment.gatewayReference ?? "", amount: refund.amount, currency: payment.currency },
          new Date(Date.now() + 60_000),
        );

  return inScope(db, systemScope, async (tx) => {
    if (outcome.status !== "succeeded") {
      await tx.update(refunds).set({ status: "failed", failureReason: outcome.reason }).where(eq(refunds.id, refund.id));
      throw new Error(`refund of payment ${payment.id} failed at the gateway: ${outcome.reason}`);
    }
    const [current] = await tx.select().from(payments).where(eq(payments.id, payment.id)).for("update");
    // A redelivery racing this one finished it already (the gateway answered both with one refund).
    if (current?.status === "refunded") return "refunded" as const;
    await tx
      .update(refunds)
      .set({ status: "succeeded", processedAt: new Date(), gatewayReference: outcome.reference || null })
      .where(eq(refunds.id, refund.id));
    const [refunded] = await tx.update(payments).set({ status: "refunded", refundedAt: new Date() }).where(eq(payments.id, payment.id)).returning();
    await publisher.publish(
      "payment.refunded",
      { ...paymentEventData(refunded!, booking.reservationId), refund: { amount: refund.amount, percent: refund.percent, reason: refund.reason } },
      booking.eventId,
      traceparent,
    );
    return "refunded" as const;
  });
}
