/** Events and their shows: creating, changing, reading, listing, deleting drafts. */

import { categories, type Event, events, shows } from "@booking-rush/db/schema";
import type { AuthenticatedUser } from "@booking-rush/lib/auth";
import { inScope, postgresErrorOf, scopeOf, type Transaction as Tx, writeAudit } from "@booking-rush/lib/data";
import { conflict, forbidden, notFound, validationError } from "@booking-rush/lib/errors";
import { and, asc, count, desc, eq, exists, gte, ilike, lte, or, type SQL } from "drizzle-orm";
import { organizerTenant, ownedEvent } from "./event-access";
import { cancelPublishedEvent, refreshPublishedEvent } from "./publishing";
import type { Actor, CatalogStore } from "./store";
import { eventView, showView } from "./views";

export interface EventFields {
  title: string;
  description: string;
  category: string | null;
  venue: string;
  bookingOpensAt: Date;
  bookingClosesAt: Date;
  maxTicketsPerUser: number;
  waitlistLimit: number;
  minAge: number | null;
}

/** The waiting room's settings of an event (the queue itself runs in the booking service). */
export interface QueueFields {
  queueEnabled: boolean;
  queueRatePerMinute: number;
  queueMaxActive: number;
  queuePassTtlSeconds: number;
  queueOrder: "fifo" | "random";
  queueOpensAt: Date | null;
}

async function categoryId(tx: Tx, slug: string | null | undefined): Promise<string | null | undefined> {
  if (slug === undefined || slug === null) return slug;
  const [category] = await tx.select({ id: categories.id }).from(categories).where(eq(categories.slug, slug));
  if (!category) throw validationError([{ in: "body", field: "category", message: "no such category" }]);
  return category.id;
}

export async function categorySlug(tx: Tx, id: string | null): Promise<string | null> {
  if (!id) return null;
  const [category] = await tx.select({ slug: categories.slug }).from(categories).where(eq(categories.id, id));
  return category?.slug ?? null;
}

function checkWindow(opensAt: Date, closesAt: Date) {
  if (closesAt.getTime() <= opensAt.getTime()) {
    throw validationError([{ in: "body", field: "booking_closes_at", message: "must be after booking_opens_at" }]);
  }
}

/**
 * The pre-queue opens before the sale (at the sale's opening it is shuffled), never at or after it.
 * The field named is the one the request sent: a new booking_opens_at can put an event's existing
 * pre-queue opening out of order as well.
 */
function checkQueueOpening(queueOpensAt: Date | null, bookingOpensAt: Date, sent: "queue_opens_at" | "booking_opens_at") {
  if (queueOpensAt !== null && queueOpensAt.getTime() >= bookingOpensAt.getTime()) {
    const message = sent === "queue_opens_at" ? "must be before booking_opens_at" : "must be after the event's queue_opens_at";
    throw validationError([{ in: "body", field: sent, message }]);
  }
}

/** An audit row of a change to an event, by the request's actor. */
export const auditEvent = (tx: Tx, actor: Actor, action: string, event: Event, before: unknown, after: unknown) =>
  writeAudit(tx, {
    actorId: actor.user.id,
    tenantId: event.tenantId,
    action,
    entityType: "event",
    entityId: event.id,
    before,
    after,
    ip: actor.ip ?? null,
    requestId: actor.requestId ?? null,
  });

/** Queue settings not given take their columns' defaults. */
export async function createEvent(store: CatalogStore, actor: Actor, fields: EventFields & Partial<QueueFields>) {
  const tenantId = organizerTenant(actor.user);
  checkWindow(fields.bookingOpensAt, fields.bookingClosesAt);
  checkQueueOpening(fields.queueOpensAt ?? null, fields.bookingOpensAt, "queue_opens_at");
  return inScope(store.db, scopeOf(actor.user), async (tx) => {
    const { category, ...rest } = fields;
    const [event] = await tx
      .insert(events)
      .values({ ...rest, tenantId, organizerId: actor.user.id, categoryId: await categoryId(tx, category) })
      .returning()
      .catch((error: unknown) => {
        // A signed token naming a tenant or organizer that does not exist (any more): not allowed, not a 500.
        if (postgresErrorOf(error)?.code === "23503") throw forbidden("Your organization or account does not exist");
        throw error;
      });
    const view = eventView(event!, category);
    await auditEvent(tx, actor, "event.created", event!, null, view);
    return view;
  });
}

export async function updateEvent(store: CatalogStore, actor: Actor, eventId: string, changes: Partial<EventFields & QueueFields>) {
  const view = await inScope(store.db, scopeOf(actor.user), async (tx) => {
    const event = await ownedEvent(tx, actor.user, eventId);
    if (event.status === "cancelled") throw conflict("A cancelled event cannot be changed", { status: event.status });
    checkWindow(changes.bookingOpensAt ?? event.bookingOpensAt, changes.bookingClosesAt ?? event.bookingClosesAt);
    checkQueueOpening(
      changes.queueOpensAt !== undefined ? changes.queueOpensAt : event.queueOpensAt,
      changes.bookingOpensAt ?? event.bookingOpensAt,
      changes.queueOpensAt !== undefined ? "queue_opens_at" : "booking_opens_at",
    );
    const { category, ...rest } = changes;
    const [updated] = await tx
      .update(events)
      .set({ ...rest, ...(category !== undefined ? { categoryId: await categoryId(tx, category) } : {}) })
      .where(eq(events.id, eventId))
      .returning();
    const before = eventView(event, await categorySlug(tx, event.categoryId));
    const after = eventView(updated!, await categorySlug(tx, updated!.categoryId));
    // A published event's window, limits and queue settings live in Redis too; the sale must see the change.
    if (updated!.status === "published") await refreshPublishedEvent(store, tx, updated!);
    await store.cache.invalidate(eventId);
    await auditEvent(tx, actor, "event.updated", updated!, before, after);
    return after;
  });
  await store.cache.invalidateAfterCommit(eventId);
  return view;
}

/** A draft is deleted outright; a published event is cancelled (its buyers are refunded in full). */
export async function removeEvent(store: CatalogStore, actor: Actor, eventId: string) {
  const result = await inScope(store.db, scopeOf(actor.user), async (tx) => {
    const event = await ownedEvent(tx, actor.user, eventId);
    const before = eventView(event, await categorySlug(tx, event.categoryId));
    if (event.status === "cancelled") throw conflict("The event is already cancelled", { status: event.status });
    await store.cache.invalidate(eventId);
    if (event.status === "draft") {
      await tx.delete(events).where(eq(events.id, eventId));
      await auditEvent(tx, actor, "event.deleted", event, before, null);
      return { ...before, deleted: true };
    }
    const [cancelled] = await tx
      .update(events)
      .set({ status: "cancelled", cancelledAt: new Date() })
      .where(eq(events.id, eventId))
      .returning();
    const after = eventView(cancelled!, before.category);
    await auditEvent(tx, actor, "event.cancelled", cancelled!, before, after);
    // Last, so a Redis failure rolls the cancellation back: nothing changed, 503.
    await cancelPublishedEvent(store, cancelled!, actor.traceparent);
    return { ...after, deleted: false };
  });
  await store.cache.invalidateAfterCommit(eventId);
  return result;
}

/** The event page: the event and its shows; drafts only for their own tenant (row-level security). */
export async function eventDetail(store: CatalogStore, viewer: AuthenticatedUser | null, eventId: string) {
  const load = () =>
    inScope(store.db, scopeOf(viewer), async (tx) => {
      const [event] = await tx.select().from(events).where(eq(events.id, eventId));
      if (!event) return undefined;
      const eventShows = await tx.select().from(shows).where(eq(shows.eventId, eventId)).orderBy(asc(shows.startsAt));
      return { ...eventView(event, await categorySlug(tx, event.categoryId)), shows: eventShows.map(showView) };
    });
  // Drafts are per tenant, so only what everyone may see is cached.
  const detail = viewer && viewer.role !== "user" ? await load() : await store.cache.event(eventId, load);
  if (!detail) throw notFound("Event");
  return detail;
}

export interface EventListQuery {
  page: number;
  perPage: number;
  category?: string;
  q?: string;
  from?: Date;
  to?: Date;
}

const likePattern = (text: string) => `%${text.replace(/[\\%_]/g, (match) => `\\${match}`)}%`;

/** Published events, soonest booking first; filters by category, text, and show dates. */
export async function listEvents(store: CatalogStore, query: EventListQuery) {
  return store.cache.list(query, () =>
    inScope(store.db, scopeOf(null), async (tx) => {
      const conditions: (SQL | undefined)[] = [eq(events.status, "published")];
      if (query.category) {
        conditions.push(
          exists(
            tx
              .select()
              .from(categories)
              .where(and(eq(categories.id, events.categoryId), eq(categories.slug, query.category))),
          ),
        );
      }
      if (query.q) {
        const pattern = likePattern(query.q);
        conditions.push(or(ilike(events.title, pattern), ilike(events.description, pattern), ilike(events.venue, pattern)));
      }
      if (query.from || query.to) {
        conditions.push(
          exists(
            tx
              .select()
              .from(shows)
              .where(
                and(
                  eq(shows.eventId, events.id),
                  query.from ? gte(shows.startsAt, query.from) : undefined,
                  query.to ? lte(shows.startsAt, query.to) : undefined,
                ),
              ),
          ),
        );
      }
      const where = and(...conditions);
      const [rows, [total]] = await Promise.all([
        tx
          .select({ event: events, category: categories.slug })
          .from(events)
          .leftJoin(categories, eq(categories.id, events.categoryId))
          .where(where)
          .orderBy(asc(events.bookingOpensAt), desc(events.createdAt), asc(events.id))
          .limit(query.perPage)
          .offset((query.page - 1) * query.perPage),
        tx.select({ total: count() }).from(events).where(where),
      ]);
      return { items: rows.map((row) => eventView(row.event, row.category)), total: Number(total?.total ?? 0) };
    }),
  );
}

export interface TenantEventListQuery {
  page: number;
  perPage: number;
  status?: Event["status"];
}

/**
 * The caller's tenant's events in every state (drafts too), newest first, for its organizers'
 * "My events": the tenant is the token's, never the request's. Never cached (drafts are per tenant).
 */
export async function listTenantEvents(store: CatalogStore, user: AuthenticatedUser, query: TenantEventListQuery) {
  const tenantId = organizerTenant(user);
  return inScope(store.db, scopeOf(user), async (tx) => {
    const where = and(eq(events.tenantId, tenantId), query.status ? eq(events.status, query.status) : undefined);
    const [rows, [total]] = await Promise.all([
      tx
        .select({ event: events, category: categories.slug })
        .from(events)
        .leftJoin(categories, eq(categories.id, events.categoryId))
        .where(where)
        .orderBy(desc(events.createdAt), asc(events.id))
        .limit(query.perPage)
        .offset((query.page - 1) * query.perPage),
      tx.select({ total: count() }).from(events).where(where),
    ]);
    return { items: rows.map((row) => eventView(row.event, row.category)), total: Number(total?.total ?? 0) };
  });
}

export async function eventShows(store: CatalogStore, viewer: AuthenticatedUser | null, eventId: string) {
  return (await eventDetail(store, viewer, eventId)).shows;
}

export async function createShow(store: CatalogStore, actor: Actor, eventId: string, startsAt: Date, endsAt: Date) {
  if (endsAt.getTime() <= startsAt.getTime()) throw validationError([{ in: "body", field: "ends_at", message: "must be after starts_at" }]);
  // Drafts are never cached, so there is no page to invalidate.
  return inScope(store.db, scopeOf(actor.user), async (tx) => {
    const event = await ownedEvent(tx, actor.user, eventId);
    if (event.status !== "draft") throw conflict("Shows can only be added while the event is a draft", { status: event.status });
    const [show] = await tx.insert(shows).values({ eventId, startsAt, endsAt }).returning();
    return showView(show!);
  });
}
