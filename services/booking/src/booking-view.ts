import type { BookingRecord } from "@booking-rush/lib/inventory";
import { t } from "elysia";
import type { BookingRefund } from "./booking-refunds";

const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());

/**
 * The public shape: snake_case, ISO 8601 UTC times, no internal fields; with the refund of its
 * payment when the booking was cancelled by one (booking-refunds.ts).
 */
export function bookingView(record: BookingRecord, refund?: BookingRefund) {
  return {
    booking_id: record.booking_id,
    status: record.status,
    event_id: record.event_id,
    show_id: record.show_id,
    zone_id: record.zone_id,
    quantity: record.quantity,
    ...(record.seat_ids ? { seat_ids: record.seat_ids } : {}),
    created_at: iso(record.created_at_ms)!,
    expires_at: iso(record.expires_at_ms)!,
    ...(record.confirmed_at_ms ? { confirmed_at: iso(record.confirmed_at_ms) } : {}),
    ...(record.payment_id ? { payment_id: record.payment_id } : {}),
    ...(record.waitlist_position !== undefined ? { waitlist_position: record.waitlist_position } : {}),
    ...(record.promoted_at_ms ? { promoted_at: iso(record.promoted_at_ms) } : {}),
    ...(record.remaining !== undefined ? { remaining: record.remaining } : {}),
    ...(refund ? { refund } : {}),
  };
}

export const bookingSchema = t.Object({
  booking_id: t.String({ format: "uuid" }),
  status: t.Union([t.Literal("reserved"), t.Literal("confirmed"), t.Literal("cancelled"), t.Literal("expired"), t.Literal("waitlisted")]),
  event_id: t.String(),
  show_id: t.String(),
  zone_id: t.String(),
  quantity: t.Number(),
  seat_ids: t.Optional(t.Array(t.String())),
  created_at: t.String({ format: "date-time" }),
  expires_at: t.String({
    format: "date-time",
    description: "A hold's end; while waitlisted, the end of the booking window (the place lapses then)",
  }),
  confirmed_at: t.Optional(t.String({ format: "date-time" })),
  payment_id: t.Optional(t.String()),
  waitlist_position: t.Optional(
    t.Number({ description: "While waitlisted: the place in the zone's waitlist now (1 = next); after promotion: the place it had" }),
  ),
  promoted_at: t.Optional(t.String({ format: "date-time", description: "When the waiting booking became a hold" })),
  remaining: t.Optional(t.Number()),
  refund: t.Optional(
    t.Object(
      {
        amount: t.Integer({ description: "Minor units of `currency` given back: floor(payment amount × percent / 100)" }),
        currency: t.String(),
        percent: t.Integer({ minimum: 0, maximum: 100 }),
        reason: t.Union([
          t.Literal("customer_request"),
          t.Literal("event_cancelled"),
          t.Literal("reservation_expired"),
          t.Literal("compensation"),
        ]),
        processed_at: t.Optional(t.String({ format: "date-time" })),
      },
      {
        description:
          "On a cancelled booking whose payment was refunded (GET /bookings and GET /bookings/:id): the money given back, " +
          "as the payment's own refund (GET /payments/:id) records it",
      },
    ),
  ),
});
