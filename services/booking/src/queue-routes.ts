/**
 * The waiting room's buyer endpoints (API.md, "Booking"): join, status, and a Server-Sent Events
 * stream of the same answer, so clients need not poll. Domain in waiting-room.ts.
 */
import type { AccessControl } from "@booking-rush/lib/auth";
import { errorResponses, okSchema } from "@booking-rush/lib/errors";
import { authGuard, uuid } from "@booking-rush/lib/http";
import { Elysia, t } from "elysia";
import { eventStreamHeaders, jsonEventStream } from "./event-stream";
import type { BookingStore } from "./reservations";
import type { QueueConfig } from "./settings";
import { joinQueue, type QueueAnswer, queueStatus } from "./waiting-room";

const nullable = <T extends Parameters<typeof t.Union>[0][number]>(schema: T) => t.Union([schema, t.Null()]);

const queueAnswerSchema = t.Object({
  status: t.Union([t.Literal("waiting"), t.Literal("admitted"), t.Literal("sold_out"), t.Literal("closed")], {
    description: "waiting (in line), admitted (queue_pass is yours), sold_out (nothing left, nor held), closed (the sale is over)",
  }),
  position: nullable(t.Integer({ minimum: 1, description: "1 = next; null when admitted, closed, or before the opening's draw" })),
  eta_seconds: nullable(t.Integer({ minimum: 0, description: "From the measured admission rate; null when unknown (paused, sold out)" })),
  queue_pass: t.Optional(t.String({ description: "Send as X-Queue-Pass on POST /bookings/reserve (admitted only)" })),
  queue_pass_expires_at: t.Optional(t.String({ description: "ISO 8601: when the pass and its slot end" })),
  poll_after_seconds: t.Integer({ minimum: 1, description: "Ask again after this long (also the Retry-After header)" }),
});
const queueQuery = t.Object({ event_id: uuid() });
const queueErrors = errorResponses("NOT_FOUND", "BOOKING_NOT_OPEN");
const answerResponse = okSchema(queueAnswerSchema);

/** Where a stream stops: nothing further will happen to this place without the buyer acting. */
const settled = (answer: QueueAnswer) => answer.status === "admitted" || answer.status === "closed";

/** The longest a stream waits between two reads of a place far back in the line. */
const farBackReadMs = 10_000;

/**
 * How long a stream waits before it reads the place again: what a polling client would be told
 * (poll_after_seconds), between the configured interval and farBackReadMs. Every open stream
 * reads Redis on its own, so 50,000 buyers in line must not read once a second each: those close
 * to the front are read every interval, the rest as rarely as their place can change.
 */
const nextReadMs = (answer: QueueAnswer, config: QueueConfig) =>
  Math.min(farBackReadMs, Math.max(config.streamIntervalMs, answer.poll_after_seconds * 1000));

/** The place as SSE (event-stream.ts) until it is settled: a change per `data:` line. */
const placeStream = (first: QueueAnswer, read: () => Promise<QueueAnswer>, config: QueueConfig, signal: AbortSignal) =>
  jsonEventStream(
    first,
    read,
    { retryMs: config.streamIntervalMs, maxMs: config.streamMaxMs, nextReadMs: (answer) => nextReadMs(answer, config), settled },
    signal,
  );

export const queueRoutes = (store: BookingStore, access: AccessControl, config: QueueConfig) =>
  new Elysia({ name: "booking.queue-routes", prefix: "/api/v1" })
    .use(authGuard(access))
    .post(
      "/queue/join",
      async ({ body, user, set }) => {
        const answer = await joinQueue(store, user.id, body.event_id);
        set.headers["retry-after"] = String(answer.poll_after_seconds);
        return { success: true as const, data: answer };
      },
      {
        auth: true,
        body: t.Object({ event_id: uuid() }),
        response: { 200: answerResponse, ...queueErrors },
        detail: { tags: ["queue"], summary: "Take a place in the event's waiting room; joining again keeps the first place" },
      },
    )
    .get(
      "/queue/status",
      async ({ query, user, set }) => {
        const answer = await queueStatus(store, user.id, query.event_id);
        set.headers["retry-after"] = String(answer.poll_after_seconds);
        return { success: true as const, data: answer };
      },
      {
        auth: true,
        query: queueQuery,
        response: { 200: answerResponse, ...errorResponses("NOT_FOUND") },
        detail: { tags: ["queue"], summary: "The caller's place; the pass once admitted. Poll no sooner than Retry-After" },
      },
    )
    .get(
      "/queue/stream",
      async ({ query, user, request }) => {
        // The first read answers errors (no place, no waiting room) with the envelope, before streaming.
        const first = await queueStatus(store, user.id, query.event_id);
        const read = () => queueStatus(store, user.id, query.event_id);
        return new Response(placeStream(first, read, config, request.signal), { headers: eventStreamHeaders });
      },
      {
        auth: true,
        query: queueQuery,
        response: {
          200: t.String({ description: "text/event-stream: a `data:` line with the /queue/status answer's JSON per change" }),
          ...errorResponses("NOT_FOUND"),
        },
        detail: { tags: ["queue"], summary: "The caller's place pushed as Server-Sent Events on every change" },
      },
    );
