/**
 * Charging one requested payment: pending → processing → succeeded | failed, with
 * payment.succeeded / payment.failed written in the transaction that records the outcome.
 *
 * Safe under redelivery: a payment that already has its outcome is left alone; one that was
 * processing when a worker died is charged again with the same idempotency key (the payment id),
 * which the gateway answers with the charge it already made. The hold's expiry is the deadline: a
 * charge that cannot finish before it fails instead.
 */

import { bookings, payments, refunds } from "@booking-rush/db/schema";
import type { Database } from "@booking-rush/lib/clients";
import { inScope, systemScope } from "@booking-rush/lib/data";
import { and, eq, inArray } from "drizzle-orm";
import type { GatewayClient, GatewayOutcome } from "./gateway/gateway-client";
import type { MoneyMetrics } from "./payment-metrics";
import type { PaymentPublisher } from "./payment-publisher";
import { paymentEventData } from "./payments";
import { resumeRefund } from "./refund";

export interface ChargeDependencies {
  db: Database;
  gateway: GatewayClient;
  publisher: PaymentPublisher;
  /** Counts the money of each succeeded charge (the worker's). */
  money?: MoneyMetrics;
}

export type ChargeResult = "succeeded" | "failed" | "already_done" | "unknown_payment" | "refunded";

/** Gateway outcomes after which we cannot know whether money was taken. */
const answerMayBeLost = (outcome: GatewayOutcome) => outcome.status === "failed" && outcome.reason !== "gateway_rejected";
const cancelWindowMs = 60_000;

const customerReason: Record<string, string> = {
  deadline: "The payment could not be completed before the reservation expired",
  gateway_unavailable: "The payment provider could not be reached",
  gateway_rejected: "The payment provider refused the request",
};

export async function chargePayment(dependencies: ChargeDependencies, paymentId: string, traceparent?: string): Promise<ChargeResult> {
  const { db, gateway, publisher } = dependencies;
  const claimed = await inScope(db, systemScope, async (tx) => {
    const [row] = await tx
      .select({ payment: payments, booking: bookings })
      .from(payments)
      .innerJoin(bookings, eq(bookings.id, payments.bookingId))
      .where(eq(payments.id, paymentId))
      .for("update", { of: payments });
    if (!row) return undefined;
    if (row.payment.status !== "pending" && row.payment.status !== "processing") return "already_done" as const;
    const [processing] = await tx
      .update(payments)
      .set({ status: "processing", attempts: row.payment.attempts + 1 })
      .where(eq(payments.id, paymentId))
      .returning();
    return { payment: processing!, booking: row.booking };
  });
  if (claimed === undefined) return "unknown_payment";
  if (claimed === "already_done") return (await resumeRefund(dependencies, paymentId, traceparent)) ? "refunded" : "already_done";

  const { payment, booking } = claimed;
  const deadline = booking.expiresAt ?? new Date();
  const outcome = await gateway.charge(
    { idempotencyKey: payment.id, amount: payment.amount, currency: payment.currency, method: payment.method },
    deadline,
  );
  if (answerMayBeLost(outcome)) {
    const cancelled = await gateway.cancelCharge(payment.id, new Date(Date.now() + cancelWindowMs));
    if (cancelled.status !== "succeeded")
      throw new Error(`payment ${payment.id}: the charge's answer was lost and cancelling it failed (${cancelled.status}); retried`);
  }

  const result = await inScope(db, systemScope, async (tx) => {
    const [current] = await tx.select().from(payments).where(eq(payments.id, paymentId)).for("update");
    // Another worker finished it meanwhile (a redelivery racing this one): its outcome stands.
    if (current?.status !== "processing") return "already_done";
    const succeeded = outcome.status === "succeeded";
    const [done] = await tx
      .update(payments)
      .set(
        succeeded
          ? { status: "succeeded", succeededAt: new Date(), gatewayReference: outcome.reference }
          : {
              status: "failed",
              failedAt: new Date(),
              failureReason:
                outcome.status === "declined" ? "The payment was declined" : (customerReason[outcome.reason] ?? "The payment failed"),
            },
      )
      .where(eq(payments.id, paymentId))
      .returning();
    await publisher.publish(
      succeeded ? "payment.succeeded" : "payment.failed",
      paymentEventData(done!, booking.reservationId),
      booking.eventId,
      traceparent,
    );
    if (!succeeded) {
      await tx
        .update(refunds)
        .set({ status: "failed", failureReason: "nothing was charged" })
        .where(and(eq(refunds.paymentId, paymentId), inArray(refunds.status, ["pending", "processing"])));
    }
    return succeeded ? ("succeeded" as const) : ("failed" as const);
  });
  if (result === "succeeded") dependencies.money?.revenue.inc({ currency: payment.currency }, payment.amount);
  if (result === "succeeded" && (await resumeRefund(dependencies, paymentId, traceparent))) return "refunded";
  return result;
}
