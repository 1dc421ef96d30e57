/**
 * An operator's hands on a live waiting room: pause and resume admission, change its rate and its
 * cap on active buyers. PostgreSQL keeps the setting, the event's `{ev:E}:queue` hash in Redis is
 * what the booking service's admitter reads; both change, or neither (the hash is written last,
 * inside the transaction, so a Redis failure rolls the row back: 503, nothing changed). Buyers
 * keep their places: only the settings hash is touched, never the queue itself.
 */

import { events } from "@booking-rush/db/schema";
import { inScope, scopeOf } from "@booking-rush/lib/data";
import { conflict } from "@booking-rush/lib/errors";
import { queueSettingsOf, writeQueueSettings } from "@booking-rush/lib/inventory";
import { eq } from "drizzle-orm";
import { ownedEvent } from "./event-access";
import { auditEvent, categorySlug } from "./events";
import type { Actor, CatalogStore } from "./store";
import { eventView } from "./views";

export interface AdmissionChange {
  paused?: boolean;
  ratePerMinute?: number;
  maxActive?: number;
}

/** The audit action of each kind of change. */
export type AdmissionAction = "event.queue_paused" | "event.queue_resumed" | "event.queue_changed";

/**
 * Applies the change to the caller's tenant's event and answers the event. A change to what is
 * already so writes no row and no audit entry; a published event's hash is written all the same
 * (repairing it, should Redis have lost it). A draft keeps the setting for its publication; a
 * cancelled event's waiting room is closed for good (409).
 */
export async function changeAdmission(
  store: CatalogStore,
  actor: Actor,
  eventId: string,
  change: AdmissionChange,
  action: AdmissionAction,
) {
  const view = await inScope(store.db, scopeOf(actor.user), async (tx) => {
    const event = await ownedEvent(tx, actor.user, eventId);
    if (event.status === "cancelled") throw conflict("A cancelled event's waiting room cannot be changed", { status: event.status });
    const set = {
      ...(change.paused !== undefined && change.paused !== event.queuePaused ? { queuePaused: change.paused } : {}),
      ...(change.ratePerMinute !== undefined && change.ratePerMinute !== event.queueRatePerMinute
        ? { queueRatePerMinute: change.ratePerMinute }
        : {}),
      ...(change.maxActive !== undefined && change.maxActive !== event.queueMaxActive ? { queueMaxActive: change.maxActive } : {}),
    };
    const slug = await categorySlug(tx, event.categoryId);
    const before = eventView(event, slug);
    if (Object.keys(set).length === 0) {
      if (event.status === "published") await writeQueueSettings(store.redis, event.id, queueSettingsOf(event), event.bookingOpensAt);
      return before;
    }
    const [updated] = await tx.update(events).set(set).where(eq(events.id, eventId)).returning();
    const after = eventView(updated!, slug);
    await auditEvent(tx, actor, action, updated!, before, after);
    await store.cache.invalidate(eventId);
    // Last: a Redis failure rolls the row and the audit entry back.
    if (updated!.status === "published") {
      await writeQueueSettings(store.redis, updated!.id, queueSettingsOf(updated!), updated!.bookingOpensAt);
    }
    return after;
  });
  await store.cache.invalidateAfterCommit(eventId);
  return view;
}
