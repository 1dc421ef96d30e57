/**
 * An event's live sales for its organizer (GET /admin/sales): stock per zone and the waiting room
 * from Redis (one pipeline), money, the last hour's sales and the holds' outcomes from PostgreSQL
 * (the event with its zones, then two grouped queries on the event's bookings). Organizers and
 * admins see their own tenant's events only.
 */

import { bookings, events, payments, refunds, seatZones, shows } from "@booking-rush/db/schema";
import type { AuthenticatedUser } from "@booking-rush/lib/auth";
import { type Database, pipelineReplies, type Redis } from "@booking-rush/lib/clients";
import { inScope, systemScope } from "@booking-rush/lib/data";
import { forbidden, notFound } from "@booking-rush/lib/errors";
import { eventKeys } from "@booking-rush/lib/inventory";
import { and, asc, eq, gte, inArray, isNotNull, sql } from "drizzle-orm";
import type { LiveSales, MinuteSales, ZoneSales } from "./live-sales-figures";

export interface LiveSalesSources {
  redis: Redis;
  db: Database;
}

/** The sales-per-minute window: the current minute and the 59 before it. */
export const salesMinutes = 60;
const minuteMs = 60_000;

/** The event and its zones (PostgreSQL), once the caller may see them: 404 unknown, 403 another tenant's. */
async function eventOfOrganizer(db: Database, user: AuthenticatedUser, eventId: string) {
  const rows = await inScope(db, systemScope, (tx) =>
    tx
      .select({
        tenantId: events.tenantId,
        currency: events.currency,
        zoneId: seatZones.id,
        showId: seatZones.showId,
        name: seatZones.name,
        price: seatZones.price,
      })
      .from(events)
      .leftJoin(shows, eq(shows.eventId, events.id))
      .leftJoin(seatZones, eq(seatZones.showId, shows.id))
      .where(eq(events.id, eventId))
      .orderBy(asc(shows.startsAt), asc(shows.id), asc(seatZones.sortOrder), asc(seatZones.createdAt), asc(seatZones.id)),
  );
  const [first] = rows;
  if (!first) throw notFound("Event");
  if (!user.tenant_id || first.tenantId !== user.tenant_id)
    throw forbidden("Only an organizer or admin of the event's tenant can see its sales");
  const zones = rows.flatMap((row) =>
    row.zoneId && row.showId ? [{ id: row.zoneId, showId: row.showId, name: row.name ?? "", price: row.price ?? 0 }] : [],
  );
  return { currency: first.currency, zones };
}

type PostgresZone = Awaited<ReturnType<typeof eventOfOrganizer>>["zones"][number];

/** Stock per zone and the waiting room, in one pipeline. Zones not loaded into Redis are left out. */
async function redisSide(redis: Redis, eventId: string, zones: PostgresZone[]) {
  const keys = eventKeys(eventId);
  const pipeline = redis.pipeline();
  pipeline.smembers(keys.zones);
  for (const zone of zones) pipeline.hmget(keys.zone(zone.id), "total", "reserved", "sold", "waitlisted", "price");
  pipeline.hmget(keys.queue, "enabled", "paused");
  pipeline.zcard(keys.queueLine);
  pipeline.zcard(keys.queueActive);
  const replies = await pipelineReplies(pipeline);
  const loaded = new Set(replies[0] as string[]);
  const counts = (value: string | null | undefined) => Number(value ?? 0);
  const zoneSales = zones.flatMap((zone, index): ZoneSales[] => {
    const [total, reserved, sold, waitlisted, price] = replies[1 + index] as (string | null)[];
    if (!loaded.has(zone.id) || total === null) return [];
    const held = counts(reserved);
    const soldSeats = counts(sold);
    return [
      {
        zone_id: zone.id,
        show_id: zone.showId,
        name: zone.name,
        price: price === null ? zone.price : Number(price),
        total: Number(total),
        available: Number(total) - held - soldSeats,
        held,
        sold: soldSeats,
        waitlisted: counts(waitlisted),
      },
    ];
  });
  const [enabled, paused] = replies[1 + zones.length] as (string | null)[];
  const queue =
    enabled === "1"
      ? { waiting: replies[2 + zones.length] as number, active: replies[3 + zones.length] as number, paused: paused === "1" }
      : null;
  return { zones: zoneSales, queue };
}

/**
 * Per status of the event's bookings: how many, their tickets, the gross of their succeeded
 * payments (refunded later or not) and of their succeeded refunds. A booking has at most one
 * payment that did not fail and a payment at most one refund that did not fail, so the joins
 * count each booking once.
 */
async function bookingTotals(db: Database, eventId: string) {
  const converted = sql<boolean>`${bookings.confirmedAt} is not null`;
  return inScope(db, systemScope, (tx) =>
    tx
      .select({
        status: bookings.status,
        converted,
        bookings: sql<number>`count(*)::int`,
        tickets: sql<number>`coalesce(sum(${bookings.quantity}), 0)::int`,
        revenue: sql<string>`coalesce(sum(${payments.amount}), 0)::bigint`,
        refunds: sql<string>`coalesce(sum(${refunds.amount}), 0)::bigint`,
      })
      .from(bookings)
      .leftJoin(payments, and(eq(payments.bookingId, bookings.id), isNotNull(payments.succeededAt)))
      .leftJoin(refunds, and(eq(refunds.paymentId, payments.id), eq(refunds.status, "succeeded")))
      .where(eq(bookings.eventId, eventId))
      .groupBy(bookings.status, converted),
  );
}

/** Tickets and revenue of the bookings confirmed in each minute from `since` on (refunded later or not). */
async function minuteTotals(db: Database, eventId: string, since: Date) {
  const minute = sql<string>`floor(extract(epoch from ${bookings.confirmedAt}) / 60)::bigint`;
  return inScope(db, systemScope, (tx) =>
    tx
      .select({
        minute,
        tickets: sql<number>`sum(${bookings.quantity})::int`,
        revenue: sql<string>`sum(${bookings.totalAmount})::bigint`,
      })
      .from(bookings)
      // Only confirmed bookings and cancelled ones (a refund) were ever confirmed: the (event_id, status) index serves it.
      .where(and(eq(bookings.eventId, eventId), inArray(bookings.status, ["confirmed", "cancelled"]), gte(bookings.confirmedAt, since)))
      .groupBy(minute),
  );
}

/** 60 buckets, oldest first, the last one the current minute (still filling), empty minutes as zeros. */
function perMinute(rows: Awaited<ReturnType<typeof minuteTotals>>, firstMinute: number): MinuteSales[] {
  const byMinute = new Map(rows.map((row) => [Number(row.minute), row]));
  return Array.from({ length: salesMinutes }, (_, index) => {
    const minute = firstMinute + index;
    const row = byMinute.get(minute);
    return { minute: new Date(minute * minuteMs).toISOString(), tickets: row?.tickets ?? 0, revenue: Number(row?.revenue ?? 0) };
  });
}

export async function liveSales(sources: LiveSalesSources, user: AuthenticatedUser, eventId: string): Promise<LiveSales> {
  const event = await eventOfOrganizer(sources.db, user, eventId);
  const now = Date.now();
  const firstMinute = Math.floor(now / minuteMs) - (salesMinutes - 1);
  const [stock, totals, minutes] = await Promise.all([
    redisSide(sources.redis, eventId, event.zones),
    bookingTotals(sources.db, eventId),
    minuteTotals(sources.db, eventId, new Date(firstMinute * minuteMs)),
  ]);
  type Totals = (typeof totals)[number];
  /** `value` summed over the status groups `keep` selects. */
  const sum = (value: (row: Totals) => number, keep: (row: Totals) => boolean = () => true) =>
    totals.filter(keep).reduce((total, row) => total + value(row), 0);
  const bookingCount = (row: Totals) => row.bookings;
  const revenue = sum((row) => Number(row.revenue));
  const refunded = sum((row) => Number(row.refunds));
  return {
    event_id: eventId,
    as_of: new Date(now).toISOString(),
    currency: event.currency,
    zones: stock.zones,
    tickets_sold: sum(
      (row) => row.tickets,
      (row) => row.status === "confirmed",
    ),
    revenue,
    refunds: refunded,
    net: revenue - refunded,
    sales_per_minute: perMinute(minutes, firstMinute),
    holds: {
      converted: sum(bookingCount, (row) => row.converted),
      expired: sum(bookingCount, (row) => row.status === "expired"),
      cancelled: sum(bookingCount, (row) => row.status === "cancelled" && !row.converted),
    },
    queue: stock.queue,
  };
}
