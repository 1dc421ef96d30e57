/**
 * One typed call per booking script in lua/: each builds the script's KEYS and ARGV in the order of
 * its header (keys from lib's layout, eventKeys) and nowhere else, as bullmq's `scripts` class does
 * for its commands. Callers choose the runner: DurableScripts for the service (a write is
 * acknowledged once a replica has it), plain LuaScripts in tests. booking-scripts.unit.test.ts
 * checks each call against its script's header.
 */
import type { Alongside, ScriptRunner } from "@booking-rush/lib/clients";
import { eventKeys } from "@booking-rush/lib/inventory";
import { holdToAcknowledge, type ScriptReply } from "./script-replies";

export interface ReserveScriptCommand {
  eventId: string;
  showId: string;
  zoneId: string;
  /** The id the new booking gets (chosen by the caller so the keys can name it). */
  bookingId: string;
  userId: string;
  idempotencyKey: string;
  /** requestHash(command) in reservations.ts: the same request replays, another one is refused. */
  requestHash: string;
  /** General admission; ignored for assigned seats. */
  quantity: number;
  /** Assigned seats; empty for general admission. */
  seatIds: string[];
  holdMs: number;
  rateBurst: number;
  ratePerMinute: number;
  /**
   * Id of the queue pass presented, its signature, buyer, event and expiry verified (queue-pass.ts);
   * '' when none or not valid. With the waiting room on, only the buyer's live pass gets through,
   * and it skips the rate limit.
   */
  queuePassId: string;
  idempotencyTtlSeconds: number;
  traceparent?: string;
  /** Join the zone's waitlist when the request cannot be served (default: no). */
  joinWaitlist?: boolean;
  /** The buyer's birth date 'YYYY-MM-DD' (the token's claim), for an event's min age; absent when none. */
  birthdate?: string;
}

/** lua/reserve.lua: holds seats of one zone for a user, atomically, or changes nothing. */
export function reserveScript(runner: ScriptRunner, command: ReserveScriptCommand, alongside?: Alongside<ScriptReply>) {
  const keys = eventKeys(command.eventId);
  return runner.run<ScriptReply>(
    "reserve",
    [
      keys.event,
      keys.zone(command.zoneId),
      keys.zoneSeats(command.zoneId),
      keys.userTickets,
      keys.booking(command.bookingId),
      keys.expiry,
      keys.idempotency(command.userId, command.idempotencyKey),
      keys.rateLimit(command.userId),
      keys.outbox,
      keys.queue,
      keys.queuePass,
      keys.zoneWaitlist(command.zoneId),
      keys.zoneWaitlisters(command.zoneId),
    ],
    [
      command.userId,
      command.bookingId,
      command.requestHash,
      command.zoneId,
      command.showId,
      command.quantity,
      command.seatIds.join(","),
      command.holdMs,
      command.rateBurst,
      command.ratePerMinute,
      command.queuePassId,
      command.idempotencyTtlSeconds,
      command.traceparent ?? "",
      command.eventId,
      command.joinWaitlist ? "1" : "",
      command.birthdate ?? "",
    ],
    holdToAcknowledge,
    alongside,
  );
}

export interface BookingChangeScriptCommand {
  eventId: string;
  bookingId: string;
  /** '' when the system (the payment saga) acts rather than the booking's owner. */
  userId: string;
  recordTtlSeconds: number;
  traceparent?: string;
}

/** lua/confirm.lua: a paid hold becomes sold; a hold past its expiry is expired instead. */
export function confirmScript(
  runner: ScriptRunner,
  command: BookingChangeScriptCommand & { paymentId: string },
  alongside?: Alongside<ScriptReply>,
) {
  const keys = eventKeys(command.eventId);
  return runner.run<ScriptReply>(
    "confirm",
    [keys.booking(command.bookingId), keys.userTickets, keys.expiry, keys.outbox],
    [keys.tag, command.bookingId, command.userId, command.paymentId, command.recordTtlSeconds, command.traceparent ?? ""],
    // Always waited for: even an error reply may have written (confirm expires a late hold).
    () => true,
    alongside,
  );
}

/** lua/release.lua: cancels a booking and puts its seats back on sale at once. */
export function releaseScript(runner: ScriptRunner, command: BookingChangeScriptCommand, alongside?: Alongside<ScriptReply>) {
  const keys = eventKeys(command.eventId);
  return runner.run<ScriptReply>(
    "release",
    [keys.booking(command.bookingId), keys.userTickets, keys.expiry, keys.outbox],
    [keys.tag, command.bookingId, command.userId, command.recordTtlSeconds, command.traceparent ?? ""],
    () => true,
    alongside,
  );
}

export interface ExpireScriptCommand {
  eventId: string;
  batchSize: number;
  recordTtlSeconds: number;
}

export interface ExpireOutcome {
  /** Holds closed as expired (their seats went to the waitlist first). */
  expired: number;
  /** Waiting bookings closed because the sale is over. */
  waitlistClosed: number;
}

/**
 * lua/expire.lua: closes a bounded batch of the event's due holds, and once the sale is over a
 * batch of its waiting bookings; a full batch of either means: call again.
 */
export async function expireScript(runner: ScriptRunner, command: ExpireScriptCommand): Promise<ExpireOutcome> {
  const keys = eventKeys(command.eventId);
  const [expired, waitlistClosed] = await runner.run<[number, number]>(
    "expire",
    [keys.expiry, keys.userTickets, keys.outbox],
    [keys.tag, command.batchSize, command.recordTtlSeconds],
    ([expiredNow, closedNow]) => expiredNow + closedNow > 0,
  );
  return { expired, waitlistClosed };
}

export interface OutboxLeaseCommand {
  eventId: string;
  /** The relay's consumer name. */
  holder: string;
}

/** lua/outbox-lease.lua: takes or renews the event's outbox lease; 1 when the caller holds it, 0 when another relay does. */
export function outboxLeaseScript(runner: ScriptRunner, command: OutboxLeaseCommand & { leaseMs: number }): Promise<0 | 1> {
  return runner.run<0 | 1>("outbox-lease", [eventKeys(command.eventId).outboxLease], [command.holder, command.leaseMs]);
}

/** lua/outbox-lease-release.lua: hands the lease back; 1 when it was the caller's and is now free, else 0. */
export function outboxLeaseReleaseScript(runner: ScriptRunner, command: OutboxLeaseCommand): Promise<0 | 1> {
  return runner.run<0 | 1>("outbox-lease-release", [eventKeys(command.eventId).outboxLease], [command.holder]);
}

/** A buyer's place as queue-join.lua and queue-status.lua answer it (see place_view in lua/_queue.lua). */
export interface QueuePlace {
  status: "waiting" | "admitted" | "sold_out" | "closed";
  position?: number;
  eta_seconds?: number;
  pass_id?: string;
  pass_expires_at_ms?: number;
}

export interface QueuePlaceCommand {
  eventId: string;
  userId: string;
}

/** An integer seed for the pre-queue's draw at the opening (only the call that opens the line uses it). */
const drawSeed = () => crypto.getRandomValues(new Uint32Array(1))[0]! & 0x7fffffff;

/** lua/queue-join.lua: takes a place in the waiting room (or tells the one the buyer has). */
export function queueJoinScript(runner: ScriptRunner, command: QueuePlaceCommand) {
  const keys = eventKeys(command.eventId);
  return runner.run<ScriptReply>(
    "queue-join",
    [
      keys.queue,
      keys.event,
      keys.queueLine,
      keys.queueJoined,
      keys.queueActive,
      keys.queuePass,
      keys.queueState,
      keys.queueAdmissions,
      keys.zones,
    ],
    [keys.tag, command.userId, drawSeed()],
    (reply) => reply[0] !== "error",
  );
}

/** lua/queue-status.lua: the buyer's place, read only. */
export function queueStatusScript(runner: ScriptRunner, command: QueuePlaceCommand) {
  const keys = eventKeys(command.eventId);
  return runner.run<ScriptReply>(
    "queue-status",
    [keys.queue, keys.event, keys.queueLine, keys.queueActive, keys.queuePass, keys.queueState, keys.queueAdmissions, keys.zones],
    [keys.tag, command.userId],
    () => false,
  );
}

export interface QueueAdmitCommand {
  eventId: string;
  /** The admitter's interval: the token bucket holds that long's admissions at most. */
  intervalMs: number;
  batchMax: number;
}

export type QueueAdmitReason =
  | "admitted"
  | "disabled"
  | "closed"
  | "not_open"
  | "paused"
  | "sold_out"
  | "no_stock"
  | "full"
  | "rate"
  | "empty";

export interface QueueAdmitResult {
  /** [user_id, pass_id, waited_ms] per buyer admitted. */
  admitted: [string, string, number][];
  /** Passes whose time was up, their slots freed. */
  freed: number;
  depth: number;
  active: number;
  reason: QueueAdmitReason;
}

/** lua/queue-admit.lua: one admission step of the event's waiting room. */
export async function queueAdmitScript(runner: ScriptRunner, command: QueueAdmitCommand): Promise<QueueAdmitResult> {
  const keys = eventKeys(command.eventId);
  const reply = await runner.run<string>(
    "queue-admit",
    [
      keys.queue,
      keys.event,
      keys.queueLine,
      keys.queueJoined,
      keys.queueActive,
      keys.queuePass,
      keys.queueState,
      keys.queueAdmissions,
      keys.queueBucket,
      keys.zones,
      keys.userTickets,
    ],
    [keys.tag, drawSeed(), command.intervalMs, command.batchMax],
  );
  const result = JSON.parse(reply) as QueueAdmitResult;
  // cjson encodes an empty table as an object.
  return { ...result, admitted: Array.isArray(result.admitted) ? result.admitted : [] };
}
