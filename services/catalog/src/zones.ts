/**
 * Zones of a show (general admission, or assigned seating in rows) and what is left of them. Once
 * the event is published the counts come live from Redis, where the sale happens; before that
 * from PostgreSQL.
 */

import { type Event, events, type SeatZone, seats, seatZones, shows } from "@booking-rush/db/schema";
import type { AuthenticatedUser } from "@booking-rush/lib/auth";
import { inScope, scopeOf, type Transaction } from "@booking-rush/lib/data";
import { conflict, notFound, serviceUnavailable, validationError } from "@booking-rush/lib/errors";
import { eventKeys } from "@booking-rush/lib/inventory";
import { and, asc, eq } from "drizzle-orm";
import { ownedEvent } from "./event-access";
import type { Actor, CatalogStore } from "./store";
import { type ZoneCounts, zoneView } from "./views";

export type ZoneLayout = { kind: "general_admission"; totalSeats: number } | { kind: "assigned"; rows: { label: string; seats: number }[] };

/** The show and its event, or 404 when the caller may not see them. */
async function showWithEvent(tx: Transaction, showId: string) {
  const [row] = await tx
    .select({ show: shows, event: events })
    .from(shows)
    .innerJoin(events, eq(events.id, shows.eventId))
    .where(eq(shows.id, showId));
  if (!row) throw notFound("Show");
  return row;
}

export async function createZone(
  store: CatalogStore,
  actor: Actor,
  showId: string,
  zone: { name: string; price: number; layout: ZoneLayout },
) {
  const rows = zone.layout.kind === "assigned" ? zone.layout.rows : [];
  const labels = rows.map((row) => row.label);
  if (new Set(labels).size !== labels.length) throw validationError([{ in: "body", field: "rows", message: "row labels must be unique" }]);
  const totalSeats = zone.layout.kind === "assigned" ? rows.reduce((sum, row) => sum + row.seats, 0) : zone.layout.totalSeats;
  // Drafts are never cached, so there is no page to invalidate.
  return inScope(store.db, scopeOf(actor.user), async (tx) => {
    const { event } = await showWithEvent(tx, showId);
    await ownedEvent(tx, actor.user, event.id);
    if (event.status !== "draft") throw conflict("Zones can only be added while the event is a draft", { status: event.status });
    const [duplicate] = await tx
      .select({ id: seatZones.id })
      .from(seatZones)
      .where(and(eq(seatZones.showId, showId), eq(seatZones.name, zone.name)));
    if (duplicate) throw conflict("A zone of this show already has that name", { field: "name" });
    const [created] = await tx
      .insert(seatZones)
      .values({ showId, name: zone.name, kind: zone.layout.kind, price: zone.price, totalSeats, availableSeats: totalSeats })
      .returning();
    if (rows.length > 0) {
      const seatRows = rows.flatMap((row) =>
        Array.from({ length: row.seats }, (_, index) => ({ zoneId: created!.id, rowLabel: row.label, seatNumber: index + 1 })),
      );
      // Bounded batches: a large venue is tens of thousands of seats.
      for (let start = 0; start < seatRows.length; start += 1_000) await tx.insert(seats).values(seatRows.slice(start, start + 1_000));
    }
    const counts = { available: totalSeats, reserved: 0, sold: 0, waitlisted: 0 };
    return zoneView(created!, counts, rows.length > 0 ? rows : undefined);
  });
}

/** Live counts of published zones from Redis (one round trip); PostgreSQL's for the rest. */
async function liveCounts(store: CatalogStore, event: Event, zones: SeatZone[]): Promise<ZoneCounts[]> {
  const fromDatabase = (zone: SeatZone) => ({
    available: zone.availableSeats,
    reserved: zone.reservedSeats,
    sold: zone.soldSeats,
    waitlisted: 0,
  });
  if (event.status === "draft" || zones.length === 0) return zones.map(fromDatabase);
  const keys = eventKeys(event.id);
  let replies: [Error | null, unknown][];
  try {
    const pipeline = store.redis.pipeline();
    for (const zone of zones) pipeline.hmget(keys.zone(zone.id), "total", "reserved", "sold", "waitlisted");
    replies = ((await pipeline.exec()) ?? []) as [Error | null, unknown][];
  } catch {
    throw serviceUnavailable("redis");
  }
  return zones.map((zone, index) => {
    const [error, values] = replies[index] ?? [null, null];
    const [total, reserved, sold, waitlisted] = ((values as (string | null)[] | null) ?? []).map((value) =>
      value === null ? null : Number(value),
    );
    if (error || total === null || total === undefined) return fromDatabase(zone);
    // Seats free while buyers wait are theirs (the waitlist is served first): none for a newcomer.
    const free = total - (reserved ?? 0) - (sold ?? 0);
    return { available: waitlisted ? 0 : free, reserved: reserved ?? 0, sold: sold ?? 0, waitlisted: waitlisted ?? 0 };
  });
}

export async function showZones(store: CatalogStore, viewer: AuthenticatedUser | null, showId: string) {
  const { event, zones, seatRows } = await inScope(store.db, scopeOf(viewer), async (tx) => {
    const { event } = await showWithEvent(tx, showId);
    const zones = await tx
      .select()
      .from(seatZones)
      .where(eq(seatZones.showId, showId))
      .orderBy(asc(seatZones.sortOrder), asc(seatZones.name));
    const seatRows = await tx
      .select({ zoneId: seats.zoneId, label: seats.rowLabel, seatNumber: seats.seatNumber })
      .from(seats)
      .innerJoin(seatZones, eq(seatZones.id, seats.zoneId))
      .where(eq(seatZones.showId, showId));
    return { event, zones, seatRows };
  });
  const counts = await liveCounts(store, event, zones);
  return zones.map((zone, index) => {
    if (zone.kind !== "assigned") return zoneView(zone, counts[index]!);
    const rows = new Map<string, number>();
    for (const seat of seatRows) if (seat.zoneId === zone.id) rows.set(seat.label, Math.max(rows.get(seat.label) ?? 0, seat.seatNumber));
    return zoneView(
      zone,
      counts[index]!,
      [...rows].map(([label, count]) => ({ label, seats: count })),
    );
  });
}

/** The seat map of an assigned-seating zone with each seat's live state. */
export async function seatMap(store: CatalogStore, viewer: AuthenticatedUser | null, showId: string, zoneId: string) {
  const { event, zoneSeats } = await inScope(store.db, scopeOf(viewer), async (tx) => {
    const { event } = await showWithEvent(tx, showId);
    const [zone] = await tx
      .select()
      .from(seatZones)
      .where(and(eq(seatZones.id, zoneId), eq(seatZones.showId, showId)));
    if (!zone) throw notFound("Zone");
    const zoneSeats = await tx.select().from(seats).where(eq(seats.zoneId, zoneId)).orderBy(asc(seats.rowLabel), asc(seats.seatNumber));
    return { event, zoneSeats };
  });
  let states: (string | null)[] = zoneSeats.map(() => "");
  if (event.status !== "draft" && zoneSeats.length > 0) {
    try {
      states = await store.redis.hmget(eventKeys(event.id).zoneSeats(zoneId), ...zoneSeats.map((seat) => seat.id));
    } catch {
      throw serviceUnavailable("redis");
    }
  }
  return zoneSeats.map((seat, index) => {
    const state = states[index] ?? "";
    return {
      id: seat.id,
      zone_id: seat.zoneId,
      row_label: seat.rowLabel,
      seat_number: seat.seatNumber,
      state: state.startsWith("sold:") ? ("sold" as const) : state.startsWith("held:") ? ("held" as const) : ("available" as const),
    };
  });
}
