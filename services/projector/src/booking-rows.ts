/**
 * A booking's row in PostgreSQL from the booking as the Redis scripts recorded it at some zone
 * sequence number. Written by the projector (every booking event) and by the payment service (a
 * payment needs its booking's row at once, before the projector may have caught up): both upsert,
 * and an upsert never takes a row back to an older sequence number, so the two never conflict.
 */

import { bookingSeats, bookings, events, seatZones, shows } from "@booking-rush/db/schema";
import type { BookingState } from "@booking-rush/lib/contracts";
import type { Transaction } from "@booking-rush/lib/data";
import { eq, inArray, sql } from "drizzle-orm";

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
 * Upserts each booking at its state (the newest per booking when several are given); a row already
 * at a later sequence number is left as it is. Seats of a closed booking are born released (trigger
 * booking_seats_inherit_release). Every zone must be in `facts`. Resolves to the row id by booking id.
 */
export async function upsertBookingStates(
  tx: Transaction,
  states: BookingState[],
  facts: Map<string, ZoneFacts>,
): Promise<Map<string, string>> {
  const newest = new Map<string, BookingState>();
  for (const state of states) {
    const current = newest.get(state.booking_id);
    if (!current || current.seq < state.seq) newest.set(state.booking_id, state);
  }
  if (newest.size === 0) return new Map();
  const rows = [...newest.values()].map((booking) => {
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
      expiresAt: new Date(booking.expires_at_ms),
      confirmedAt: dateOf(booking.confirmed_at_ms),
      cancelledAt: booking.status === "cancelled" ? dateOf(booking.closed_at_ms) : null,
      expiredAt: booking.status === "expired" ? dateOf(booking.closed_at_ms) : null,
      seq: booking.seq,
      createdAt: new Date(booking.created_at_ms),
    };
  });
  await tx
    .insert(bookings)
    .values(rows)
    .onConflictDoUpdate({
      target: bookings.reservationId,
      set: {
        status: sql`excluded.status`,
        confirmedAt: sql`excluded.confirmed_at`,
        cancelledAt: sql`excluded.cancelled_at`,
        expiredAt: sql`excluded.expired_at`,
        seq: sql`excluded.seq`,
      },
      // Never back in time: an older state arriving late changes nothing.
      setWhere: sql`${bookings.seq} < excluded.seq`,
    });
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

/** The projector's name in `processed_events` (the reconciler reads how far it got). */
export const projectorConsumer = "projector";
