/**
 * Payments and refunds. "Never charge twice" is enforced twice over:
 * - `payments_booking_id_active_key`: at most one payment per booking that is not `failed`
 *   (pending, processing, succeeded or refunded). A failed attempt can be followed by a new one;
 *   a second charge for a booking that is paid, being paid, or was refunded cannot be recorded.
 * - `payments_user_id_idempotency_key_key`: the same Idempotency-Key from the same user names the
 *   same payment row, whatever its state.
 * Gateway retries of one payment increment `attempts` on the same row rather than adding rows.
 */
import { sql } from "drizzle-orm";
import { check, index, integer, pgTable, smallint, text, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { bookings } from "./booking";
import { currency, id, money, timestamps, timestamptz } from "./columns";
import { paymentMethod, paymentStatus, refundReason, refundStatus } from "./enums";
import { users } from "./identity";

export const payments = pgTable(
  "payments",
  {
    id: id(),
    bookingId: uuid("booking_id")
      .notNull()
      .references(() => bookings.id, { onDelete: "restrict" }),
    /** Payer (the booking's user), denormalised for "own payments only" checks and listing. */
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "restrict" }),
    idempotencyKey: text("idempotency_key"),
    /** Minor units of `currency`. */
    amount: money("amount").notNull(),
    currency: currency().notNull(),
    method: paymentMethod("method").notNull(),
    status: paymentStatus("status").notNull().default("pending"),
    /** The gateway's id for the charge, once it has one. */
    gatewayReference: text("gateway_reference"),
    failureReason: text("failure_reason"),
    attempts: integer("attempts").notNull().default(0),
    succeededAt: timestamptz("succeeded_at"),
    failedAt: timestamptz("failed_at"),
    refundedAt: timestamptz("refunded_at"),
    ...timestamps(),
  },
  (t) => [
    uniqueIndex("payments_booking_id_active_key").on(t.bookingId).where(sql`${t.status} <> 'failed'`),
    uniqueIndex("payments_user_id_idempotency_key_key").on(t.userId, t.idempotencyKey),
    uniqueIndex("payments_gateway_reference_key").on(t.gatewayReference),
    index("payments_booking_id_idx").on(t.bookingId),
    index("payments_user_id_created_at_idx").on(t.userId, t.createdAt, t.id),
    // sweeping payments stuck in flight
    index("payments_in_flight_updated_at_idx").on(t.updatedAt).where(sql`${t.status} in ('pending', 'processing')`),
    check("payments_amount_non_negative", sql`${t.amount} >= 0`),
    check("payments_attempts_non_negative", sql`${t.attempts} >= 0`),
    check("payments_succeeded_has_succeeded_at", sql`${t.status} <> 'succeeded' or ${t.succeededAt} is not null`),
    check("payments_failed_has_failed_at", sql`${t.status} <> 'failed' or ${t.failedAt} is not null`),
    check("payments_refunded_has_refunded_at", sql`${t.status} <> 'refunded' or ${t.refundedAt} is not null`),
  ],
);

/**
 * A refund of one payment. At most one refund per payment that has not failed
 * (`refunds_payment_id_active_key`): the refund rules yield one percentage per payment, and a failed
 * refund can be retried with a new row. `amount` = floor(payment.amount * percent / 100).
 */
export const refunds = pgTable(
  "refunds",
  {
    id: id(),
    paymentId: uuid("payment_id")
      .notNull()
      .references(() => payments.id, { onDelete: "restrict" }),
    /** Who asked (the customer, an organizer cancelling the event, an admin); null = the system. */
    requestedBy: uuid("requested_by").references(() => users.id, { onDelete: "set null" }),
    idempotencyKey: text("idempotency_key"),
    amount: money("amount").notNull(),
    percent: smallint("percent").notNull(),
    reason: refundReason("reason").notNull(),
    note: text("note"),
    status: refundStatus("status").notNull().default("pending"),
    gatewayReference: text("gateway_reference"),
    failureReason: text("failure_reason"),
    processedAt: timestamptz("processed_at"),
    ...timestamps(),
  },
  (t) => [
    uniqueIndex("refunds_payment_id_active_key").on(t.paymentId).where(sql`${t.status} <> 'failed'`),
    uniqueIndex("refunds_payment_id_idempotency_key_key").on(t.paymentId, t.idempotencyKey),
    check("refunds_amount_non_negative", sql`${t.amount} >= 0`),
    check("refunds_percent_range", sql`${t.percent} between 0 and 100`),
  ],
);
