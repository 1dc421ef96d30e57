import type { AccessControl } from "@booking-rush/lib/auth";
import { errorResponses, okSchema, page, pageQuerySchema, pageSchema, validationError } from "@booking-rush/lib/errors";
import { authGuard, jsonInteger, traceparentHeader, uuid } from "@booking-rush/lib/http";
import { currentTraceparent } from "@booking-rush/lib/observability";
import { Elysia, t } from "elysia";
import { getBooking, listBookings, pendingBookings } from "./booking-queries";
import { refundsOf } from "./booking-refunds";
import { bookingSchema, bookingView } from "./booking-view";
import { type BookingStore, cancelBooking, confirmBooking, reserveSeats } from "./reservations";

const idempotencyHeaders = t.Object({
  "idempotency-key": t.String({
    minLength: 1,
    maxLength: 128,
    pattern: "^[A-Za-z0-9._:-]+$",
    description: "Required on every POST; a retry with the same key and body returns the first answer",
  }),
  traceparent: traceparentHeader,
});

const reserveHeaders = t.Object({
  ...idempotencyHeaders.properties,
  "x-queue-pass": t.Optional(
    t.String({ maxLength: 2048, description: "The waiting room's pass (GET /queue/status); required when the event has one" }),
  ),
});

const reserveBody = t.Object(
  {
    show_id: uuid(),
    zone_id: t.Optional(uuid({ description: "General admission: the zone" })),
    quantity: t.Optional(jsonInteger({ minimum: 1, maximum: 10, description: "General admission: how many seats" })),
    seat_ids: t.Optional(
      t.Array(uuid(), { minItems: 1, maxItems: 10, uniqueItems: true, description: "Assigned seating: the seats, all or none" }),
    ),
    join_waitlist: t.Optional(
      t.Boolean({
        description:
          "When the seats cannot be served (sold out, a seat taken, or buyers already waiting in the zone): take a place on the zone's " +
          "waitlist instead (201 with status waitlisted and waitlist_position). Seats that come back go to the waiting buyers in order, " +
          "each whose quantity fits (one that does not fit keeps its place); each promoted buyer gets a hold of the full hold time and an e-mail.",
      }),
    ),
  },
  // Unknown fields are dropped by Elysia's normalisation, never stored or acted on.
);

const bookingIdParams = t.Object({ id: uuid() });
const bookingResponse = okSchema(bookingSchema);
// What the scripts and the domain answer besides the kernel's codes (see errorResponses).
const reserveErrors = errorResponses(
  "NOT_FOUND",
  "QUEUE_REQUIRED",
  "CONFLICT",
  "INSUFFICIENT_STOCK",
  "SEAT_UNAVAILABLE",
  "MAX_PER_USER_EXCEEDED",
  "BOOKING_NOT_OPEN",
  "AGE_RESTRICTED",
  "ALREADY_WAITLISTED",
  "WAITLIST_FULL",
  "IDEMPOTENCY_KEY_REUSED",
  "RATE_LIMITED",
);
const transitionErrors = errorResponses("NOT_FOUND", "PAYMENT_FAILED", "CONFLICT", "RESERVATION_EXPIRED", "IDEMPOTENCY_KEY_REUSED");

/** Exactly one way of choosing seats: a zone and a quantity, or a list of seats. */
function seatChoice(body: typeof reserveBody.static) {
  if (body.seat_ids) {
    if (body.zone_id !== undefined || body.quantity !== undefined) {
      throw validationError([{ in: "body", field: "seat_ids", message: "send seat_ids alone, or zone_id with quantity" }]);
    }
    return { seatIds: body.seat_ids };
  }
  const missing = [body.zone_id === undefined && "zone_id", body.quantity === undefined && "quantity"].filter(Boolean) as string[];
  if (missing.length > 0)
    throw validationError(missing.map((field) => ({ in: "body", field, message: "required unless seat_ids is sent" })));
  return { zoneId: body.zone_id, quantity: body.quantity };
}

export const bookingRoutes = (store: BookingStore, access: AccessControl) =>
  new Elysia({ name: "booking.routes", prefix: "/api/v1" })
    .use(authGuard(access))
    .post(
      "/bookings/reserve",
      async ({ body, headers, user, set }) => {
        const { booking } = await reserveSeats(store, {
          userId: user.id,
          idempotencyKey: headers["idempotency-key"],
          showId: body.show_id,
          ...seatChoice(body),
          queuePass: headers["x-queue-pass"],
          joinWaitlist: body.join_waitlist,
          birthdate: user.birthdate,
          traceparent: currentTraceparent(headers.traceparent),
        });
        set.status = 201;
        return { success: true as const, data: bookingView(booking) };
      },
      {
        auth: true,
        body: reserveBody,
        headers: reserveHeaders,
        response: { 201: bookingResponse, ...reserveErrors },
        detail: { tags: ["booking"], summary: "Hold seats, or wait for them (join_waitlist)" },
      },
    )
    .post(
      "/bookings/:id/confirm",
      async ({ params, body, headers, user }) => ({
        success: true as const,
        data: bookingView(
          await confirmBooking(store, {
            bookingId: params.id,
            userId: user.id,
            paymentId: body.payment_id,
            traceparent: currentTraceparent(headers.traceparent),
          }),
        ),
      }),
      {
        auth: true,
        params: bookingIdParams,
        body: t.Object({ payment_id: uuid() }),
        headers: idempotencyHeaders,
        response: { 200: bookingResponse, ...transitionErrors },
        detail: { tags: ["booking"], summary: "Confirm a paid hold; 410 when it expired" },
      },
    )
    .post(
      "/bookings/:id/cancel",
      async ({ params, headers, user }) => ({
        success: true as const,
        data: bookingView(
          await cancelBooking(store, { bookingId: params.id, userId: user.id, traceparent: currentTraceparent(headers.traceparent) }),
        ),
      }),
      {
        auth: true,
        params: bookingIdParams,
        headers: idempotencyHeaders,
        response: { 200: bookingResponse, ...transitionErrors },
        detail: {
          tags: ["booking"],
          summary: "Cancel; held seats go back at once (to the zone's waitlist first); a waiting booking leaves its waitlist",
        },
      },
    )
    .get(
      "/bookings",
      async ({ query, user }) => {
        const { items, total } = await listBookings(store.redis, user.id, query.page, query.per_page);
        const refunds = await refundsOf(store.db, items);
        return page(
          items.map((record) => bookingView(record, record.payment_id ? refunds.get(record.payment_id) : undefined)),
          { page: query.page, per_page: query.per_page, total },
        );
      },
      {
        auth: true,
        query: pageQuerySchema,
        response: { 200: pageSchema(bookingSchema) },
        detail: { tags: ["booking"], summary: "The caller's bookings, newest first; a cancelled one refunded carries its refund" },
      },
    )
    .get(
      "/bookings/pending",
      async ({ user }) => ({
        success: true as const,
        data: (await pendingBookings(store.redis, user.id)).map((record) => bookingView(record)),
      }),
      {
        auth: true,
        response: { 200: okSchema(t.Array(bookingSchema)) },
        detail: { tags: ["booking"], summary: "The caller's live holds" },
      },
    )
    .get(
      "/bookings/:id",
      async ({ params, user }) => {
        const record = await getBooking(store.redis, user, params.id);
        const refunds = await refundsOf(store.db, [record]);
        return { success: true as const, data: bookingView(record, record.payment_id ? refunds.get(record.payment_id) : undefined) };
      },
      {
        auth: true,
        params: bookingIdParams,
        response: { 200: bookingResponse, ...errorResponses("NOT_FOUND") },
        detail: { tags: ["booking"], summary: "One booking; a cancelled one refunded carries its refund" },
      },
    );
