/**
 * PostgreSQL's record of one event's inventory, as the reconciler compares and rebuilds from it.
 *
 * What a pass compares costs O(zones), whatever the number of bookings ever made: each zone's
 * counts (`seat_zones`, kept by the projector), its waiting bookings (counted in the partial index
 * of waiting places: at most the event's waitlist_limit rows per zone), its watermark
 * (`zone_sync_state`), the highest seq the projector has applied at all (one indexed MAX per zone)
 * and the seqs missing after the watermark (only the rows beyond it: the changes not yet applied in
 * order). The bookings and seats behind the counts are read only for the zones a repair or rebuild
 * writes (readZoneRecords).
 */

import { bookingSeats, bookings, events, processedEvents, seats, seatZones, shows, zoneSyncState } from "@booking-rush/db/schema";
import type { Database } from "@booking-rush/lib/clients";
import type { BookingState } from "@booking-rush/lib/contracts";
import { inScope, systemScope, type Transaction } from "@booking-rush/lib/data";
import { and, asc, eq, inArray, isNull, sql } from "drizzle-orm";

export interface PostgresZone {
  id: string;
  showId: string;
  kind: "general" | "assigned";
  total: number;
  price: number;
  reserved: number;
  sold: number;
  /** Bookings waiting in the zone's waitlist (status waitlisted). */
  waitlisted: number;
  /** The projector's watermark: every event up to it is applied. */
  appliedSeq: number;
  /** The highest seq applied at all (beyond a gap the watermark waits at). */
  highestSeq: number;
  /** Sequence numbers below highestSeq the projector never saw: events lost before Kafka (at most 100 listed). */
  missingSeqs: number[];
}

/**
 * A live booking as PostgreSQL has it, in the shape of the scripts' booking record (what a rebuild
 * writes back): a hold, a sale, or a waiting place (with its waitlist_position and hold_ms, the hold
 * time its promotion gets).
 */
export type PostgresBooking = Omit<BookingState, "status" | "seat_ids" | "payment_id" | "closed_at_ms" | "promoted_at_ms"> & {
  status: "reserved" | "confirmed" | "waitlisted";
  seat_ids: string[];
  hold_ms?: number;
};

export interface PostgresTruth {
  event: {
    status: string;
    tenant_id: string;
    opens_at_ms: number;
    closes_at_ms: number;
    max_per_user: number;
    waitlist_limit: number;
    min_age: number;
  };
  zones: PostgresZone[];
}

/** What a repair or rebuild of some zones writes back: their live bookings, sold seats and seat ids. */
export interface ZoneRecords {
  /** Holds, sales and waiting places; the waiting ones of a zone in join order (restore-bookings.lua queues them so). */
  bookings: PostgresBooking[];
  /** zone id → seat id → reservation id of the confirmed booking holding it. */
  soldSeats: Map<string, Record<string, string>>;
  /** zone id → its seat ids (assigned zones). */
  seatIds: Map<string, string[]>;
}

/** The most missing seqs a zone lists (a report, not a repair: enough to say which events were lost). */
const missingListed = 100;

export async function readPostgresTruth(db: Database, eventId: string, projectorConsumer: string): Promise<PostgresTruth | undefined> {
  return inScope(db, systemScope, async (tx) => {
    const [event] = await tx.select().from(events).where(eq(events.id, eventId));
    if (!event) return undefined;
    const rows = await tx
      .select({
        id: seatZones.id,
        showId: seatZones.showId,
        kind: seatZones.kind,
        total: seatZones.totalSeats,
        price: seatZones.price,
        reserved: seatZones.reservedSeats,
        sold: seatZones.soldSeats,
        waitlisted: sql<number>`(select count(*) from ${bookings} as waiting
          where waiting.zone_id = ${seatZones.id} and waiting.status = 'waitlisted')`.mapWith(Number),
        appliedSeq: sql<number>`coalesce(${zoneSyncState.lastAppliedSeq}, 0)`.mapWith(Number),
        // The index (consumer, zone_id, seq) answers this with one step from its end.
        highestSeq: sql<number>`coalesce((select max(applied.seq) from ${processedEvents} as applied
          where applied.consumer = ${projectorConsumer} and applied.zone_id = ${seatZones.id}), 0)`.mapWith(Number),
      })
      .from(seatZones)
      .innerJoin(shows, eq(shows.id, seatZones.showId))
      .leftJoin(zoneSyncState, eq(zoneSyncState.zoneId, seatZones.id))
      .where(eq(shows.eventId, eventId))
      .orderBy(asc(shows.startsAt), asc(seatZones.createdAt), asc(seatZones.id));
    const zones: PostgresZone[] = [];
    for (const row of rows) {
      const highestSeq = Math.max(row.appliedSeq, row.highestSeq);
      zones.push({
        id: row.id,
        showId: row.showId,
        kind: row.kind === "assigned" ? "assigned" : "general",
        total: row.total,
        price: row.price,
        reserved: row.reserved,
        sold: row.sold,
        waitlisted: row.waitlisted,
        appliedSeq: row.appliedSeq,
        highestSeq,
        missingSeqs: highestSeq > row.appliedSeq + 1 ? await missingSeqs(tx, projectorConsumer, row.id, row.appliedSeq) : [],
      });
    }
    return { event: eventFields(event), zones };
  });
}

/**
 * Sequence numbers after the watermark that never arrived, below the highest one applied: the gaps
 * between the applied seqs beyond the watermark (only those rows are read), the first 100 listed.
 */
async function missingSeqs(tx: Transaction, consumer: string, zoneId: string, watermark: number): Promise<number[]> {
  const gaps = await tx.execute<{ seq: string; previous: string }>(sql`
    select seq, previous from (
      select applied.seq, lag(applied.seq, 1, ${watermark}::bigint) over (order by applied.seq) as previous
      from ${processedEvents} as applied
      where applied.consumer = ${consumer} and applied.zone_id = ${zoneId} and applied.seq > ${watermark}
    ) as runs
    where seq > previous + 1
    order by seq
    limit ${missingListed}`);
  const missing: number[] = [];
  for (const gap of gaps) {
    for (let seq = Number(gap.previous) + 1; seq < Number(gap.seq) && missing.length < missingListed; seq += 1) missing.push(seq);
  }
  return missing;
}

/** What a restored waiting place needs beyond its row: the event's and the booking service's settings. */
export interface WaitingPlaceTerms {
  /** The end of the event's booking window: a waiting place lapses then (its expires_at_ms). */
  closesAtMs: number;
  /** The booking service's hold time, which a promotion gives the place (its hold_ms). */
  holdMs: number;
}

const liveStatuses = ["reserved", "confirmed", "waitlisted"] as const;

/**
 * The live bookings (reserved, confirmed or waitlisted) of the given zones with their seats, the
 * seats sold in each, and each assigned zone's seat ids: what a repair or rebuild of those zones
 * writes back. In seq order: a waiting booking's seq is that of its joining (any later change ends
 * its wait), so the waiting ones come in join order, the order of the waitlist they are restored to.
 */
export async function readZoneRecords(db: Database, eventId: string, zoneIds: string[], waiting: WaitingPlaceTerms): Promise<ZoneRecords> {
  const records: ZoneRecords = { bookings: [], soldSeats: new Map(), seatIds: new Map() };
  if (zoneIds.length === 0) return records;
  return inScope(db, systemScope, async (tx) => {
    const live = await tx
      .select()
      .from(bookings)
      .where(and(eq(bookings.eventId, eventId), inArray(bookings.zoneId, zoneIds), inArray(bookings.status, [...liveStatuses])))
      .orderBy(asc(bookings.seq), asc(bookings.waitlistPosition), asc(bookings.createdAt));
    const seatsOf = new Map<string, string[]>();
    for (const booking of live) seatsOf.set(booking.id, []);
    const liveSeats = live.length
      ? await tx
          .select({ bookingId: bookingSeats.bookingId, seatId: bookingSeats.seatId })
          .from(bookingSeats)
          .innerJoin(bookings, eq(bookings.id, bookingSeats.bookingId))
          .where(
            and(
              eq(bookings.eventId, eventId),
              inArray(bookings.zoneId, zoneIds),
              inArray(bookings.status, ["reserved", "confirmed"]),
              isNull(bookingSeats.releasedAt),
            ),
          )
      : [];
    for (const row of liveSeats) seatsOf.get(row.bookingId)?.push(row.seatId);
    for (const zoneId of zoneIds) records.soldSeats.set(zoneId, {});
    for (const booking of live) {
      if (booking.status !== "confirmed") continue;
      const sold = records.soldSeats.get(booking.zoneId)!;
      for (const seatId of seatsOf.get(booking.id) ?? []) sold[seatId] = booking.reservationId;
    }
    const zoneSeats = await tx
      .select({ id: seats.id, zoneId: seats.zoneId })
      .from(seats)
      .where(inArray(seats.zoneId, zoneIds))
      .orderBy(asc(seats.zoneId), asc(seats.id));
    for (const seat of zoneSeats) {
      const list = records.seatIds.get(seat.zoneId);
      if (list) list.push(seat.id);
      else records.seatIds.set(seat.zoneId, [seat.id]);
    }
    records.bookings = live.map((booking): PostgresBooking => {
      const common = {
        booking_id: booking.reservationId,
        user_id: booking.userId,
        event_id: booking.eventId,
        show_id: booking.showId,
        zone_id: booking.zoneId,
        quantity: booking.quantity,
        created_at_ms: booking.createdAt.getTime(),
        seq: booking.seq,
        seat_ids: seatsOf.get(booking.id) ?? [],
        ...(booking.waitlistPosition !== null ? { waitlist_position: booking.waitlistPosition } : {}),
      };
      if (booking.status === "waitlisted") {
        // Waiting for a number of seats, none held; the place lapses when the booking window closes.
        return { ...common, status: "waitlisted", seat_ids: [], expires_at_ms: waiting.closesAtMs, hold_ms: waiting.holdMs };
      }
      return {
        ...common,
        status: booking.status as "reserved" | "confirmed",
        expires_at_ms: (booking.expiresAt ?? booking.createdAt).getTime(),
        ...(booking.confirmedAt ? { confirmed_at_ms: booking.confirmedAt.getTime() } : {}),
      };
    });
    return records;
  });
}

function eventFields(event: typeof events.$inferSelect): PostgresTruth["event"] {
  return {
    status: event.status === "cancelled" ? "cancelled" : "published",
    tenant_id: event.tenantId,
    opens_at_ms: event.bookingOpensAt.getTime(),
    closes_at_ms: event.bookingClosesAt.getTime(),
    max_per_user: event.maxTicketsPerUser,
    waitlist_limit: event.waitlistLimit,
    min_age: event.minAge ?? 0,
  };
}

/** Events whose inventory the reconciler looks after: published ones. */
export async function liveEventIds(db: Database): Promise<string[]> {
  const rows = await inScope(db, systemScope, (tx) => tx.select({ id: events.id }).from(events).where(eq(events.status, "published")));
  return rows.map((row) => row.id);
}
