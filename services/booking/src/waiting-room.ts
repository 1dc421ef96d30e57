/**
 * The waiting room's buyer side: join, status and the live stream's reads. Each is one Lua script
 * (lua/queue-join.lua, lua/queue-status.lua); an admitted buyer's answer carries the signed pass.
 * Plain functions over the store; the HTTP layer is in queue-routes.ts, admission in
 * queue-admission.ts (the queue-admitter worker).
 */
import { type QueuePlace, queueJoinScript, queueStatusScript } from "./booking-scripts";
import type { BookingStore } from "./reservations";
import { unwrap } from "./script-replies";

/** What the API answers about a place (API.md, "Booking": /queue/join, /queue/status, /queue/stream). */
export interface QueueAnswer {
  status: QueuePlace["status"];
  /** 1 = next in line; null when admitted, closed, or before a random-order draw. */
  position: number | null;
  /** null when unknown (paused, sold out, closed). */
  eta_seconds: number | null;
  /** The signed pass (X-Queue-Pass), once admitted. */
  queue_pass?: string;
  queue_pass_expires_at?: string;
  /** When to ask again (also the Retry-After header): soon while close to the front, rarely otherwise. */
  poll_after_seconds: number;
}

/** A tenth of the wait, between 1 and 30 s; an answer that will not change soon says 30 s. */
export function pollAfterSeconds(place: QueuePlace): number {
  if (place.status !== "waiting" || place.eta_seconds === undefined) return 30;
  return Math.min(30, Math.max(1, Math.round(place.eta_seconds / 10)));
}

async function answer(store: BookingStore, eventId: string, userId: string, place: QueuePlace): Promise<QueueAnswer> {
  const view: QueueAnswer = {
    status: place.status,
    position: place.position ?? null,
    eta_seconds: place.eta_seconds ?? null,
    poll_after_seconds: pollAfterSeconds(place),
  };
  if (place.status === "admitted" && place.pass_id && place.pass_expires_at_ms) {
    view.queue_pass = await store.queuePasses.sign({ userId, eventId, passId: place.pass_id, expiresAtMs: place.pass_expires_at_ms });
    view.queue_pass_expires_at = new Date(place.pass_expires_at_ms).toISOString();
  }
  return view;
}

export async function joinQueue(store: BookingStore, userId: string, eventId: string): Promise<QueueAnswer> {
  const place = unwrap<QueuePlace>(await queueJoinScript(store.scripts, { eventId, userId })).value;
  return answer(store, eventId, userId, place);
}

/** Read only (no WAIT): polled by every waiting buyer. */
export async function queueStatus(store: BookingStore, userId: string, eventId: string): Promise<QueueAnswer> {
  const place = unwrap<QueuePlace>(await queueStatusScript(store.reads, { eventId, userId })).value;
  return answer(store, eventId, userId, place);
}
