/**
 * GET /admin/sales and its Server-Sent Events stream: an event's live sales for an organizer or
 * admin of its tenant (API.md, "Booking"). Domain in live-sales.ts.
 */
import type { AccessControl } from "@booking-rush/lib/auth";
import { errorResponses, okSchema } from "@booking-rush/lib/errors";
import { authGuard, uuid } from "@booking-rush/lib/http";
import { Elysia, t } from "elysia";
import { eventStreamHeaders, jsonEventStream } from "./event-stream";
import { type LiveSalesSources, liveSales, salesMinutes } from "./live-sales";
import type { SalesConfig } from "./settings";

const count = (description: string) => t.Integer({ minimum: 0, description });
const minorUnits = (description: string) => t.Integer({ description: `${description}, in minor units of \`currency\`` });

const zoneSalesSchema = t.Object({
  zone_id: t.String({ format: "uuid" }),
  show_id: t.String({ format: "uuid" }),
  name: t.String({ description: "The zone's name (PostgreSQL)" }),
  price: minorUnits("One ticket's price in the zone (Redis)"),
  total: count("Seats of the zone"),
  available: t.Integer({ description: "Seats on sale now: total - held - sold (Redis)" }),
  held: count("Seats held by live reservations not paid yet (Redis)"),
  sold: count("Seats sold (Redis)"),
  waitlisted: count("Bookings waiting in the zone's waitlist (Redis; 0 when nobody waits)"),
});

const salesSchema = t.Object({
  event_id: t.String({ format: "uuid" }),
  as_of: t.String({ format: "date-time", description: "When the figures were read" }),
  currency: t.String({ minLength: 3, maxLength: 3, description: "ISO 4217 code of every amount" }),
  zones: t.Array(zoneSalesSchema, { description: "Every zone of the event's shows loaded for sale, live from Redis" }),
  tickets_sold: count("Tickets of the bookings confirmed and not cancelled or refunded (PostgreSQL)"),
  revenue: minorUnits("Gross of the event's succeeded payments, those refunded later included (PostgreSQL)"),
  refunds: minorUnits("Sum of the event's succeeded refunds (PostgreSQL)"),
  net: minorUnits("revenue - refunds"),
  sales_per_minute: t.Array(
    t.Object({
      minute: t.String({ format: "date-time", description: "Start of the minute" }),
      tickets: count("Tickets of the bookings confirmed in that minute (refunded later or not)"),
      revenue: minorUnits("Their total amount"),
    }),
    {
      minItems: salesMinutes,
      maxItems: salesMinutes,
      description: "The last hour, one entry per minute, oldest first; the last is the current minute, still filling",
    },
  ),
  holds: t.Object(
    {
      converted: count("Bookings whose hold was paid (confirmed), refunded later or not"),
      expired: count("Bookings whose hold expired unpaid"),
      cancelled: count("Bookings cancelled before they were paid: holds released, failed payments, waitlist places left"),
    },
    { description: "What became of the event's holds, counted in bookings (not tickets), from PostgreSQL" },
  ),
  queue: t.Union(
    [
      t.Object({
        waiting: count("Buyers waiting in line (the pre-queue before the opening)"),
        active: count("Admitted buyers whose pass is live"),
        paused: t.Boolean({ description: "Admission stopped by an operator" }),
      }),
      t.Null(),
    ],
    { description: "The waiting room, while it is on for the event; null when it is off" },
  ),
});

const salesQuery = t.Object({ event_id: uuid() });
const salesErrors = errorResponses("NOT_FOUND");
const organizers = ["organizer", "admin"] as ("organizer" | "admin")[];

export const salesRoutes = (sources: LiveSalesSources, access: AccessControl, config: SalesConfig) =>
  new Elysia({ name: "booking.sales-routes", prefix: "/api/v1" })
    .use(authGuard(access))
    .get("/admin/sales", async ({ query, user }) => ({ success: true as const, data: await liveSales(sources, user, query.event_id) }), {
      auth: organizers,
      query: salesQuery,
      response: { 200: okSchema(salesSchema), ...salesErrors },
      detail: {
        tags: ["admin"],
        summary: "An event's live sales: stock per zone, revenue, refunds, the last hour per minute, holds' outcomes, the waiting room",
      },
    })
    .get(
      "/admin/sales/stream",
      async ({ query, user, request }) => {
        // The first read answers errors (not found, another tenant's, a dependency down) with the envelope, before streaming.
        const first = await liveSales(sources, user, query.event_id);
        const read = () => liveSales(sources, user, query.event_id);
        const pacing = { retryMs: config.streamIntervalMs, maxMs: config.streamMaxMs, nextReadMs: () => config.streamIntervalMs };
        return new Response(jsonEventStream(first, read, pacing, request.signal), { headers: eventStreamHeaders });
      },
      {
        auth: organizers,
        query: salesQuery,
        response: {
          200: t.String({ description: "text/event-stream: a `data:` line with the /admin/sales figures' JSON every interval" }),
          ...salesErrors,
        },
        detail: { tags: ["admin"], summary: "The event's live sales pushed as Server-Sent Events every few seconds, for a live screen" },
      },
    );
