/**
 * One reconciliation of one event: compare every zone, wait for the projector where Redis is
 * ahead, and repair or rebuild under the event's lock with a fencing token (classify.ts has the
 * policy). Nothing of the event's inventory is locked or written while every zone is clean. Every zone that was not clean
 * is reported: a log line, its discrepancy recorded in Redis (exported by the booking service as
 * `inventory_discrepancy{zone}`, reconciliation-record.ts) and an `inventory.discrepancy` event.
 * PostgreSQL is only read.
 */
import { type Database, type DurableScripts, type Locks, pipelineReplies, type Redis, StaleLockError } from "@booking-rush/lib/clients";
import { AppError } from "@booking-rush/lib/errors";
import { bookingEventKey, eventKeys, eventRegistryKey, outboxGroup, showEventKey, userBookingsKey } from "@booking-rush/lib/inventory";
import { currentTraceparent, type Logger } from "@booking-rush/lib/observability";
import { classifyZone, discrepancy, type Verdict } from "./classify";
import type { DiscrepancyPublisher } from "./discrepancy-publisher";
import { type PostgresTruth, readPostgresTruth, readZoneRecords } from "./postgres-side";
import { type ReconciledZone, recordReconciledEvent, type ZoneOutcome } from "./reconciliation-record";
import { type RedisZone, readRedisSide } from "./redis-side";
import { rebuildZonesScript, repairZoneScript, restoreBookingsScript } from "./repair-scripts";

export interface ReconcileDependencies {
  db: Database;
  redis: Redis;
  scripts: DurableScripts;
  locks: Locks;
  publisher: DiscrepancyPublisher;
  logger: Logger;
}

export interface ReconcileOptions {
  lock: { ttlMs: number; waitMs: number };
  /** How long to wait for the projector to reach Redis' sequence before reporting lag. */
  lagWaitMs: number;
  lagPollMs: number;
  /** Replicas that must acknowledge the fencing token (0 without a replica). */
  fenceReplicas: number;
  recordTtlSeconds: number;
  /** The booking service's hold time: what a restored waiting place's promotion will hold (its hold_ms). */
  holdMs: number;
  /** How long an event's discrepancy record is exported when no reconciliation replaces it. */
  discrepancyTtlSeconds: number;
  projectorConsumer: string;
  /** Booking events in Kafka the projector has not applied yet (its consumer group's lag). */
  projectorLag: () => Promise<number>;
  /** Test hook: runs once the lock and the fencing token are held, before anything is written. */
  beforeWrite?: (token: number) => Promise<void> | void;
}

export interface ZoneReport {
  eventId: string;
  zoneId: string;
  verdict: Verdict;
  outcome: ZoneOutcome;
  redis?: RedisZone;
  postgres: { total: number; reserved: number; sold: number; waitlisted: number; appliedSeq: number; highestSeq: number };
  /** Rebuilds: bookings PostgreSQL had that Redis had lost, now restored. */
  restoredBookings?: number;
  /**
   * Rebuilds: bookings acknowledged with a seq after this one, or at one of `missingSeqs`, never
   * reached Kafka before Redis lost them: they are gone, and this is where they are reported.
   */
  lostAfterSeq?: number;
  missingSeqs?: number[];
}

interface Snapshot {
  truth: PostgresTruth;
  eventPresent: boolean;
  zones: Map<string, RedisZone | undefined>;
}

async function snapshot(dependencies: ReconcileDependencies, eventId: string, options: ReconcileOptions): Promise<Snapshot | undefined> {
  const truth = await readPostgresTruth(dependencies.db, eventId, options.projectorConsumer);
  if (!truth) return undefined;
  const side = await readRedisSide(
    dependencies.redis,
    eventId,
    truth.zones.map((zone) => zone.id),
  );
  return { truth, ...side };
}

const verdicts = (state: Snapshot) =>
  new Map(state.truth.zones.map((zone) => [zone.id, classifyZone(state.eventPresent, state.zones.get(zone.id), zone)]));

/**
 * Waits (bounded) for the projector: while a zone is ahead only because PostgreSQL has not caught
 * up, and, before a rebuild, until the projector has applied everything Kafka still holds (those
 * bookings are then restored instead of dropped).
 */
async function waitForProjector(
  dependencies: ReconcileDependencies,
  eventId: string,
  options: ReconcileOptions,
  state: Snapshot,
): Promise<Snapshot> {
  const deadline = Date.now() + options.lagWaitMs;
  let current = state;
  const waiting = async () => {
    const found = new Set(verdicts(current).values());
    if (found.has("ahead")) return true;
    return (found.has("lost") || found.has("behind")) && (await options.projectorLag().catch(() => 0)) > 0;
  };
  while ((await waiting()) && Date.now() < deadline) {
    await Bun.sleep(options.lagPollMs);
    current = (await snapshot(dependencies, eventId, options)) ?? current;
  }
  return current;
}

export async function reconcileEvent(
  dependencies: ReconcileDependencies,
  eventId: string,
  options: ReconcileOptions,
): Promise<ZoneReport[]> {
  const first = await snapshot(dependencies, eventId, options);
  if (!first) return [];
  let state = await waitForProjector(dependencies, eventId, options, first);
  const needsWork = (verdict: Verdict) => verdict === "drift" || verdict === "lost" || verdict === "behind";
  let outcomes = new Map<string, { outcome: ZoneOutcome; restored?: number }>();

  if ([...verdicts(state).values()].some(needsWork)) {
    const keys = eventKeys(eventId);
    outcomes = await dependencies.locks.withFencedLock(
      `lock:inventory:${eventId}`,
      options.lock,
      { redis: dependencies.redis, key: keys.fence, replicas: options.fenceReplicas, waitTimeoutMs: 1_000 },
      async (token) => {
        // Another run may have repaired it while this one waited for the lock: compare again.
        state = (await snapshot(dependencies, eventId, options)) ?? state;
        await options.beforeWrite?.(token);
        return repairUnderLock(dependencies, eventId, options, state, token);
      },
    );
  }

  const reports: ZoneReport[] = [];
  const reconciled: ReconciledZone[] = [];
  const current = verdicts(state);
  for (const zone of state.truth.zones) {
    const verdict = current.get(zone.id)!;
    const redis = state.zones.get(zone.id);
    const done = outcomes.get(zone.id);
    const outcome: ZoneOutcome = done?.outcome ?? (verdict === "ahead" ? "lagging" : verdict === "clean" ? "clean" : "changed");
    const report: ZoneReport = {
      eventId,
      zoneId: zone.id,
      verdict,
      outcome,
      ...(redis ? { redis } : {}),
      postgres: {
        total: zone.total,
        reserved: zone.reserved,
        sold: zone.sold,
        waitlisted: zone.waitlisted,
        appliedSeq: zone.appliedSeq,
        highestSeq: zone.highestSeq,
      },
      ...(done?.restored !== undefined ? { restoredBookings: done.restored, lostAfterSeq: zone.highestSeq } : {}),
      ...(verdict !== "clean" && zone.missingSeqs.length > 0 ? { missingSeqs: zone.missingSeqs } : {}),
    };
    reports.push(report);
    reconciled.push({ zoneId: zone.id, outcome, discrepancy: verdict === "clean" ? 0 : discrepancy(redis, zone) });
    if (verdict !== "clean") {
      dependencies.logger.warn("inventory discrepancy", { ...report });
      await dependencies.publisher.publish(report);
    }
  }
  await recordReconciledEvent(dependencies.redis, dependencies.logger, eventId, reconciled, options.discrepancyTtlSeconds);
  return reports;
}

/** Bookings per restore-bookings.lua call: ~10 ms of Redis each, so a sale running meanwhile waits no longer. */
const restoreBatchSize = 1_000;

async function repairUnderLock(
  dependencies: ReconcileDependencies,
  eventId: string,
  options: ReconcileOptions,
  state: Snapshot,
  token: number,
): Promise<Map<string, { outcome: ZoneOutcome; restored?: number }>> {
  const outcomes = new Map<string, { outcome: ZoneOutcome; restored?: number }>();
  const current = verdicts(state);
  const toRebuild = state.truth.zones.filter((zone) => current.get(zone.id) === "lost" || current.get(zone.id) === "behind");
  const toRepair = state.truth.zones.filter((zone) => current.get(zone.id) === "drift");
  // Bookings and seats only of the zones written here, and of a drifted zone only when it has seats
  // (a repair keeps Redis' holds and needs only which seats are sold): a clean zone's are never read.
  const records = await readZoneRecords(
    dependencies.db,
    eventId,
    [...toRebuild, ...toRepair.filter((zone) => zone.kind === "assigned")].map((zone) => zone.id),
    { closesAtMs: state.truth.event.closes_at_ms, holdMs: options.holdMs },
  );

  if (toRebuild.length > 0) {
    const rebuilt = new Set(toRebuild.map((zone) => zone.id));
    const bookings = records.bookings.filter((booking) => rebuilt.has(booking.zone_id));
    let restored = 0;
    // In batches, each its own short script: one script for a large event's bookings held Redis
    // for seconds (restore-bookings.lua says more).
    for (let start = 0; start < bookings.length; start += restoreBatchSize) {
      const batch = bookings.slice(start, start + restoreBatchSize);
      const reply = await restoreBookingsScript(dependencies.scripts, { eventId, token, bookings: batch });
      if (reply[0] === "error") throw reply[1] === "STALE_LOCK" ? new StaleLockError(token) : new Error(`restore-bookings: ${reply[1]}`);
      restored += (JSON.parse(reply[1]) as { restored_bookings: number }).restored_bookings;
      await restoreBookingLookups(dependencies.redis, eventId, batch, options);
    }
    const zones = toRebuild.map((zone) => ({
      id: zone.id,
      show_id: zone.showId,
      kind: zone.kind,
      total: zone.total,
      price: zone.price,
      sold: zone.sold,
      seq: zone.highestSeq,
      sold_seats: records.soldSeats.get(zone.id) ?? {},
      seat_ids: records.seatIds.get(zone.id) ?? [],
    }));
    const reply = await rebuildZonesScript(dependencies.scripts, {
      eventId,
      token,
      truth: { event: state.truth.event, zones },
      traceparent: currentTraceparent(),
    });
    if (reply[0] === "error") throw reply[1] === "STALE_LOCK" ? new StaleLockError(token) : new Error(`rebuild-zones: ${reply[1]}`);
    await restoreEventLookups(dependencies.redis, eventId, state.truth.zones);
    for (const zone of toRebuild) outcomes.set(zone.id, { outcome: "rebuilt", restored });
  }

  for (const zone of toRepair) {
    const redis = state.zones.get(zone.id)!;
    const reply = await repairZoneScript(dependencies.scripts, {
      eventId,
      zoneId: zone.id,
      token,
      comparedSeq: redis.seq,
      sold: zone.sold,
      soldSeats: records.soldSeats.get(zone.id) ?? {},
      traceparent: currentTraceparent(),
    });
    if (reply[0] === "error" && reply[1] === "STALE_LOCK") throw new StaleLockError(token);
    if (reply[0] === "error" && reply[1] !== "CHANGED") throw new AppError("INTERNAL_ERROR", `repair-zone: ${reply[1]}`);
    outcomes.set(zone.id, { outcome: reply[0] === "ok" ? "repaired" : "changed" });
  }
  return outcomes;
}

/**
 * The keys outside the event's slot that a lost event needs again: show → event, the registry and
 * the outbox's consumer group. Idempotent; written after the script, as publishing does.
 */
async function restoreEventLookups(redis: Redis, eventId: string, zones: { showId: string }[]) {
  const keys = eventKeys(eventId);
  const pipeline = redis.pipeline();
  for (const showId of new Set(zones.map((zone) => zone.showId))) pipeline.set(showEventKey(showId), eventId);
  pipeline.sadd(eventRegistryKey, eventId);
  await pipelineReplies(pipeline);
  await redis.xgroup("CREATE", keys.outbox, outboxGroup, "0", "MKSTREAM").catch((error: Error) => {
    if (!error.message.startsWith("BUSYGROUP")) throw error;
  });
}

/**
 * For each booking of a restored batch, its id → event lookup and its place in the owner's list
 * (global keys, so beside the script, as reserving writes them). Idempotent, so a plain pipeline.
 */
async function restoreBookingLookups(
  redis: Redis,
  eventId: string,
  restored: { booking_id: string; user_id: string; status: string; created_at_ms: number; expires_at_ms: number }[],
  lifetime: { recordTtlSeconds: number; holdMs: number },
) {
  const pipeline = redis.pipeline();
  for (const booking of restored) {
    if (booking.status === "confirmed") pipeline.set(bookingEventKey(booking.booking_id), eventId);
    else if (booking.status === "waitlisted") {
      // As reserving writes it: a waiting place lasts until the booking window closes (its
      // expires_at), may then still become a hold of its own, and is readable for the record's TTL after.
      const liveMs = Math.max(0, booking.expires_at_ms - Date.now()) + lifetime.holdMs;
      pipeline.set(bookingEventKey(booking.booking_id), eventId, "EX", Math.ceil(liveMs / 1000) + lifetime.recordTtlSeconds);
    } else pipeline.set(bookingEventKey(booking.booking_id), eventId, "EX", lifetime.recordTtlSeconds);
    pipeline.zadd(userBookingsKey(booking.user_id), booking.created_at_ms, `${eventId}:${booking.booking_id}`);
  }
  await pipelineReplies(pipeline);
}
