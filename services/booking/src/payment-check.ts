/**
 * A buyer's confirmation must be backed by money: the payment named must exist, be the caller's,
 * be for this booking, have succeeded, and cover the booking's amount. The payment service owns
 * payments and writes their rows in PostgreSQL; this reads them (confirm is not the hot path).
 * The payment saga confirms from the payment service's own `payment.succeeded` and needs none of it.
 *
 * Answers: 404 when no such payment is visible to the caller (unknown, or another buyer's: the
 * same answer, so ids cannot be probed), 402 PAYMENT_FAILED when it failed or was refunded, 409
 * CONFLICT when it is another booking's, still in flight, or does not cover the amount.
 */

import { bookings, payments } from "@booking-rush/db/schema";
import type { Database } from "@booking-rush/lib/clients";
import { inScope, systemScope } from "@booking-rush/lib/data";
import { AppError, conflict, notFound } from "@booking-rush/lib/errors";
import { eq } from "drizzle-orm";

export interface PaymentClaim {
  paymentId: string;
  bookingId: string;
  userId: string;
}

export async function checkPaymentCoversBooking(db: Database, claim: PaymentClaim): Promise<void> {
  const [row] = await inScope(db, systemScope, (tx) =>
    tx
      .select({
        userId: payments.userId,
        status: payments.status,
        amount: payments.amount,
        reservationId: bookings.reservationId,
        totalAmount: bookings.totalAmount,
      })
      .from(payments)
      .innerJoin(bookings, eq(bookings.id, payments.bookingId))
      .where(eq(payments.id, claim.paymentId)),
  );
  if (!row || row.userId !== claim.userId) throw notFound("Payment");
  if (row.reservationId !== claim.bookingId) throw conflict("This payment is for another booking", { field: "payment_id" });
  if (row.status === "failed" || row.status === "refunded") {
    throw new AppError("PAYMENT_FAILED", `The payment ${row.status === "failed" ? "failed" : "was refunded"}`, { status: row.status });
  }
  if (row.status !== "succeeded") throw conflict("The payment has not succeeded yet", { status: row.status });
  if (row.amount < row.totalAmount)
    throw conflict("The payment does not cover the booking", { amount: row.amount, total_amount: row.totalAmount });
}
