/**
 * What the benchmark reads back from the stores after a leg: each zone's counters in Redis (no
 * oversell), whether every booking id a 201 carried is a booking in Redis, the outbox's backlog,
 * and whether PostgreSQL has caught up with Redis (the reconciler's "clean" verdict per zone, and
 * as many live bookings as Redis holds seats).
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { bookings, seatZones, zoneSyncState } from "@booking-rush/db/schema";
import type { Database, Redis } from "@booking-rush/lib/clients";
import { inScope, systemScope } from "@booking-rush/lib/data";
import { eventKeys, outboxGroup } from "@booking-rush/lib/inventory";
import { classifyZone, type PostgresZone, type RedisZone } from "@booking-rush/reconciler";
import { and, count, eq, inArray } from "drizzle-orm";
import type { Check } from "./report";
import type { Sale } from "./sale";

export async function redisZones(redis: Redis, sale: Sale): Promise<Map<string, RedisZone>> {
  const keys = eventKeys(sale.eventId);
  const zones = new Map<string, RedisZone>();
  for (const zoneId of sale.zoneIds) {
    const [total, reserved, sold, waitlisted, seq] = (
      await redis.hmget(keys.zone(zoneId), "total", "reserved", "sold", "waitlisted", "seq")
    ).map(Number);
    zones.set(zoneId, { total: total!, reserved: reserved!, sold: sold!, waitlisted: waitlisted!, seq: seq! });
  }
  return zones;
}

/** Seats held or sold, over every zone. */
export const seatsTaken = (zones: Map<string, RedisZone>) => [...zones.values()].reduce((sum, zone) => sum + zone.reserved + zone.sold, 0);

export function noOversell(zones: Map<string, RedisZone>): Check {
  const over = [...zones.entries()].filter(([, zone]) => !(zone.reserved + zone.sold <= zone.total));
  const detail = [...zones.values()].map((zone) => `${zone.reserved + zone.sold}/${zone.total}`).join(", ");
  return {
    name: "no oversell",
    passed: over.length === 0 && zones.size > 0,
    detail: `held+sold/total per zone ${detail}${over.length > 0 ? `; over: ${over.map(([id]) => id).join(", ")}` : ""}`,
  };
}

/** The booking ids wrk-reserve.lua wrote (one file per wrk thread). */
export function bookingIdsOf(directory: string): string[] {
  return readdirSync(directory)
    .filter((name) => name.startsWith("ids-"))
    .flatMap((name) => readFileSync(join(directory, name), "utf8").split("\n"))
    .filter((line) => line.length > 0);
}

/** Every 201's booking id is a booking record of the sale in Redis, each answered once. */
export async function bookingsExist(redis: Redis, sale: Sale, bookingIds: string[], created: number): Promise<Check> {
  const keys = eventKeys(sale.eventId);
  let missing = 0;
  for (let index = 0; index < bookingIds.length; index += 1_000) {
    const pipeline = redis.pipeline();
    for (const bookingId of bookingIds.slice(index, index + 1_000)) pipeline.exists(keys.booking(bookingId));
    for (const [error, exists] of (await pipeline.exec()) ?? []) if (error || exists !== 1) missing += 1;
  }
  const distinct = new Set(bookingIds).size;
  const passed = missing === 0 && distinct === bookingIds.length && bookingIds.length === created;
  return {
    name: "every 201's booking exists in Redis",
    passed,
    detail: `${bookingIds.length} booking ids from ${created} answers 201, ${distinct} distinct, ${missing} missing in Redis`,
  };
}

/** Entries still in the sale's outbox stream and entries read by a relay but not yet acknowledged. */
export async function outboxBacklog(redis: Redis, sale: Sale): Promise<{ length: number; pending: number }> {
  const stream = eventKeys(sale.eventId).outbox;
  const length = await redis.xlen(stream);
  const summary = (await redis.xpending(stream, outboxGroup).catch(() => [0])) as [number, ...unknown[]];
  return { length, pending: Number(summary[0] ?? 0) };
}

export interface Agreement {
  equal: boolean;
  /** Zones by the reconciler's verdict, e.g. { clean: 3 } or { ahead: 2, clean: 1 }. */
  verdicts: Record<string, number>;
  postgresLiveBookings: number;
  redisSeats: number;
}

/**
 * PostgreSQL equals Redis for the sale: every zone "clean" by the reconciler's classifyZone (same
 * seq as the projector's watermark, same total, reserved and sold), and PostgreSQL has one live
 * booking per seat Redis holds (every request takes one seat).
 */
export async function postgresAgrees(db: Database, redis: Redis, sale: Sale): Promise<Agreement> {
  const zones = await redisZones(redis, sale);
  const { rows, watermarks, live } = await inScope(db, systemScope, async (tx) => ({
    rows: await tx.select().from(seatZones).where(inArray(seatZones.id, sale.zoneIds)),
    watermarks: await tx.select().from(zoneSyncState).where(inArray(zoneSyncState.zoneId, sale.zoneIds)),
    live: await tx
      .select({ value: count() })
      .from(bookings)
      .where(and(eq(bookings.eventId, sale.eventId), inArray(bookings.status, ["reserved", "confirmed"]))),
  }));
  const applied = new Map(watermarks.map((row) => [row.zoneId, row.lastAppliedSeq]));
  const verdicts: Record<string, number> = {};
  for (const row of rows) {
    const postgresZone = {
      total: row.totalSeats,
      reserved: row.reservedSeats,
      sold: row.soldSeats,
      waitlisted: 0, // the benchmark never joins a waitlist (Redis' zones say 0 too)
      appliedSeq: applied.get(row.id) ?? 0,
      highestSeq: applied.get(row.id) ?? 0,
    } as PostgresZone;
    const verdict = classifyZone(true, zones.get(row.id), postgresZone);
    verdicts[verdict] = (verdicts[verdict] ?? 0) + 1;
  }
  const postgresLiveBookings = Number(live[0]?.value ?? 0);
  const redisSeats = seatsTaken(zones);
  const equal = verdicts.clean === sale.zoneIds.length && postgresLiveBookings === redisSeats;
  return { equal, verdicts, postgresLiveBookings, redisSeats };
}
