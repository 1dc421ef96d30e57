/**
 * Every status/kind column is a PostgreSQL enum (pgEnum), never free text: the database rejects an
 * unknown state (22P02 invalid_text_representation), drizzle infers the literal union for TypeScript,
 * and partial indexes can name states. Adding a value later is an `ALTER TYPE ... ADD VALUE` that
 * drizzle-kit generates; removing one needs a hand-written migration (rare for state machines).
 */
import { pgEnum } from "drizzle-orm/pg-core";

export const tenantStatus = pgEnum("tenant_status", ["active", "suspended"]);

export const userRole = pgEnum("user_role", ["user", "organizer", "admin"]);

/** A disabled account cannot log in, and every token it holds stops working at once. */
export const userStatus = pgEnum("user_status", ["active", "disabled"]);

/** draft → published → cancelled (a draft can also be deleted outright). */
export const eventStatus = pgEnum("event_status", ["draft", "published", "cancelled"]);

export const zoneKind = pgEnum("zone_kind", ["general_admission", "assigned"]);

/** The order of the waiting room's pre-queue at the opening; buyers who join after it queue in arrival order. */
export const queueOrder = pgEnum("queue_order", ["fifo", "random"]);

/**
 * reserved → confirmed | cancelled | expired; waitlisted → reserved (promoted) | cancelled.
 * "Live" (holding seats) = reserved or confirmed.
 */
export const bookingStatus = pgEnum("booking_status", ["reserved", "confirmed", "cancelled", "expired", "waitlisted"]);

export const paymentMethod = pgEnum("payment_method", ["card", "bank_transfer", "e_wallet"]);

/** pending → processing → succeeded | failed; succeeded → refunded. */
export const paymentStatus = pgEnum("payment_status", ["pending", "processing", "succeeded", "failed", "refunded"]);

export const refundStatus = pgEnum("refund_status", ["pending", "processing", "succeeded", "failed"]);

/** Why money goes back; drives the percentage (API.md refund rules). */
export const refundReason = pgEnum("refund_reason", [
  "customer_request", // by the time-to-show rules: >7 days 100%, 3–7 days 50%, <3 days 0%
  "event_cancelled", // organizer cancelled: 100%
  "reservation_expired", // payment succeeded after the hold expired (confirm → 410): 100%
  "compensation", // saga compensation (confirm failed after payment): 100%
]);

/** Idempotency state machine (seed 002): in_progress → succeeded | failed. */
export const idempotencyStatus = pgEnum("idempotency_status", ["in_progress", "succeeded", "failed"]);
