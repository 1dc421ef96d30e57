/**
 * The waiting room's operator routes: pause, resume, and change the rate and cap of admission, for
 * an organizer or admin of the event's tenant (event-access.ts: another tenant's visible event is
 * 403, a draft it cannot see 404). Each answers the event as GET /events/:id shows it. The rate and
 * cap change with a PUT of the fields to change, as PUT /events/:id: the platform serves no PATCH
 * (its CORS allows GET, POST, PUT and DELETE).
 */
import { errorResponses, okSchema } from "@booking-rush/lib/errors";
import { authGuard, rateLimitPlugin, traceparentHeader, uuid } from "@booking-rush/lib/http";
import { Elysia, t } from "elysia";
import { changeAdmission } from "./queue-admin";
import { type CatalogRoutesOptions, eventFields } from "./routes";
import { actorsOf, type CatalogStore } from "./store";
import { eventSchema } from "./views";

const params = t.Object({ id: uuid() });
const headers = t.Object({ traceparent: traceparentHeader });
const admissionBody = t.Object(
  {
    rate_per_minute: t.Optional(eventFields.queue_rate_per_minute),
    max_active: t.Optional(eventFields.queue_max_active),
  },
  { minProperties: 1, additionalProperties: false },
);
const response = { 200: okSchema(eventSchema), ...errorResponses("NOT_FOUND", "CONFLICT", "RATE_LIMITED") };
const organizers = ["organizer", "admin"] as ("organizer" | "admin")[];

export const queueAdminRoutes = (store: CatalogStore, options: CatalogRoutesOptions) => {
  const route = { auth: organizers, params, headers, response, rateLimit: { rule: options.rateLimit } };
  return new Elysia({ name: "catalog.queue-admin-routes", prefix: "/api/v1" })
    .use(authGuard(options.access))
    .use(rateLimitPlugin(options.limiter, { trustProxy: options.trustProxy }))
    .derive(({ request, headers }) => ({ actorOf: actorsOf(request, headers.traceparent) }))
    .post(
      "/admin/events/:id/queue/pause",
      async ({ params, user, actorOf }) => ({
        success: true as const,
        data: await changeAdmission(store, actorOf(user), params.id, { paused: true }, "event.queue_paused"),
      }),
      {
        ...route,
        detail: { tags: ["admin"], summary: "Pause the waiting room's admission; buyers keep their places (audit-logged)" },
      },
    )
    .post(
      "/admin/events/:id/queue/resume",
      async ({ params, user, actorOf }) => ({
        success: true as const,
        data: await changeAdmission(store, actorOf(user), params.id, { paused: false }, "event.queue_resumed"),
      }),
      {
        ...route,
        detail: { tags: ["admin"], summary: "Resume the waiting room's admission (audit-logged)" },
      },
    )
    .put(
      "/admin/events/:id/queue",
      async ({ params, body, user, actorOf }) => ({
        success: true as const,
        data: await changeAdmission(
          store,
          actorOf(user),
          params.id,
          { ratePerMinute: body.rate_per_minute, maxActive: body.max_active },
          "event.queue_changed",
        ),
      }),
      {
        ...route,
        body: admissionBody,
        detail: { tags: ["admin"], summary: "Change a live waiting room's admission rate and cap on active buyers (audit-logged)" },
      },
    );
};
