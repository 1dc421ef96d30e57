/**
 * Reserve, confirm and cancel: each one Lua script run atomically in Redis and acknowledged only
 * once a replica has it. Plain functions over the store; the HTTP layer is in routes.ts.
 */
import { type Database, type DurableScripts, pipelineReplies, type ScriptRunner } from "@booking-rush/lib/clients";
import { AppError, notFound, validationError } from "@booking-rush/lib/errors";
import { type BookingRecord, bookingEventKey, eventKeys, eventOfBooking, showEventKey, userBookingsKey } from "@booking-rush/lib/inventory";
import type { Redis } from "ioredis";
import type { BookingMetrics } from "./booking-metrics";
import { confirmScript, releaseScript, reserveScript } from "./booking-scripts";
import { checkPaymentCoversBooking } from "./payment-check";
import type { QueuePasses } from "./queue-pass";
import { type ScriptReply, unwrap } from "./script-replies";
import type { BookingConfig } from "./settings";

export interface BookingStore {
  /** Reads and index writes. */
  redis: Redis;
  /** Payments, read by a buyer's confirmation; never on the reserve path. */
  db: Database;
  /** Mutations: script + WAIT for a replica. */
  scripts: DurableScripts;
  /** Read-only scripts (a waiting buyer's status) on the read connection: nothing to wait for. */
  reads: ScriptRunner;
  /** Signs and verifies the waiting room's passes. */
  queuePasses: QueuePasses;
  config: BookingConfig;
  metrics: BookingMetrics;
}

export interface ReserveCommand {
  userId: string;
  idempotencyKey: string;
  showId: string;
  zoneId?: string;
  quantity?: number;
  seatIds?: string[];
  /**
   * The X-Queue-Pass token as sent, if any. Verified here (signature, buyer, event, expiry; no
   * store), then reserve.lua decides: with the event's waiting room on, only the buyer's live pass
   * gets through, and it skips the rate limit (the waiting room already paced the caller).
   */
  queuePass?: string;
  /** Take a place on the zone's waitlist when the request cannot be served. */
  joinWaitlist?: boolean;
  /** The buyer's birth date (the access token's claim), checked against the event's min age. */
  birthdate?: string;
  traceparent?: string;
}

/** Shows never move between events, so the lookup is cached for the life of the process. */
const eventOfShowCache = new Map<string, string>();

async function eventOfShow(redis: Redis, showId: string): Promise<string> {
  const cached = eventOfShowCache.get(showId);
  if (cached) return cached;
  const eventId = await redis.get(showEventKey(showId));
  if (!eventId) throw notFound("Show");
  eventOfShowCache.set(showId, eventId);
  return eventId;
}

/** The zone of a set of assigned seats; they must all exist and share one zone. */
async function zoneOfSeats(redis: Redis, eventId: string, seatIds: string[]): Promise<string> {
  const zones = await redis.hmget(eventKeys(eventId).seatZone, ...seatIds);
  const unknown = seatIds.filter((_, index) => zones[index] === null);
  if (unknown.length > 0) throw new AppError("NOT_FOUND", "Seat not found", { seat_ids: unknown });
  const distinct = new Set(zones);
  if (distinct.size > 1) throw validationError([{ in: "body", field: "seat_ids", message: "all seats must be in one zone" }]);
  return zones[0]!;
}

/** Same request, same hash: key order and absent optional fields do not change it. */
export function requestHash(command: Pick<ReserveCommand, "showId" | "zoneId" | "quantity" | "seatIds" | "joinWaitlist">): string {
  const canonical = JSON.stringify([
    command.showId,
    command.zoneId ?? null,
    command.quantity ?? null,
    command.seatIds ?? null,
    command.joinWaitlist ?? false,
  ]);
  return new Bun.CryptoHasher("sha256").update(canonical).digest("hex");
}

export async function reserveSeats(store: BookingStore, command: ReserveCommand): Promise<{ replayed: boolean; booking: BookingRecord }> {
  const { redis, scripts, config, metrics } = store;
  try {
    const eventId = await eventOfShow(redis, command.showId);
    const zoneId = command.seatIds ? await zoneOfSeats(redis, eventId, command.seatIds) : command.zoneId!;
    const queuePassId = command.queuePass ? await store.queuePasses.verifiedPassId(command.queuePass, command.userId, eventId) : "";
    const reply = await reserveScript(
      scripts,
      {
        eventId,
        showId: command.showId,
        zoneId,
        bookingId: crypto.randomUUID(),
        userId: command.userId,
        idempotencyKey: command.idempotencyKey,
        requestHash: requestHash(command),
        quantity: command.quantity ?? 0,
        seatIds: command.seatIds ?? [],
        holdMs: config.holdMs,
        rateBurst: config.rateBurst,
        ratePerMinute: config.ratePerMinute,
        queuePassId,
        idempotencyTtlSeconds: config.idempotencyTtlSeconds,
        traceparent: command.traceparent,
        joinWaitlist: command.joinWaitlist,
        birthdate: command.birthdate,
      },
      (scriptReply, connection) =>
        scriptReply[0] === "error" ? Promise.resolve() : indexBooking(connection, config, JSON.parse(scriptReply[1])),
    );
    const { replayed, value } = unwrap<BookingRecord>(reply);
    metrics.reservations.inc({ result: replayed ? "replayed" : value.status === "waitlisted" ? "waitlisted" : "reserved" });
    return { replayed, booking: value };
  } catch (error) {
    metrics.reservations.inc({ result: "rejected" });
    metrics.failures.inc({ code: error instanceof AppError ? error.code : "INTERNAL_ERROR" });
    throw error;
  }
}

/**
 * The caller's list and the id → event lookup are global keys, so they cannot be written inside the
 * single-slot script. They are written right after it on the same connection (covered by its WAIT),
 * and again on every idempotent replay, so a crash in between is healed by the client's retry.
 */
function indexBooking(connection: Redis, config: BookingConfig, booking: BookingRecord) {
  // A hold's record is closed within its hold time; a waiting place lasts until the booking window
  // closes (its expires_at) and may then still be promoted to a hold of its own.
  const liveMs = booking.status === "waitlisted" ? booking.expires_at_ms - booking.created_at_ms + config.holdMs : config.holdMs;
  const ttlSeconds = Math.ceil(liveMs / 1000) + config.recordTtlSeconds;
  // Two independent writes, both redone on every replay, so they need no MULTI: a plain pipeline
  // sends them in one socket write, two commands instead of four.
  return pipelineReplies(
    connection
      .pipeline()
      .zadd(userBookingsKey(booking.user_id), booking.created_at_ms, `${booking.event_id}:${booking.booking_id}`)
      .set(bookingEventKey(booking.booking_id), booking.event_id, "EX", ttlSeconds),
  );
}

export interface BookingChange {
  bookingId: string;
  /** '' when the system (the payment saga) acts rather than the booking's owner. */
  userId: string;
  traceparent?: string;
}

/**
 * The booking id → event lookup lives as long as its booking record: a sold booking's record stays
 * (no TTL), so its lookup must too, or a cancellation weeks later could not find it; once closed,
 * both expire after the record TTL. A global key, so written beside the script like indexBooking.
 */
function keepLookupWithRecord(store: BookingStore, bookingId: string) {
  return (reply: ScriptReply, connection: Redis) => {
    if (reply[0] === "error") return Promise.resolve();
    const booking = JSON.parse(reply[1]) as BookingRecord;
    return booking.status === "confirmed"
      ? connection.persist(bookingEventKey(bookingId))
      : connection.expire(bookingEventKey(bookingId), store.config.recordTtlSeconds);
  };
}

/**
 * reserved → confirmed. A buyer names a payment, which must be theirs, for this booking, succeeded
 * and covering it (payment-check.ts); the payment saga acts on the payment service's own event.
 */
export async function confirmBooking(store: BookingStore, change: BookingChange & { paymentId: string }): Promise<BookingRecord> {
  if (change.userId !== "")
    await checkPaymentCoversBooking(store.db, { paymentId: change.paymentId, bookingId: change.bookingId, userId: change.userId });
  const eventId = await eventOfBooking(store.redis, change.bookingId);
  const reply = await confirmScript(
    store.scripts,
    { ...change, eventId, recordTtlSeconds: store.config.recordTtlSeconds },
    keepLookupWithRecord(store, change.bookingId),
  );
  return unwrap<BookingRecord>(reply).value;
}

export async function cancelBooking(store: BookingStore, change: BookingChange): Promise<BookingRecord> {
  const eventId = await eventOfBooking(store.redis, change.bookingId);
  const reply = await releaseScript(
    store.scripts,
    { ...change, eventId, recordTtlSeconds: store.config.recordTtlSeconds },
    keepLookupWithRecord(store, change.bookingId),
  );
  return unwrap<BookingRecord>(reply).value;
}
