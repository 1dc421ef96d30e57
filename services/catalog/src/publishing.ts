/**
 * Publishing hands an event's inventory to the booking scripts in Redis; cancelling closes the
 * sale there and tells the payment saga (event.cancelled through the event's outbox).
 */

import { categories, type Event, events } from "@booking-rush/db/schema";
import { inScope, scopeOf, type Transaction, writeAudit } from "@booking-rush/lib/data";
import { conflict } from "@booking-rush/lib/errors";
import { inventoryOf, loadEventInventory } from "@booking-rush/lib/inventory";
import { eq } from "drizzle-orm";
import { cancelEventScript } from "./catalog-scripts";
import { ownedEvent } from "./event-access";
import type { Actor, CatalogStore } from "./store";
import { eventView } from "./views";

/**
 * Idempotent and safe under concurrency: a Redlock per event lets one publish run at a time, and
 * a publish that finds the event already published returns it unchanged (the inventory is loaded
 * once; reserved/sold counts are never reset). The inventory is loaded inside the transaction that
 * marks the event published, so a Redis failure leaves it a draft.
 */
export async function publishEvent(store: CatalogStore, actor: Actor, eventId: string) {
  const view = await store.locks.withLock(`lock:publish:${eventId}`, store.config.publishLock, () =>
    inScope(store.db, scopeOf(actor.user), async (tx) => {
      const event = await ownedEvent(tx, actor.user, eventId);
      const [category] = event.categoryId
        ? await tx.select({ slug: categories.slug }).from(categories).where(eq(categories.id, event.categoryId))
        : [];
      const slug = category?.slug ?? null;
      if (event.status === "published") return eventView(event, slug);
      if (event.status === "cancelled") throw conflict("A cancelled event cannot be published", { status: event.status });
      const inventory = await inventoryOf(tx, event);
      const zoneCount = inventory.shows.reduce((sum, show) => sum + show.zones.length, 0);
      if (zoneCount === 0) throw conflict("An event needs at least one show with a zone before it is published");
      const [published] = await tx
        .update(events)
        .set({ status: "published", publishedAt: new Date() })
        .where(eq(events.id, eventId))
        .returning();
      await store.cache.invalidate(eventId);
      await loadEventInventory(store.redis, inventory);
      store.metrics.inventoryLoads.inc();
      const after = eventView(published!, slug);
      await writeAudit(tx, {
        actorId: actor.user.id,
        tenantId: event.tenantId,
        action: "event.published",
        entityType: "event",
        entityId: event.id,
        before: eventView(event, slug),
        after,
        ip: actor.ip ?? null,
        requestId: actor.requestId ?? null,
      });
      return after;
    }),
  );
  await store.cache.invalidateAfterCommit(eventId);
  return view;
}

/** After a published event's window or limits changed: the same load, which never resets counts. */
export async function refreshPublishedEvent(store: CatalogStore, tx: Transaction, event: Event) {
  await loadEventInventory(store.redis, await inventoryOf(tx, event));
}

export async function cancelPublishedEvent(store: CatalogStore, event: Event, traceparent?: string) {
  await cancelEventScript(store.scripts, { eventId: event.id, tenantId: event.tenantId, traceparent });
}
