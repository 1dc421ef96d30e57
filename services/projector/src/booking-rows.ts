/**
 * A booking's row in PostgreSQL from the booking as the Redis scripts recorded it at some zone
 * sequence number. Written by the projector (every booking event) and by the payment service (a
 * payment needs its booking's row at once, before the projector may have caught up): both upsert,
 * and an upsert never takes a row back to an older sequence number, so the two never conflict.
 *
 * The zone's counters (`seat_zones` reserved and sold) change in the same transaction by what the
 * rows written add and remove, so their cost is O(rows written), not O(bookings of the zone): every
 * writer of booking rows comes through here, and the counters are the sums over the zone's rows.
 */

import { bookingSeats, bookings, events, seatZones, shows } from "@booking-rush/db/schema";
import type { BookingState } from "@booking-rush/lib/contracts";
import type { Transaction } from "@booking-rush/lib/data";
import { and, eq, inArray, sql } from "drizzle-orm";

export interface ZoneFacts {
  id: string;
  price: number;
  showId: string;
  eventId: string;
  tenantId: string;
  currency: string;
}

/** What a booking row takes from its zone and event (price, tenant, currency), by zone id. */
export async function zoneFacts(tx: Transaction, zoneIds: string[]): Promise<Map<string, ZoneFacts>> {
  if (zoneIds.length === 0) return new Map();
  const rows = await tx
    .select({
      id: seatZones.id,
      price: seatZones.price,
      showId: seatZones.showId,
      eventId: shows.eventId,
      tenantId: events.tenantId,
      currency: events.currency,
    })
    .from(seatZones)
    .innerJoin(shows, eq(shows.id, seatZones.showId))
    .innerJoin(events, eq(events.id, shows.eventId))
    .where(inArray(seatZones.id, [...new Set(zoneIds)]));
  return new Map(rows.map((zone) => [zone.id, zone]));
}

const dateOf = (ms: number | undefined) => (ms === undefined ? null : new Date(ms));

/**
 * A booking's state as a row takes it: the record, and why it was cancelled when the event that
 * carried it says so (the record itself does not: booking.waitlist_closed is a cancelled record).
 */
export type BookingRowState = BookingState & { cancel_reason?: CancelReason };

/** `bookings.cancel_reason` values the writers set. */
export type CancelReason = "waitlist_closed";

/**
 * Upserts each booking at its state (the newest per booking when several are given); a row already
 * at a later sequence number is left as it is. Seats of a closed booking are born released (trigger
 * booking_seats_inherit_release). Every zone must be in `facts`. Resolves to the row id by booking id.
 */
export async function upsertBookingStates(
  tx: Transaction,
  states: BookingRowState[],
  facts: Map<string, ZoneFacts>,
): Promise<Map<string, string>> {
  const newest = new Map<string, BookingRowState>();
  for (const state of states) {
    const current = newest.get(state.booking_id);
    if (!current || current.seq < state.seq) newest.set(state.booking_id, state);
  }
  // PostgreSQL binds at most 65,535 parameters per statement (a booking row takes 19), so a large
  // batch is written in chunks. Seats given back go first and new holds (promotions included) after
  // them, so the zone counters between two chunks never hold more than before or after the whole
  // batch (their CHECKs hold). Waiting places hold no seats and come last: a place that ends in the
  // batch (promoted, left, closed) is gone before the same buyer's next place in the zone is
  // written (one waiting place per buyer and zone: bookings_waitlist_zone_id_user_id_key).
  const rankOf: Record<BookingState["status"], number> = { cancelled: 0, expired: 0, confirmed: 1, reserved: 2, waitlisted: 3 };
  const rank = (state: BookingState) => rankOf[state.status];
  const all = [...newest.values()].sort((a, b) => rank(a) - rank(b));
  const ids = new Map<string, string>();
  for (let start = 0; start < all.length; start += rowsPerStatement) {
    for (const [bookingId, id] of await upsertChunk(tx, all.slice(start, start + rowsPerStatement), facts)) ids.set(bookingId, id);
  }
  return ids;
}

/** A backlog the projector catches up on can hold thousands of bookings in one batch. */
export const rowsPerStatement = 1_000;

async function upsertChunk(tx: Transaction, states: BookingRowState[], facts: Map<string, ZoneFacts>): Promise<Map<string, string>> {
  const newest = new Map(states.map((state) => [state.booking_id, state]));
  const rows = states.map((booking) => {
    const zone = facts.get(booking.zone_id);
    if (!zone) throw new Error(`zone ${booking.zone_id} of booking ${booking.booking_id} is not known`);
    return {
      reservationId: booking.booking_id,
      userId: booking.user_id,
      tenantId: zone.tenantId,
      eventId: booking.event_id,
      showId: booking.show_id,
      zoneId: booking.zone_id,
      status: booking.status,
      quantity: booking.quantity,
      unitPrice: zone.price,
      totalAmount: zone.price * booking.quantity,
      currency: zone.currency,
      // A hold's end; while waitlisted, the end of the booking window. A promotion gives a new one.
      expiresAt: new Date(booking.expires_at_ms),
      waitlistPosition: booking.waitlist_position ?? null,
      confirmedAt: dateOf(booking.confirmed_at_ms),
      cancelledAt: booking.status === "cancelled" ? dateOf(booking.closed_at_ms) : null,
      cancelReason: booking.status === "cancelled" ? (booking.cancel_reason ?? null) : null,
      expiredAt: booking.status === "expired" ? dateOf(booking.closed_at_ms) : null,
      seq: booking.seq,
      createdAt: new Date(booking.created_at_ms),
    };
  });
  // The rows as they are before this write, locked: what the counters hold of them now.
  const before = new Map(
    (
      await tx
        .select({ reservationId: bookings.reservationId, zoneId: bookings.zoneId, status: bookings.status, quantity: bookings.quantity })
        .from(bookings)
        .where(inArray(bookings.reservationId, [...newest.keys()]))
        .for("update")
    ).map((row) => [row.reservationId, row]),
  );
  const written = await tx
    .insert(bookings)
    .values(rows)
    .onConflictDoUpdate({
      target: bookings.reservationId,
      set: {
        status: sql`excluded.status`,
        expiresAt: sql`excluded.expires_at`,
        // The place a booking had in the waitlist stays after its promotion.
        waitlistPosition: sql`coalesce(excluded.waitlist_position, ${bookings.waitlistPosition})`,
        confirmedAt: sql`excluded.confirmed_at`,
        cancelledAt: sql`excluded.cancelled_at`,
        cancelReason: sql`excluded.cancel_reason`,
        expiredAt: sql`excluded.expired_at`,
        seq: sql`excluded.seq`,
      },
      // Never back in time: an older state arriving late changes nothing.
      setWhere: sql`${bookings.seq} < excluded.seq`,
    })
    .returning({
      reservationId: bookings.reservationId,
      zoneId: bookings.zoneId,
      status: bookings.status,
      quantity: bookings.quantity,
      inserted: sql<boolean>`(xmax = 0)`,
    });
  await countWrittenRows(tx, before, written);
  const ids = new Map(
    (
      await tx
        .select({ id: bookings.id, reservationId: bookings.reservationId })
        .from(bookings)
        .where(inArray(bookings.reservationId, [...newest.keys()]))
    ).map((row) => [row.reservationId, row.id]),
  );
  const seatRows = [...newest.values()].flatMap((booking) =>
    (booking.seat_ids ?? []).map((seatId) => ({ bookingId: ids.get(booking.booking_id)!, seatId })),
  );
  if (seatRows.length > 0) await tx.insert(bookingSeats).values(seatRows).onConflictDoNothing();
  return ids;
}

interface CountedRow {
  zoneId: string;
  status: string;
  quantity: number;
}

/**
 * Moves each zone's counters by what the rows written changed: a row's old state out, its new one
 * in. Only reserved (held) and confirmed (sold) rows count: a waiting booking holds no seat, so it
 * joining or leaving the waitlist moves nothing and its promotion counts as a new hold. A row another transaction inserted after the look before the write (a payment and the
 * projector writing the same new booking at once) has an old state this one never saw: its zone is
 * counted again from its rows, which is correct whatever happened, and rare.
 */
async function countWrittenRows(
  tx: Transaction,
  before: Map<string, CountedRow>,
  written: (CountedRow & { reservationId: string; inserted: boolean })[],
) {
  const deltas = new Map<string, { reserved: number; sold: number }>();
  const recount = new Set<string>();
  const add = (row: CountedRow, sign: 1 | -1) => {
    if (row.status !== "reserved" && row.status !== "confirmed") return;
    const delta = deltas.get(row.zoneId) ?? { reserved: 0, sold: 0 };
    delta[row.status === "reserved" ? "reserved" : "sold"] += sign * row.quantity;
    deltas.set(row.zoneId, delta);
  };
  for (const row of written) {
    const old = before.get(row.reservationId);
    if (!old && !row.inserted) recount.add(row.zoneId);
    else {
      add(row, 1);
      if (old) add(old, -1);
    }
  }
  // In zone order, one statement per zone with its net change: the CHECKs hold before and after.
  for (const zoneId of [...deltas.keys()].sort()) {
    const { reserved, sold } = deltas.get(zoneId)!;
    if (recount.has(zoneId) || (reserved === 0 && sold === 0)) continue;
    await tx
      .update(seatZones)
      .set({
        reservedSeats: sql`${seatZones.reservedSeats} + ${reserved}`,
        soldSeats: sql`${seatZones.soldSeats} + ${sold}`,
        availableSeats: sql`${seatZones.availableSeats} - ${reserved + sold}`,
      })
      .where(eq(seatZones.id, zoneId));
  }
  await recountZones(tx, [...recount].sort());
}

/** A zone's counters from all its rows (the fallback of countWrittenRows). */
async function recountZones(tx: Transaction, zoneIds: string[]) {
  for (const zoneId of zoneIds) {
    const [counts] = await tx
      .select({
        reserved: sql<number>`coalesce(sum(${bookings.quantity}) filter (where ${bookings.status} = 'reserved'), 0)::int`.mapWith(Number),
        sold: sql<number>`coalesce(sum(${bookings.quantity}) filter (where ${bookings.status} = 'confirmed'), 0)::int`.mapWith(Number),
      })
      .from(bookings)
      .where(and(eq(bookings.zoneId, zoneId), inArray(bookings.status, ["reserved", "confirmed"])));
    await tx
      .update(seatZones)
      .set({
        reservedSeats: counts!.reserved,
        soldSeats: counts!.sold,
        availableSeats: sql`${seatZones.totalSeats} - ${counts!.reserved + counts!.sold}`,
      })
      .where(eq(seatZones.id, zoneId));
  }
}

/** The projector's name in `processed_events` (the reconciler reads how far it got). */
export const projectorConsumer = "projector";
