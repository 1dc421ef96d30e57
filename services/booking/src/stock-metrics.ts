/**
 * Live stock per zone, `inventory_seats{zone,state}`, and the bookings waiting in its waitlist. The booking service owns the hot inventory
 * and always runs, so it exports it (the reconciler, a CronJob, is gone before a scrape): sampled
 * from Redis in the background for every zone of every loaded event, a scrape does no I/O.
 *
 * Which zones an event has is not kept in Redis apart from the zone hashes themselves, and the
 * keyspace is never scanned: the zone ids come from PostgreSQL, read once per newly loaded event
 * and again for all of them every `zonesRefreshMs` (zones change while an event is drafted, rarely
 * after). With PostgreSQL down the zones already known go on being sampled.
 */

import { seatZones, shows } from "@booking-rush/db/schema";
import { type Database, pipelineReplies, type Redis } from "@booking-rush/lib/clients";
import { inScope, systemScope } from "@booking-rush/lib/data";
import { eventKeys, eventRegistryKey } from "@booking-rush/lib/inventory";
import { Gauge, type Metrics, type SamplingOptions, sampleInBackground } from "@booking-rush/lib/observability";
import { eq, inArray } from "drizzle-orm";

export interface StockSampling extends SamplingOptions {
  /** How often every loaded event's zones are read from PostgreSQL again. */
  zonesRefreshMs?: number;
}

/** Event ids are UUIDs in PostgreSQL; anything else in the registry has no zones there to find. */
const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function registerStockMetrics(metrics: Metrics, sources: { redis: Redis; db: Database }, sampling: StockSampling = {}) {
  const seats = new Gauge({
    name: "inventory_seats",
    help: "A zone's seats in Redis, by state: total, available, reserved, sold (stock left per zone); state waitlisted: bookings waiting for seats (sampled in the background)",
    labelNames: ["zone", "state"],
    registers: [metrics.registry],
  });
  const zonesOf = zoneDirectory(sources.db, sampling.zonesRefreshMs ?? 60_000);
  sampleInBackground(
    metrics,
    "inventory_seats",
    async () => {
      const { zones, complete } = await zonesOf(await sources.redis.smembers(eventRegistryKey));
      const pipeline = sources.redis.pipeline();
      for (const { eventId, zoneId } of zones) pipeline.hmget(eventKeys(eventId).zone(zoneId), "total", "reserved", "sold", "waitlisted");
      const replies = zones.length > 0 ? await pipelineReplies(pipeline) : [];
      // Replaced in one synchronous step: a scrape sees one whole sample, and a zone that left is gone.
      seats.reset();
      zones.forEach(({ zoneId }, index) => {
        const [total, reserved, sold, waitlisted] = replies[index] as (string | null)[];
        // Not in Redis (lost): nothing to show; the reconciler reports and rebuilds it.
        if (total === null) return;
        const counts = { total: Number(total), reserved: Number(reserved ?? 0), sold: Number(sold ?? 0) };
        seats.set({ zone: zoneId, state: "total" }, counts.total);
        seats.set({ zone: zoneId, state: "available" }, counts.total - counts.reserved - counts.sold);
        seats.set({ zone: zoneId, state: "reserved" }, counts.reserved);
        seats.set({ zone: zoneId, state: "sold" }, counts.sold);
        // Absent until the zone's first waiting booking: 0, so the panel has a series from the start.
        seats.set({ zone: zoneId, state: "waitlisted" }, Number(waitlisted ?? 0));
      });
      // The known zones are fresh, but a new event's are missing: let the sample's age say so.
      if (!complete) throw new Error("the zones of a loaded event could not be read from PostgreSQL");
    },
    sampling,
  );
  return seats;
}

/**
 * Zone ids of the given events, from PostgreSQL, kept between samples: an event not known yet is
 * read at once, every event again once `refreshMs` has passed since the last full read. `complete`
 * is false when a read failed (the zones known before are still returned).
 */
function zoneDirectory(db: Database, refreshMs: number) {
  let known = new Map<string, string[]>();
  let fullReadAtMs = Number.NEGATIVE_INFINITY;
  return async (eventIds: string[]) => {
    const full = Date.now() - fullReadAtMs >= refreshMs;
    const toRead = (full ? eventIds : eventIds.filter((eventId) => !known.has(eventId))).filter((eventId) => uuidPattern.test(eventId));
    let complete = true;
    if (toRead.length > 0) {
      try {
        const rows = await inScope(db, systemScope, (tx) =>
          tx
            .select({ eventId: shows.eventId, zoneId: seatZones.id })
            .from(seatZones)
            .innerJoin(shows, eq(shows.id, seatZones.showId))
            .where(inArray(shows.eventId, toRead)),
        );
        // A full read starts over, so events that left the registry are forgotten.
        const next = full ? new Map<string, string[]>() : known;
        for (const eventId of toRead) next.set(eventId, []);
        for (const row of rows) next.get(row.eventId)?.push(row.zoneId);
        known = next;
        if (full) fullReadAtMs = Date.now();
      } catch {
        complete = false;
      }
    }
    return { zones: eventIds.flatMap((eventId) => (known.get(eventId) ?? []).map((zoneId) => ({ eventId, zoneId }))), complete };
  };
}
