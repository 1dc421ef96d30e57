/**
 * An event's inventory as PostgreSQL holds it, in the shape the booking scripts load: what
 * publishing loads into Redis, and what the reconciler rebuilds it from.
 */

import { type Event, seats, seatZones, shows } from "@booking-rush/db/schema";
import { asc, eq, inArray } from "drizzle-orm";
import type { Transaction } from "../data/tenant-scope";
import type { EventInventory } from "./load";
import { queueSettingsOf } from "./queue-settings";

export async function inventoryOf(tx: Transaction, event: Event): Promise<EventInventory> {
  const eventShows = await tx.select().from(shows).where(eq(shows.eventId, event.id)).orderBy(asc(shows.startsAt));
  const showIds = eventShows.map((show) => show.id);
  const zones = showIds.length ? await tx.select().from(seatZones).where(inArray(seatZones.showId, showIds)) : [];
  const zoneIds = zones.map((zone) => zone.id);
  const zoneSeats = zoneIds.length
    ? await tx.select({ id: seats.id, zoneId: seats.zoneId }).from(seats).where(inArray(seats.zoneId, zoneIds))
    : [];
  return {
    id: event.id,
    tenantId: event.tenantId,
    opensAt: event.bookingOpensAt,
    closesAt: event.bookingClosesAt,
    maxTicketsPerUser: event.maxTicketsPerUser,
    waitlistLimit: event.waitlistLimit,
    minAge: event.minAge ?? 0,
    queue: queueSettingsOf(event),
    shows: eventShows.map((show) => ({
      id: show.id,
      zones: zones
        .filter((zone) => zone.showId === show.id)
        .map((zone) => ({
          id: zone.id,
          kind: zone.kind === "assigned" ? ("assigned" as const) : ("general" as const),
          total: zone.totalSeats,
          price: zone.price,
          ...(zone.kind === "assigned" ? { seatIds: zoneSeats.filter((seat) => seat.zoneId === zone.id).map((seat) => seat.id) } : {}),
        })),
    })),
  };
}
