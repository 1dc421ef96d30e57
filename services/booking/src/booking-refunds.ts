/**
 * The refund behind a cancelled booking, for the buyer's own reading of it (GET /bookings,
 * GET /bookings/:id): a refunded payment cancels its booking through the saga, so the booking's
 * status alone says "cancelled" and the buyer would not learn, on a later visit, that their money
 * came back. The payment service owns payments and refunds and writes their rows in PostgreSQL;
 * this reads them (as payment-check.ts does), in one query per answer and only for cancelled
 * bookings that were paid, so a page of live holds or confirmed tickets costs no query at all.
 */
import { payments, refunds } from "@booking-rush/db/schema";
import type { Database } from "@booking-rush/lib/clients";
import { inScope, systemScope } from "@booking-rush/lib/data";
import type { BookingRecord } from "@booking-rush/lib/inventory";
import { and, eq, inArray } from "drizzle-orm";

export interface BookingRefund {
  /** Minor units of `currency`. */
  amount: number;
  currency: string;
  percent: number;
  reason: "customer_request" | "event_cancelled" | "reservation_expired" | "compensation";
  processed_at?: string;
}

/** Succeeded refunds of the payments of these bookings, by payment id; only cancelled, paid bookings are looked up. */
export async function refundsOf(db: Database, records: BookingRecord[]): Promise<Map<string, BookingRefund>> {
  const paymentIds = [
    ...new Set(records.flatMap((record) => (record.status === "cancelled" && record.payment_id ? [record.payment_id] : []))),
  ];
  if (paymentIds.length === 0) return new Map();
  const rows = await inScope(db, systemScope, (tx) =>
    tx
      .select({
        paymentId: payments.id,
        currency: payments.currency,
        amount: refunds.amount,
        percent: refunds.percent,
        reason: refunds.reason,
        processedAt: refunds.processedAt,
      })
      .from(refunds)
      .innerJoin(payments, eq(payments.id, refunds.paymentId))
      .where(and(inArray(refunds.paymentId, paymentIds), eq(refunds.status, "succeeded"), eq(payments.status, "refunded"))),
  );
  return new Map(
    rows.map((row) => [
      row.paymentId,
      {
        amount: row.amount,
        currency: row.currency,
        percent: row.percent,
        reason: row.reason,
        ...(row.processedAt ? { processed_at: row.processedAt.toISOString() } : {}),
      },
    ]),
  );
}
