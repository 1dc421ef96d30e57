/**
 * The reconciliation check every pipeline test ends with: a zone's counts and sequence in Redis,
 * and its counts and applied sequence in PostgreSQL; once the projector reached Redis' sequence
 * the two must be equal, exactly.
 */
import { expect } from "bun:test";
import * as schema from "@booking-rush/db/schema";
import { eventKeys } from "@booking-rush/lib/inventory";
import { eq } from "drizzle-orm";
import type { Redis } from "ioredis";
import type { CatalogFixture } from "./catalog-fixture";
import { eventually } from "./eventually";

export async function bothSides(redis: Redis, catalog: CatalogFixture, eventId: string, zoneId: string) {
  const [total = 0, reserved = 0, sold = 0, seq = 0] = (
    await redis.hmget(eventKeys(eventId).zone(zoneId), "total", "reserved", "sold", "seq")
  ).map(Number);
  const database = await catalog.asSystem(async (tx) => {
    const [zone] = await tx.select().from(schema.seatZones).where(eq(schema.seatZones.id, zoneId));
    const [sync] = await tx.select().from(schema.zoneSyncState).where(eq(schema.zoneSyncState.zoneId, zoneId));
    return { total: zone!.totalSeats, reserved: zone!.reservedSeats, sold: zone!.soldSeats, seq: sync?.lastAppliedSeq ?? 0 };
  });
  return { redis: { total, reserved, sold, seq }, database };
}

/** Waits until PostgreSQL equals Redis for the zone (counts and sequence). */
export async function zoneCaughtUp(redis: Redis, catalog: CatalogFixture, eventId: string, zoneId: string) {
  await eventually(
    async () => {
      const sides = await bothSides(redis, catalog, eventId, zoneId);
      expect(sides.database).toEqual(sides.redis);
    },
    { timeoutMs: 60_000, intervalMs: 100 },
  );
}
