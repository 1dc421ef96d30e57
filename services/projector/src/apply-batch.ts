/**
 * One batch of booking events into PostgreSQL, in one transaction:
 *
 * - per zone, events are applied in sequence order from the zone's watermark (`zone_sync_state`):
 *   a zone's events come over four topics, so one may arrive before an earlier one; it is held back
 *   until the gap closes, or applied anyway once it waited `reorderWaitMs` (a gap that never closes
 *   must not stall the zone; the watermark then stays behind and the reconciler sees it);
 * - each event is applied once (`processed_events`, which also records its zone and seq);
 * - a booking row is the state of the booking at its highest applied seq (every event carries the
 *   whole booking), so applying is an upsert that never goes back in time;
 * - a zone's counters move by what each row written changed (upsertBookingStates), so a batch costs
 *   O(its events), not O(the zone's bookings), and they stay the sums over the zone's rows whatever
 *   order events came in;
 * - the watermark advances over the unbroken run of applied sequence numbers.
 *
 * Concurrent projector replicas serialise per zone on the zone's `zone_sync_state` row.
 */

import { processedEvents, users, zoneSyncState } from "@booking-rush/db/schema";
import type { Database } from "@booking-rush/lib/clients";
import { inScope, systemScope, type Transaction } from "@booking-rush/lib/data";
import { and, eq, gt, inArray } from "drizzle-orm";
import type { BookingEvent } from "./booking-event";
import { projectorConsumer, rowsPerStatement, upsertBookingStates, zoneFacts } from "./booking-rows";

export interface PendingEvent {
  event: BookingEvent;
  /** When the projector first saw it (for the reorder wait). */
  receivedAt: number;
  /** The message's trace context, to link the batch's span to. */
  traceparent?: string;
}

export interface BatchOutcome {
  /** Applied now (or found applied before): their messages are done. */
  done: PendingEvent[];
  /** Waiting for an earlier event of their zone. */
  heldBack: PendingEvent[];
  /** Can never be applied (unknown zone, user...): done, and to the dead-letter topic. */
  rejected: { pending: PendingEvent; reason: string }[];
  /** Events newly applied, by type (metrics). */
  applied: number;
  duplicates: number;
}

export async function applyBatch(
  db: Database,
  pending: PendingEvent[],
  options: { reorderWaitMs: number; now?: number },
): Promise<BatchOutcome> {
  const now = options.now ?? Date.now();
  return inScope(db, systemScope, async (tx) => {
    const outcome: BatchOutcome = { done: [], heldBack: [], rejected: [], applied: 0, duplicates: 0 };
    if (pending.length === 0) return outcome;

    // 1. Already applied (a redelivery, or the same message twice in this batch): done.
    const seen = new Set(
      (
        await tx
          .select({ eventId: processedEvents.eventId })
          .from(processedEvents)
          .where(
            and(
              eq(processedEvents.consumer, projectorConsumer),
              inArray(processedEvents.eventId, [...new Set(pending.map((item) => item.event.eventId))]),
            ),
          )
      ).map((row) => row.eventId),
    );
    const fresh: PendingEvent[] = [];
    for (const item of pending) {
      if (seen.has(item.event.eventId)) {
        outcome.done.push(item);
        outcome.duplicates += 1;
      } else {
        seen.add(item.event.eventId);
        fresh.push(item);
      }
    }
    if (fresh.length === 0) return outcome;

    // 2. What each event refers to must exist; what does not can never be applied.
    const zones = await zoneFacts(
      tx,
      fresh.map((item) => item.event.zoneId),
    );
    const knownUsers = new Set(
      (
        await tx
          .select({ id: users.id })
          .from(users)
          .where(inArray(users.id, [...new Set(fresh.map((item) => item.event.booking.user_id))]))
      ).map((row) => row.id),
    );
    const valid: PendingEvent[] = [];
    for (const item of fresh) {
      const { booking } = item.event;
      const zone = zones.get(booking.zone_id);
      const reason = !zone
        ? "unknown zone"
        : zone.showId !== booking.show_id || zone.eventId !== booking.event_id
          ? "zone does not belong to the booking's show and event"
          : !knownUsers.has(booking.user_id)
            ? "unknown user"
            : booking.status === "waitlisted" && booking.waitlist_position === undefined
              ? "a waiting booking without its waitlist_position"
              : undefined;
      if (reason) outcome.rejected.push({ pending: item, reason });
      else valid.push(item);
    }

    // 3. Per zone, in sequence order from the watermark (rows locked: one projector per zone at a time).
    const involvedZones = [...new Set(fresh.map((item) => item.event.zoneId).filter((zoneId) => zones.has(zoneId)))].sort();
    const watermarks = await lockWatermarks(tx, involvedZones);
    const toApply: PendingEvent[] = [];
    // A rejected event is recorded too: it will never be applied, and its zone must not wait for it.
    const rejected = outcome.rejected.map((item) => item.pending);
    for (const zoneId of involvedZones) {
      const watermark = watermarks.get(zoneId) ?? 0;
      const ofZone = valid.filter((item) => item.event.zoneId === zoneId).sort((a, b) => a.event.seq - b.event.seq);
      const rejectedSeqs = new Set(rejected.filter((item) => item.event.zoneId === zoneId).map((item) => item.event.seq));
      const appliedBeyond = await appliedSeqsAbove(tx, zoneId, watermark);
      let expected = watermark + 1;
      const ready = new Set<PendingEvent>();
      const bySeq = new Map(ofZone.map((item) => [item.event.seq, item]));
      while (bySeq.has(expected) || appliedBeyond.has(expected) || rejectedSeqs.has(expected)) {
        const item = bySeq.get(expected);
        if (item) ready.add(item);
        expected += 1;
      }
      for (const item of ofZone) {
        // Below the watermark but not recorded (applied before the seq was tracked, or forced): apply, idempotently.
        if (ready.has(item) || item.event.seq <= watermark || now - item.receivedAt >= options.reorderWaitMs) toApply.push(item);
        else outcome.heldBack.push(item);
      }
    }

    // 4. Apply: bookings at their newest state, their seats and the zones' counters, the records.
    await upsertBookingStates(
      tx,
      toApply.map(({ event }) =>
        event.type === "booking.waitlist_closed" ? { ...event.booking, cancel_reason: "waitlist_closed" } : event.booking,
      ),
      zones,
    );
    const records = [...toApply, ...rejected];
    for (let start = 0; start < records.length; start += rowsPerStatement) {
      await tx
        .insert(processedEvents)
        .values(
          records.slice(start, start + rowsPerStatement).map((item) => ({
            consumer: projectorConsumer,
            eventId: item.event.eventId,
            eventType: item.event.type,
            zoneId: item.event.zoneId,
            seq: item.event.seq,
          })),
        )
        .onConflictDoNothing();
    }
    for (const zoneId of involvedZones) await advanceWatermark(tx, zoneId, watermarks.get(zoneId) ?? 0);
    outcome.done.push(...toApply);
    outcome.applied = toApply.length;
    return outcome;
  });
}

async function lockWatermarks(tx: Transaction, zoneIds: string[]): Promise<Map<string, number>> {
  if (zoneIds.length === 0) return new Map();
  await tx
    .insert(zoneSyncState)
    .values(zoneIds.map((zoneId) => ({ zoneId, lastAppliedSeq: 0 })))
    .onConflictDoNothing();
  const rows = await tx
    .select()
    .from(zoneSyncState)
    .where(inArray(zoneSyncState.zoneId, zoneIds))
    .orderBy(zoneSyncState.zoneId)
    .for("update");
  return new Map(rows.map((row) => [row.zoneId, row.lastAppliedSeq]));
}

async function appliedSeqsAbove(tx: Transaction, zoneId: string, watermark: number): Promise<Set<number>> {
  const rows = await tx
    .select({ seq: processedEvents.seq })
    .from(processedEvents)
    .where(and(eq(processedEvents.consumer, projectorConsumer), eq(processedEvents.zoneId, zoneId), gt(processedEvents.seq, watermark)));
  return new Set(rows.map((row) => row.seq!));
}

async function advanceWatermark(tx: Transaction, zoneId: string, from: number) {
  const applied = await appliedSeqsAbove(tx, zoneId, from);
  let watermark = from;
  while (applied.has(watermark + 1)) watermark += 1;
  if (watermark !== from) await tx.update(zoneSyncState).set({ lastAppliedSeq: watermark }).where(eq(zoneSyncState.zoneId, zoneId));
}
