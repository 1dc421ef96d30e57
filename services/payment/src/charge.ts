/**
 * Charging one requested payment: pending → processing → succeeded | failed, with
 * payment.succeeded / payment.failed written in the transaction that records the outcome.
 *
 * Safe under redelivery: a payment that already has its outcome is left alone; one that was
 * processing when a worker died is charged again with the same idempotency key (the payment id),
 * which the gateway answers with the charge it already made. The hold's expiry is the deadline: a
 * charge that cannot finish before it fails instead.
 */
import { inScope, systemScope, type Database } from "@booking-rush/lib";
import { eq } from "drizzle-orm";
import { bookings, payments } from "../../../drizzle/schema";
import type { GatewayClient } from "./gateway/gateway-client";
import type { PaymentPublisher } from "./payment-publisher";
import { paymentEventData } from "./payments";

export interface ChargeDependencies {
  db: Database;
  gateway: GatewayClient;
  publisher: PaymentPublisher;
}

export type ChargeResult = "succeeded" | "failed" | "already_done" | "unknown_payment";

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
  if (claimed === "already_done") return "already_done";

  const { payment, booking } = claimed;
  const deadline = booking.expiresAt ?? new Date();
  const outcome = await gateway.charge({ idempotencyKey: payment.id, amount: payment.amount, currency: payment.currency, method: payment.method }, deadline);

  return inScope(db, systemScope, async (tx) => {
    const [current] = await tx.select().from(payments).where(eq(payments.id, paymentId)).for("update");
    // Another worker finished it meanwhile (a redelivery racing this one): its outcome stands.
    if (!current || current.status !== "processing") return "already_done";
    const succeeded = outcome.status === "succeeded";
    const [done] = await tx
      .update(payments)
      .set(
        succeeded
          ? { status: "succeeded", succeededAt: new Date(), gatewayReference: outcome.reference }
          : {
              status: "failed",
              failedAt: new Date(),
              failureReason: outcome.status === "declined" ? "The payment was declined" : customerReason[outcome.reason] ?? "The payment failed",
            },
      )
      .where(eq(payments.id, paymentId))
      .returning();
    await publisher.publish(succeeded ? "payment.succeeded" : "payment.failed", paymentEventData(done!, booking.reservationId), booking.eventId, traceparent);
    return succeeded ? "succeeded" : "failed";
  });
}
