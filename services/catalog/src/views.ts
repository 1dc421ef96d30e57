/** Rows as the API shows them (snake_case, ISO 8601 UTC times), and their response schemas. */

import type { Event, SeatZone, Show } from "@booking-rush/db/schema";
import { t } from "elysia";

const iso = (date: Date | null) => (date ? date.toISOString() : null);

export function eventView(event: Event, category: string | null) {
  return {
    id: event.id,
    tenant_id: event.tenantId,
    title: event.title,
    description: event.description,
    category,
    venue: event.venue,
    status: event.status,
    currency: event.currency,
    booking_opens_at: event.bookingOpensAt.toISOString(),
    booking_closes_at: event.bookingClosesAt.toISOString(),
    max_tickets_per_user: event.maxTicketsPerUser,
    waitlist_limit: event.waitlistLimit,
    min_age: event.minAge,
    queue_enabled: event.queueEnabled,
    queue_paused: event.queuePaused,
    queue_rate_per_minute: event.queueRatePerMinute,
    queue_max_active: event.queueMaxActive,
    queue_pass_ttl_seconds: event.queuePassTtlSeconds,
    queue_order: event.queueOrder,
    queue_opens_at: iso(event.queueOpensAt),
    published_at: iso(event.publishedAt),
    cancelled_at: iso(event.cancelledAt),
    created_at: event.createdAt.toISOString(),
    updated_at: event.updatedAt.toISOString(),
  };
}

export const showView = (show: Show) => ({
  id: show.id,
  event_id: show.eventId,
  starts_at: show.startsAt.toISOString(),
  ends_at: show.endsAt.toISOString(),
});

export interface ZoneCounts {
  available: number;
  reserved: number;
  sold: number;
  waitlisted: number;
}

export const zoneView = (zone: SeatZone, counts: ZoneCounts, rows?: { label: string; seats: number }[]) => ({
  id: zone.id,
  show_id: zone.showId,
  name: zone.name,
  kind: zone.kind,
  price: zone.price,
  total_seats: zone.totalSeats,
  ...counts,
  ...(rows ? { rows } : {}),
});

const dateTime = t.String({ format: "date-time" });
const nullableDateTime = t.Union([dateTime, t.Null()]);

export const eventSchema = t.Object({
  id: t.String({ format: "uuid" }),
  tenant_id: t.String({ format: "uuid" }),
  title: t.String(),
  description: t.String(),
  category: t.Union([t.String(), t.Null()]),
  venue: t.String(),
  status: t.Union([t.Literal("draft"), t.Literal("published"), t.Literal("cancelled")]),
  currency: t.String(),
  booking_opens_at: dateTime,
  booking_closes_at: dateTime,
  max_tickets_per_user: t.Integer(),
  waitlist_limit: t.Integer(),
  min_age: t.Union([t.Integer(), t.Null()]),
  queue_enabled: t.Boolean(),
  queue_paused: t.Boolean({ description: "Admission stopped by an operator (POST /admin/events/:id/queue/pause)" }),
  queue_rate_per_minute: t.Integer(),
  queue_max_active: t.Integer(),
  queue_pass_ttl_seconds: t.Integer(),
  queue_order: t.Union([t.Literal("fifo"), t.Literal("random")]),
  queue_opens_at: nullableDateTime,
  published_at: nullableDateTime,
  cancelled_at: nullableDateTime,
  created_at: dateTime,
  updated_at: dateTime,
});

export const showSchema = t.Object({
  id: t.String({ format: "uuid" }),
  event_id: t.String({ format: "uuid" }),
  starts_at: dateTime,
  ends_at: dateTime,
});

export const eventDetailSchema = t.Composite([eventSchema, t.Object({ shows: t.Array(showSchema) })]);

export const zoneSchema = t.Object({
  id: t.String({ format: "uuid" }),
  show_id: t.String({ format: "uuid" }),
  name: t.String(),
  kind: t.Union([t.Literal("general_admission"), t.Literal("assigned")]),
  price: t.Integer({ description: "Minor units of the event's currency" }),
  total_seats: t.Integer(),
  available: t.Integer({
    description: "Seats a buyer can hold now, live from Redis once the event is published; 0 while buyers wait in the zone's waitlist",
  }),
  reserved: t.Integer(),
  sold: t.Integer(),
  waitlisted: t.Integer({ description: "Bookings waiting in the zone's waitlist for seats to come back" }),
  rows: t.Optional(t.Array(t.Object({ label: t.String(), seats: t.Integer() }))),
});

export const seatSchema = t.Object({
  id: t.String({ format: "uuid" }),
  zone_id: t.String({ format: "uuid" }),
  row_label: t.String(),
  seat_number: t.Integer(),
  state: t.Union([t.Literal("available"), t.Literal("held"), t.Literal("sold")]),
});

export const categorySchema = t.Object({ id: t.String({ format: "uuid" }), name: t.String(), slug: t.String() });
