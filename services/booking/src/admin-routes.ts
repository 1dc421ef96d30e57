import type { AccessControl } from "@booking-rush/lib/auth";
import { errorResponses, okSchema } from "@booking-rush/lib/errors";
import { authGuard, requestIdOf, uuid } from "@booking-rush/lib/http";
import { Elysia, t } from "elysia";
import { type InventoryAdmin, inventoryStatus, syncInventory } from "./inventory-admin";

const side = t.Object({
  available: t.Integer(),
  reserved: t.Integer(),
  sold: t.Integer(),
  waitlisted: t.Integer({ description: "Bookings waiting in the zone's waitlist" }),
});
const verdict = t.Union([t.Literal("clean"), t.Literal("drift"), t.Literal("ahead"), t.Literal("behind"), t.Literal("lost")]);

const zoneStatus = t.Object({
  zone_id: t.String({ format: "uuid" }),
  name: t.String(),
  verdict,
  redis: t.Union([t.Composite([side, t.Object({ seq: t.Integer() })]), t.Null()]),
  postgres: t.Composite([side, t.Object({ applied_seq: t.Integer() })]),
  difference: t.Union([t.Object({ reserved: t.Integer(), sold: t.Integer(), waitlisted: t.Integer(), seq: t.Integer() }), t.Null()]),
});

const syncedZone = t.Object({
  event_id: t.String({ format: "uuid" }),
  zone_id: t.String({ format: "uuid" }),
  verdict,
  outcome: t.Union([t.Literal("clean"), t.Literal("repaired"), t.Literal("rebuilt"), t.Literal("lagging"), t.Literal("changed")]),
});

/** GET /admin/inventory-status and POST /admin/sync-inventory: admins of the event's tenant only. */
export const inventoryAdminRoutes = (admin: InventoryAdmin, access: AccessControl) =>
  new Elysia({ name: "booking.admin-routes", prefix: "/api/v1" })
    .use(authGuard(access))
    .get(
      "/admin/inventory-status",
      async ({ query, user }) => ({ success: true as const, data: await inventoryStatus(admin, user, query.show_id) }),
      {
        auth: ["admin"],
        query: t.Object({ show_id: uuid() }),
        response: { 200: okSchema(t.Array(zoneStatus)), ...errorResponses("NOT_FOUND") },
        detail: {
          tags: ["admin"],
          summary: "Per zone: Redis available/reserved/sold/waitlisted/seq, PostgreSQL counts and applied seq, the difference",
        },
      },
    )
    .post(
      "/admin/sync-inventory",
      async ({ body, user, request, headers }) => ({
        success: true as const,
        data: await syncInventory(admin, user, { showId: body.show_id, requestId: requestIdOf(request), ip: headers["x-forwarded-for"] }),
      }),
      {
        auth: ["admin"],
        body: t.Object({
          show_id: t.Optional(uuid({ description: "One show's event; unset: every published event of the admin's tenant" })),
        }),
        response: { 200: okSchema(t.Array(syncedZone)), ...errorResponses("NOT_FOUND", "CONFLICT") },
        detail: {
          tags: ["admin"],
          summary: "Reconcile now: repair or rebuild Redis from PostgreSQL under the inventory lock (audit-logged)",
        },
      },
    );
