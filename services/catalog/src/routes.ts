import type { AccessControl } from "@booking-rush/lib/auth";
import { errorResponses, okSchema, page, pageQuerySchema, pageSchema, validationError } from "@booking-rush/lib/errors";
import {
  authGuard,
  dateTime as dateTimeSchema,
  jsonInteger,
  multiLineText,
  oneLineText,
  type RateLimiter,
  type RateLimitRule,
  rateLimitPlugin,
  traceparentHeader,
  uuid,
} from "@booking-rush/lib/http";
import { Elysia, t } from "elysia";
import { listCategories } from "./categories";
import {
  createEvent,
  createShow,
  type EventFields,
  eventDetail,
  eventShows,
  listEvents,
  type QueueFields,
  removeEvent,
  updateEvent,
} from "./events";
import { publishEvent } from "./publishing";
import { actorsOf, type CatalogStore } from "./store";
import { categorySchema, eventDetailSchema, eventSchema, seatSchema, showSchema, zoneSchema } from "./views";
import { createZone, seatMap, showZones, type ZoneLayout } from "./zones";

const dateTime = (description?: string) => dateTimeSchema(description ? { description } : {});
const categorySlug = t.String({ pattern: "^[a-z0-9]+(-[a-z0-9]+)*$", maxLength: 64 });

export const eventFields = {
  title: oneLineText({ minLength: 1, maxLength: 200 }),
  description: multiLineText({ maxLength: 5_000 }),
  category: t.Union([categorySlug, t.Null()], { description: "A category slug (GET /categories)" }),
  venue: oneLineText({ minLength: 1, maxLength: 200 }),
  booking_opens_at: dateTime(),
  booking_closes_at: dateTime("After booking_opens_at"),
  max_tickets_per_user: jsonInteger({ minimum: 1, maximum: 20 }),
  waitlist_limit: jsonInteger({ minimum: 0, maximum: 100_000, description: "Waitlist places per sold-out zone; 0 = none" }),
  min_age: t.Union([jsonInteger({ minimum: 0, maximum: 130 }), t.Null()], {
    description:
      "Youngest buyer's age in years on the day of booking, against the date of birth on their profile (403 AGE_RESTRICTED); null or 0: none",
  }),
  queue_enabled: t.Boolean({ description: "Waiting room: reserving needs a queue pass" }),
  queue_rate_per_minute: jsonInteger({ minimum: 1, maximum: 100_000, description: "Buyers the waiting room admits per minute (600)" }),
  queue_max_active: jsonInteger({
    minimum: 1,
    maximum: 1_000_000,
    description: "Admission waits while this many buyers hold a live queue pass (1000)",
  }),
  queue_pass_ttl_seconds: jsonInteger({ minimum: 30, maximum: 3_600, description: "Lifetime of a queue pass (300)" }),
  queue_order: t.Union([t.Literal("fifo"), t.Literal("random")], {
    description:
      "Order of the pre-queue at the opening: random (drawn once, arriving early buys nothing) or fifo; later arrivals queue in arrival order",
  }),
  queue_opens_at: t.Union([dateTime("Before booking_opens_at"), t.Null()], {
    description: "When the pre-queue opens; null: no pre-queue, the queue opens with the sale",
  }),
};

const createEventBody = t.Object({
  title: eventFields.title,
  description: t.Optional(eventFields.description),
  category: t.Optional(eventFields.category),
  venue: eventFields.venue,
  booking_opens_at: eventFields.booking_opens_at,
  booking_closes_at: eventFields.booking_closes_at,
  max_tickets_per_user: t.Optional(eventFields.max_tickets_per_user),
  waitlist_limit: t.Optional(eventFields.waitlist_limit),
  min_age: t.Optional(eventFields.min_age),
  queue_enabled: t.Optional(eventFields.queue_enabled),
  queue_rate_per_minute: t.Optional(eventFields.queue_rate_per_minute),
  queue_max_active: t.Optional(eventFields.queue_max_active),
  queue_pass_ttl_seconds: t.Optional(eventFields.queue_pass_ttl_seconds),
  queue_order: t.Optional(eventFields.queue_order),
  queue_opens_at: t.Optional(eventFields.queue_opens_at),
});

const updateEventBody = t.Partial(t.Object(eventFields), { minProperties: 1 });

type UpdateBody = typeof updateEventBody.static;

/** The waiting room's snake_case fields as the domain's, leaving out what was not sent. */
function queueChanges(body: UpdateBody): Partial<QueueFields> {
  const changes: Partial<QueueFields> = {};
  if (body.queue_enabled !== undefined) changes.queueEnabled = body.queue_enabled;
  if (body.queue_rate_per_minute !== undefined) changes.queueRatePerMinute = body.queue_rate_per_minute;
  if (body.queue_max_active !== undefined) changes.queueMaxActive = body.queue_max_active;
  if (body.queue_pass_ttl_seconds !== undefined) changes.queuePassTtlSeconds = body.queue_pass_ttl_seconds;
  if (body.queue_order !== undefined) changes.queueOrder = body.queue_order;
  if (body.queue_opens_at !== undefined) changes.queueOpensAt = body.queue_opens_at === null ? null : new Date(body.queue_opens_at);
  return changes;
}

/** The request's snake_case fields as the domain's, leaving out what was not sent. */
function eventChanges(body: UpdateBody): Partial<EventFields & QueueFields> {
  const changes: Partial<EventFields & QueueFields> = queueChanges(body);
  if (body.title !== undefined) changes.title = body.title;
  if (body.description !== undefined) changes.description = body.description;
  if (body.category !== undefined) changes.category = body.category;
  if (body.venue !== undefined) changes.venue = body.venue;
  if (body.booking_opens_at !== undefined) changes.bookingOpensAt = new Date(body.booking_opens_at);
  if (body.booking_closes_at !== undefined) changes.bookingClosesAt = new Date(body.booking_closes_at);
  if (body.max_tickets_per_user !== undefined) changes.maxTicketsPerUser = body.max_tickets_per_user;
  if (body.waitlist_limit !== undefined) changes.waitlistLimit = body.waitlist_limit;
  if (body.min_age !== undefined) changes.minAge = body.min_age;
  return changes;
}

const zoneBody = t.Object({
  name: oneLineText({ minLength: 1, maxLength: 100 }),
  price: jsonInteger({ minimum: 0, maximum: 100_000_000, description: "Minor units of the event's currency" }),
  total_seats: t.Optional(jsonInteger({ minimum: 1, maximum: 100_000, description: "General admission" })),
  rows: t.Optional(
    t.Array(
      t.Object({
        label: t.String({ minLength: 1, maxLength: 10, pattern: "^[A-Za-z0-9-]+$" }),
        seats: jsonInteger({ minimum: 1, maximum: 500 }),
      }),
      {
        minItems: 1,
        maxItems: 200,
        description: "Assigned seating: rows of numbered seats",
      },
    ),
  ),
});

/** Exactly one layout: a number of seats, or rows of seats. */
function zoneLayout(body: typeof zoneBody.static): ZoneLayout {
  if ((body.total_seats === undefined) === (body.rows === undefined)) {
    throw validationError([
      { in: "body", field: "total_seats", message: "send total_seats (general admission) or rows (assigned seating), not both" },
    ]);
  }
  return body.rows ? { kind: "assigned", rows: body.rows } : { kind: "general_admission", totalSeats: body.total_seats! };
}

const idParams = t.Object({ id: uuid() });
const traceHeaders = t.Object({ traceparent: traceparentHeader });
// What these routes answer besides the kernel's codes (see errorResponses): every one is rate
// limited; a viewer's token, when sent, must be valid.
const limitedErrors = errorResponses("RATE_LIMITED");
const missing = errorResponses("NOT_FOUND", "UNAUTHORIZED", "RATE_LIMITED");
const changing = errorResponses("NOT_FOUND", "CONFLICT", "RATE_LIMITED");
const organizers = ["organizer", "admin"] as ("organizer" | "admin")[];

const listQuery = t.Composite([
  pageQuerySchema,
  t.Object({
    category: t.Optional(categorySlug),
    q: t.Optional(oneLineText({ minLength: 1, maxLength: 100, description: "Words in the title, description or venue" })),
    from: t.Optional(dateTime("Events with a show starting at or after this time")),
    to: t.Optional(dateTime("Events with a show starting at or before this time")),
  }),
]);

export interface CatalogRoutesOptions {
  access: AccessControl;
  limiter: RateLimiter;
  /** The API's default limit per client address, on every catalog route. */
  rateLimit: RateLimitRule;
  trustProxy: boolean;
}

export const catalogRoutes = (store: CatalogStore, options: CatalogRoutesOptions) => {
  // Browsing must not go down with the write path: while Redis cannot write the buckets (no replica
  // in sync, a failover) a GET passes uncounted (catalog_rate_limit_unwritable_total); changes keep
  // failing closed.
  const limited = { rateLimit: { rule: options.rateLimit, readsWhenUnwritable: "admit" as const } };
  return new Elysia({ name: "catalog.routes", prefix: "/api/v1" })
    .use(authGuard(options.access))
    .use(rateLimitPlugin(options.limiter, { trustProxy: options.trustProxy }))
    .derive(({ request, headers }) => ({ actorOf: actorsOf(request, headers.traceparent) }))
    .get(
      "/events",
      async ({ query }) => {
        const { items, total } = await listEvents(store, {
          page: query.page,
          perPage: query.per_page,
          category: query.category,
          q: query.q,
          from: query.from ? new Date(query.from) : undefined,
          to: query.to ? new Date(query.to) : undefined,
        });
        return page(items, { page: query.page, per_page: query.per_page, total });
      },
      {
        query: listQuery,
        response: { 200: pageSchema(eventSchema), ...limitedErrors },
        ...limited,
        detail: { tags: ["catalog"], summary: "Published events" },
      },
    )
    .get("/events/:id", async ({ params, viewer }) => ({ success: true as const, data: await eventDetail(store, viewer, params.id) }), {
      viewer: true,
      params: idParams,
      response: { 200: okSchema(eventDetailSchema), ...missing },
      ...limited,
      detail: { tags: ["catalog"], summary: "An event with its shows" },
    })
    .get(
      "/events/:id/shows",
      async ({ params, viewer }) => ({ success: true as const, data: await eventShows(store, viewer, params.id) }),
      {
        viewer: true,
        params: idParams,
        response: { 200: okSchema(t.Array(showSchema)), ...missing },
        ...limited,
        detail: { tags: ["catalog"], summary: "An event's shows" },
      },
    )
    .get("/shows/:id/zones", async ({ params, viewer }) => ({ success: true as const, data: await showZones(store, viewer, params.id) }), {
      viewer: true,
      params: idParams,
      response: { 200: okSchema(t.Array(zoneSchema)), ...missing },
      ...limited,
      detail: { tags: ["catalog"], summary: "Zones with price and live availability" },
    })
    .get(
      "/shows/:id/seats",
      async ({ params, query, viewer }) => ({ success: true as const, data: await seatMap(store, viewer, params.id, query.zone_id) }),
      {
        viewer: true,
        params: idParams,
        query: t.Object({ zone_id: uuid() }),
        response: { 200: okSchema(t.Array(seatSchema)), ...missing },
        ...limited,
        detail: { tags: ["catalog"], summary: "Assigned-seating map with each seat's state" },
      },
    )
    .get("/categories", async () => ({ success: true as const, data: await listCategories(store) }), {
      response: { 200: okSchema(t.Array(categorySchema)), ...limitedErrors },
      ...limited,
      detail: { tags: ["catalog"], summary: "Categories" },
    })
    .post(
      "/events",
      async ({ body, user, actorOf, set }) => {
        set.status = 201;
        const data = await createEvent(store, actorOf(user), {
          title: body.title,
          description: body.description ?? "",
          category: body.category ?? null,
          venue: body.venue,
          bookingOpensAt: new Date(body.booking_opens_at),
          bookingClosesAt: new Date(body.booking_closes_at),
          maxTicketsPerUser: body.max_tickets_per_user ?? 4,
          waitlistLimit: body.waitlist_limit ?? 0,
          minAge: body.min_age ?? null,
          // What is not sent takes the column's default (drizzle/schema/catalog.ts).
          ...queueChanges(body),
        });
        return { success: true as const, data };
      },
      {
        auth: organizers,
        body: createEventBody,
        response: { 201: okSchema(eventSchema), ...limitedErrors },
        ...limited,
        detail: { tags: ["catalog"], summary: "Create a draft event" },
      },
    )
    .put(
      "/events/:id",
      async ({ params, body, user, actorOf }) => ({
        success: true as const,
        data: await updateEvent(store, actorOf(user), params.id, eventChanges(body)),
      }),
      {
        auth: organizers,
        params: idParams,
        body: updateEventBody,
        response: { 200: okSchema(eventSchema), ...changing },
        ...limited,
        detail: { tags: ["catalog"], summary: "Change an event of your tenant" },
      },
    )
    .delete(
      "/events/:id",
      async ({ params, user, actorOf }) => ({ success: true as const, data: await removeEvent(store, actorOf(user), params.id) }),
      {
        auth: organizers,
        params: idParams,
        headers: traceHeaders,
        response: {
          200: okSchema(
            t.Composite([
              eventSchema,
              t.Object({ deleted: t.Boolean({ description: "true: a draft was deleted; false: a published event was cancelled" }) }),
            ]),
          ),
          ...changing,
        },
        ...limited,
        detail: { tags: ["catalog"], summary: "Delete a draft, or cancel a published event (buyers are refunded in full)" },
      },
    )
    .post(
      "/events/:id/shows",
      async ({ params, body, user, actorOf, set }) => {
        set.status = 201;
        return {
          success: true as const,
          data: await createShow(store, actorOf(user), params.id, new Date(body.starts_at), new Date(body.ends_at)),
        };
      },
      {
        auth: organizers,
        params: idParams,
        body: t.Object({ starts_at: dateTime(), ends_at: dateTime() }),
        response: { 201: okSchema(showSchema), ...changing },
        ...limited,
        detail: { tags: ["catalog"], summary: "Add a show to a draft event" },
      },
    )
    .post(
      "/shows/:id/zones",
      async ({ params, body, user, actorOf, set }) => {
        set.status = 201;
        return {
          success: true as const,
          data: await createZone(store, actorOf(user), params.id, { name: body.name, price: body.price, layout: zoneLayout(body) }),
        };
      },
      {
        auth: organizers,
        params: idParams,
        body: zoneBody,
        response: { 201: okSchema(zoneSchema), ...changing },
        ...limited,
        detail: { tags: ["catalog"], summary: "Add a zone to a show of a draft event" },
      },
    )
    .post(
      "/events/:id/publish",
      async ({ params, user, actorOf }) => ({ success: true as const, data: await publishEvent(store, actorOf(user), params.id) }),
      {
        auth: organizers,
        params: idParams,
        response: { 200: okSchema(eventSchema), ...changing },
        ...limited,
        detail: { tags: ["catalog"], summary: "Publish: load the inventory into Redis; idempotent" },
      },
    );
};
