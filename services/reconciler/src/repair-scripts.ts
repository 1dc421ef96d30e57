/**
 * The typed calls of the reconciler's scripts, lua/repair-zone.lua, lua/restore-bookings.lua and lua/rebuild-zones.lua: their
 * KEYS and ARGV are built here in the order of each script's header (keys from lib's layout,
 * eventKeys) and nowhere else. repair-scripts.unit.test.ts checks each against its header.
 */
import type { ScriptRunner } from "@booking-rush/lib/clients";
import { eventKeys } from "@booking-rush/lib/inventory";
import type { PostgresBooking, PostgresTruth } from "./postgres-side";

/** {'ok', json} | {'error', code, details json}; codes: STALE_LOCK (a newer lock holder), CHANGED (repair only). */
export type RepairScriptReply = [status: "ok", json: string] | [status: "error", code: string, details: string];

export interface RepairZoneCommand {
  eventId: string;
  zoneId: string;
  /** The lock's fencing token. */
  token: number;
  /** The zone's seq when it was compared: the repair writes only if it is still the same. */
  comparedSeq: number;
  /** Sold, as PostgreSQL has it. */
  sold: number;
  /** seat id → booking id of the sold seats ({} for general admission). */
  soldSeats: Record<string, string>;
  /** The trace a promotion's booking.promoted continues (an admin's sync request); none for a run of its own. */
  traceparent?: string;
}

/**
 * lua/repair-zone.lua: writes PostgreSQL's sold, the holds Redis has and its waitlist's size into a
 * drifted zone, then promotes its waiting buyers into the seats that are free.
 */
export function repairZoneScript(runner: ScriptRunner, command: RepairZoneCommand): Promise<RepairScriptReply> {
  const keys = eventKeys(command.eventId);
  return runner.run<RepairScriptReply>(
    "repair-zone",
    [
      keys.zone(command.zoneId),
      keys.zoneSeats(command.zoneId),
      keys.fence,
      keys.expiry,
      keys.zoneWaitlist(command.zoneId),
      keys.userTickets,
      keys.outbox,
    ],
    [
      keys.tag,
      command.zoneId,
      command.token,
      command.comparedSeq,
      command.sold,
      JSON.stringify(command.soldSeats),
      command.traceparent ?? "",
    ],
  );
}

/** A zone as rebuild-zones.lua reads it (snake case, as in the script's header). */
export interface RebuildZone {
  id: string;
  show_id: string;
  kind: "general" | "assigned";
  total: number;
  price: number;
  sold: number;
  seq: number;
  sold_seats: Record<string, string>;
  seat_ids: string[];
}

export interface RebuildZonesCommand {
  eventId: string;
  /** The lock's fencing token. */
  token: number;
  /** PostgreSQL's record of the event and of the zones to rebuild. */
  truth: { event: PostgresTruth["event"]; zones: RebuildZone[] };
  /** The trace a promotion's booking.promoted continues (an admin's sync request); none for a run of its own. */
  traceparent?: string;
}

/**
 * lua/rebuild-zones.lua: rebuilds the event's lost zones from PostgreSQL's record, after
 * restoreBookingsScript, then promotes their waiting buyers into the seats that are free.
 */
export function rebuildZonesScript(runner: ScriptRunner, command: RebuildZonesCommand): Promise<RepairScriptReply> {
  const keys = eventKeys(command.eventId);
  return runner.run<RepairScriptReply>(
    "rebuild-zones",
    [keys.event, keys.fence, keys.expiry, keys.restoring, keys.userTickets, keys.outbox],
    [keys.tag, command.token, JSON.stringify(command.truth), command.traceparent ?? ""],
  );
}

export interface RestoreBookingsCommand {
  eventId: string;
  /** The lock's fencing token. */
  token: number;
  /** One batch of the live bookings PostgreSQL has for the zones being rebuilt. */
  bookings: PostgresBooking[];
}

/** lua/restore-bookings.lua: puts back the bookings of a batch that Redis lacks. */
export function restoreBookingsScript(runner: ScriptRunner, command: RestoreBookingsCommand): Promise<RepairScriptReply> {
  const keys = eventKeys(command.eventId);
  return runner.run<RepairScriptReply>(
    "restore-bookings",
    [keys.fence, keys.restoring, keys.userTickets],
    [keys.tag, command.token, JSON.stringify(command.bookings)],
  );
}
