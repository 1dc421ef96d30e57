/**
 * PostgreSQL's record of one event's inventory, as the reconciler compares and rebuilds from it:
 * the event, each zone's counts, its projector watermark (`zone_sync_state`) and the highest seq
 * the projector has seen at all, the seats sold, and every live booking (reserved or confirmed).
 */

import { bookingSeats, bookings, events, processedEvents, seatZones, zoneSyncState } from "@booking-rush/db/schema";
import type { Database } from "@booking-rush/lib/clients";
import type { BookingState } from "@booking-rush/lib/contracts";
import { inScope, systemScope } from "@booking-rush/lib/data";
import { inventoryOf } from "@booking-rush/lib/inventory";
import { and, eq, inArray, isNull } from "drizzle-orm";

export interface PostgresZone {
  id: string;
  showId: string;
  kind: "general" | "assigned";
  total: number;
  price: number;
  reserved: number;
  sold: number;
  /** The projector's watermark: every event up to it is applied. */
  appliedSeq: number;
  /** The highest seq applied at all (beyond a gap the watermark waits at). */
  highestSeq: number;
  /** Sequence numbers below highestSeq the projector never saw: events lost before Kafka (at most 100 listed). */
  missingSeqs: number[];
  seatIds: string[];
  /** seat id → reservation id of the confirmed booking holding it. */
  soldSeats: Record<string, string>;
}

/** A live booking as PostgreSQL has it, in the shape of the scripts' booking record (what a rebuild writes back). */
export type PostgresBooking = Omit<BookingState, "status" | "seat_ids" | "payment_id" | "closed_at_ms"> & {
  status: "reserved" | "confirmed";
  seat_ids: string[];
};

export interface PostgresTruth {
  event: { status: string; tenant_id: string; opens_at_ms: number; closes_at_ms: number; max_per_user: number };
  zones: PostgresZone[];
  bookings: PostgresBooking[];
}

export async function readPostgresTruth(db: Database, eventId: string, projectorConsumer: string): Promise<PostgresTruth | undefined> {
  return inScope(db, systemScope, async (tx) => {
    const [event] = await tx.select().from(events).where(eq(events.id, eventId));
    if (!event) return undefined;
    const inventory = await inventoryOf(tx, event);
    const zoneIds = inventory.shows.flatMap((show) => show.zones.map((zone) => zone.id));
    if (zoneIds.length === 0) return { event: eventFields(event), zones: [], bookings: [] };

    const counts = new Map((await tx.select().from(seatZones).where(inArray(seatZones.id, zoneIds))).map((zone) => [zone.id, zone]));
    const watermarks = new Map(
      (await tx.select().from(zoneSyncState).where(inArray(zoneSyncState.zoneId, zoneIds))).map((row) => [row.zoneId, row.lastAppliedSeq]),
    );
    const seen = new Map<string, number[]>();
    for (const row of await tx
      .select({ zoneId: processedEvents.zoneId, seq: processedEvents.seq })
      .from(processedEvents)
      .where(and(eq(processedEvents.consumer, projectorConsumer), inArray(processedEvents.zoneId, zoneIds)))
      .orderBy(processedEvents.seq)) {
      seen.set(row.zoneId!, [...(seen.get(row.zoneId!) ?? []), Number(row.seq)]);
    }
    const live = await tx
      .select()
      .from(bookings)
      .where(and(eq(bookings.eventId, eventId), inArray(bookings.status, ["reserved", "confirmed"])));
    const liveSeats = live.length
      ? await tx
          .select({ bookingId: bookingSeats.bookingId, seatId: bookingSeats.seatId })
          .from(bookingSeats)
          .where(
            and(
              inArray(
                bookingSeats.bookingId,
                live.map((booking) => booking.id),
              ),
              isNull(bookingSeats.releasedAt),
            ),
          )
      : [];
    const seatsOf = new Map<string, string[]>();
    for (const row of liveSeats) seatsOf.set(row.bookingId, [...(seatsOf.get(row.bookingId) ?? []), row.seatId]);

    const zones: PostgresZone[] = inventory.shows.flatMap((show) =>
      show.zones.map((zone) => {
        const row = counts.get(zone.id)!;
        const soldSeats: Record<string, string> = {};
        for (const booking of live) {
          if (booking.zoneId !== zone.id || booking.status !== "confirmed") continue;
          for (const seatId of seatsOf.get(booking.id) ?? []) soldSeats[seatId] = booking.reservationId;
        }
        const appliedSeq = watermarks.get(zone.id) ?? 0;
        const seqs = seen.get(zone.id) ?? [];
        const highestSeq = Math.max(appliedSeq, seqs.at(-1) ?? 0);
        return {
          id: zone.id,
          showId: show.id,
          kind: zone.kind,
          total: zone.seatIds?.length ?? zone.total,
          price: zone.price,
          reserved: row.reservedSeats,
          sold: row.soldSeats,
          appliedSeq,
          highestSeq,
          missingSeqs: gaps(seqs, appliedSeq, highestSeq),
          seatIds: zone.seatIds ?? [],
          soldSeats,
        };
      }),
    );
    return {
      event: eventFields(event),
      zones,
      bookings: live.map((booking) => ({
        booking_id: booking.reservationId,
        user_id: booking.userId,
        event_id: booking.eventId,
        show_id: booking.showId,
        zone_id: booking.zoneId,
        quantity: booking.quantity,
        status: booking.status as "reserved" | "confirmed",
        created_at_ms: booking.createdAt.getTime(),
        expires_at_ms: (booking.expiresAt ?? booking.createdAt).getTime(),
        seq: booking.seq,
        seat_ids: seatsOf.get(booking.id) ?? [],
        ...(booking.confirmedAt ? { confirmed_at_ms: booking.confirmedAt.getTime() } : {}),
      })),
    };
  });
}

/** Sequence numbers after the watermark and below the highest seen that never arrived. */
function gaps(seqs: number[], watermark: number, highest: number): number[] {
  const present = new Set(seqs);
  const missing: number[] = [];
  for (let seq = watermark + 1; seq < highest && missing.length < 100; seq += 1) if (!present.has(seq)) missing.push(seq);
  return missing;
}

function eventFields(event: typeof events.$inferSelect): PostgresTruth["event"] {
  return {
    status: event.status === "cancelled" ? "cancelled" : "published",
    tenant_id: event.tenantId,
    opens_at_ms: event.bookingOpensAt.getTime(),
    closes_at_ms: event.bookingClosesAt.getTime(),
    max_per_user: event.maxTicketsPerUser,
  };
}

/** Events whose inventory the reconciler looks after: published ones. */
export async function liveEventIds(db: Database): Promise<string[]> {
  const rows = await inScope(db, systemScope, (tx) => tx.select({ id: events.id }).from(events).where(eq(events.status, "published")));
  return rows.map((row) => row.id);
}
