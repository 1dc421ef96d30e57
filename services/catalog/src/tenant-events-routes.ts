/**
 * GET /admin/events: every event of the caller's tenant (drafts and cancelled ones too), for its
 * organizers' and admins' "My events". GET /events lists published events only, to everyone; this
 * list is the tenant's own, the tenant taken from the token (a buyer is 403, another tenant's
 * events never appear). Domain in events.ts (listTenantEvents).
 */
import { errorResponses, page, pageQuerySchema, pageSchema } from "@booking-rush/lib/errors";
import { authGuard, rateLimitPlugin } from "@booking-rush/lib/http";
import { Elysia, t } from "elysia";
import { listTenantEvents } from "./events";
import type { CatalogRoutesOptions } from "./routes";
import type { CatalogStore } from "./store";
import { eventSchema } from "./views";

const tenantEventsQuery = t.Composite([
  pageQuerySchema,
  t.Object({
    status: t.Optional(
      t.Union([t.Literal("draft"), t.Literal("published"), t.Literal("cancelled")], { description: "Only the events in this state" }),
    ),
  }),
]);
const organizers = ["organizer", "admin"] as ("organizer" | "admin")[];

export const tenantEventsRoutes = (store: CatalogStore, options: CatalogRoutesOptions) =>
  new Elysia({ name: "catalog.tenant-events-routes", prefix: "/api/v1" })
    .use(authGuard(options.access))
    .use(rateLimitPlugin(options.limiter, { trustProxy: options.trustProxy }))
    .get(
      "/admin/events",
      async ({ query, user }) => {
        const { items, total } = await listTenantEvents(store, user, { page: query.page, perPage: query.per_page, status: query.status });
        return page(items, { page: query.page, per_page: query.per_page, total });
      },
      {
        auth: organizers,
        query: tenantEventsQuery,
        response: { 200: pageSchema(eventSchema), ...errorResponses("FORBIDDEN", "RATE_LIMITED") },
        rateLimit: { rule: options.rateLimit, readsWhenUnwritable: "admit" as const },
        detail: {
          tags: ["admin"],
          summary: "Your tenant's events in every state (drafts, published, cancelled), newest first; organizers and admins",
        },
      },
    );
