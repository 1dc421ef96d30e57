/**
 * Bookings (reservations, confirmed orders, waitlist places) and the assigned seats they hold.
 *
 * Rows are written by the booking service and the projector from the events of lua/reserve.lua,
 * so the uniqueness below is what makes re-applied (at-least-once) events harmless:
 * `reservation_id` is the id the Lua script recorded, one row per reservation.
 */
import { sql } from "drizzle-orm";
import { bigint, check, index, integer, pgTable, primaryKey, text, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { events, seats, seatZones, shows } from "./catalog";
import { currency, id, money, timestamps, timestamptz } from "./columns";
import { bookingStatus } from "./enums";
import { tenants, users } from "./identity";

export const bookings = pgTable(
  "bookings",
  {
    id: id(),
    /** The reservation id from Redis; unique so a replayed booking.created cannot insert twice. */
    reservationId: uuid("reservation_id").notNull(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "restrict" }),
    tenantId: uuid("tenant_id")
      .notNull()
      .references(() => tenants.id, { onDelete: "restrict" }),
    eventId: uuid("event_id")
      .notNull()
      .references(() => events.id, { onDelete: "restrict" }),
    showId: uuid("show_id")
      .notNull()
      .references(() => shows.id, { onDelete: "restrict" }),
    zoneId: uuid("zone_id")
      .notNull()
      .references(() => seatZones.id, { onDelete: "restrict" }),
    /** The client's Idempotency-Key of the reserve request, unique per user. */
    idempotencyKey: text("idempotency_key"),
    status: bookingStatus("status").notNull(),
    quantity: integer("quantity").notNull(),
    /** Price of one ticket at reservation time, minor units (the zone price may change later). */
    unitPrice: money("unit_price").notNull(),
    totalAmount: money("total_amount").notNull(),
    currency: currency().notNull(),
    /** End of the hold; required while reserved. */
    expiresAt: timestamptz("expires_at"),
    /** 1-based place in the zone's waitlist; required while waitlisted, kept after promotion. */
    waitlistPosition: integer("waitlist_position"),
    confirmedAt: timestamptz("confirmed_at"),
    cancelledAt: timestamptz("cancelled_at"),
    expiredAt: timestamptz("expired_at"),
    cancelReason: text("cancel_reason"),
    /** The zone sequence number of the last event applied to this row; the projector ignores older ones. */
    seq: bigint("seq", { mode: "number" }).notNull().default(0),
    ...timestamps(),
  },
  (t) => [
    uniqueIndex("bookings_reservation_id_key").on(t.reservationId),
    uniqueIndex("bookings_user_id_idempotency_key_key").on(t.userId, t.idempotencyKey),
    // GET /bookings: the caller's bookings newest first (ORDER BY created_at DESC, id DESC is this
    // index scanned backwards; an explicit DESC would be NULLS LAST and not match a plain DESC)
    index("bookings_user_id_created_at_idx").on(t.userId, t.createdAt, t.id),
    // the expiry sweeper and GET /bookings/pending: live holds by expiry
    index("bookings_live_holds_expires_at_idx").on(t.expiresAt).where(sql`${t.status} = 'reserved'`),
    // per-user ticket limit per event counts the user's live bookings
    index("bookings_user_id_event_id_live_idx").on(t.userId, t.eventId).where(sql`${t.status} in ('reserved', 'confirmed')`),
    // admin sales and event cancellation (refund every confirmed booking)
    index("bookings_event_id_status_idx").on(t.eventId, t.status),
    // reconciliation counts per zone
    index("bookings_zone_id_status_idx").on(t.zoneId, t.status),
    // waitlist: one place per user and zone (ALREADY_WAITLISTED), promoted in position order
    uniqueIndex("bookings_waitlist_zone_id_user_id_key").on(t.zoneId, t.userId).where(sql`${t.status} = 'waitlisted'`),
    index("bookings_waitlist_zone_id_position_idx").on(t.zoneId, t.waitlistPosition).where(sql`${t.status} = 'waitlisted'`),
    check("bookings_quantity_positive", sql`${t.quantity} > 0`),
    check("bookings_amounts_non_negative", sql`${t.unitPrice} >= 0 and ${t.totalAmount} >= 0`),
    check("bookings_seq_non_negative", sql`${t.seq} >= 0`),
    check("bookings_reserved_has_expires_at", sql`${t.status} <> 'reserved' or ${t.expiresAt} is not null`),
    check(
      "bookings_waitlisted_has_position",
      sql`${t.status} <> 'waitlisted' or (${t.waitlistPosition} is not null and ${t.waitlistPosition} > 0)`,
    ),
    check("bookings_confirmed_has_confirmed_at", sql`${t.status} <> 'confirmed' or ${t.confirmedAt} is not null`),
    check("bookings_cancelled_has_cancelled_at", sql`${t.status} <> 'cancelled' or ${t.cancelledAt} is not null`),
    check("bookings_expired_has_expired_at", sql`${t.status} <> 'expired' or ${t.expiredAt} is not null`),
  ],
);

/**
 * The assigned seats a booking holds. A hold ends by setting `released_at` (never by deleting the
 * row, so the history of who held a seat stays). The partial unique index
 * `booking_seats_live_seat_key` on (seat_id) WHERE released_at IS NULL is the database's guarantee
 * that one seat is in at most one live booking.
 *
 * Why `released_at` rather than a copy of the booking status: the index predicate must use this
 * table's own columns. A denormalised status would be a second copy of the whole booking state
 * machine (including transitions irrelevant to seats, like reserved → confirmed) that has to follow
 * every change; `released_at` records the one fact the seat cares about, and when. It is kept in
 * step by the `bookings_release_seats` trigger (custom migration 0001): when a booking becomes
 * cancelled or expired, its seats are released in the same statement, so no writer can forget.
 */
export const bookingSeats = pgTable(
  "booking_seats",
  {
    bookingId: uuid("booking_id")
      .notNull()
      .references(() => bookings.id, { onDelete: "cascade" }),
    seatId: uuid("seat_id")
      .notNull()
      .references(() => seats.id, { onDelete: "restrict" }),
    releasedAt: timestamptz("released_at"),
    ...timestamps(),
  },
  (t) => [
    primaryKey({ name: "booking_seats_pkey", columns: [t.bookingId, t.seatId] }),
    uniqueIndex("booking_seats_live_seat_key").on(t.seatId).where(sql`${t.releasedAt} is null`),
  ],
);
