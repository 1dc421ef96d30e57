/**
 * A booking event as the projector applies it: the Kafka message (lib's EventMessage) whose `data`
 * is the whole booking as the script left it at that zone sequence number. Anything that does not
 * have this shape is a poison message.
 */
import { bookingTopics, type BookingTopic } from "@booking-rush/lib";
import { FormatRegistry, Type } from "@sinclair/typebox";
import { Value } from "@sinclair/typebox/value";

const uuid = Type.String({ format: "uuid" });
const epochMs = Type.Integer({ minimum: 0 });

const bookingSchema = Type.Object({
  booking_id: uuid,
  user_id: uuid,
  event_id: uuid,
  show_id: uuid,
  zone_id: uuid,
  quantity: Type.Integer({ minimum: 1 }),
  status: Type.Union([Type.Literal("reserved"), Type.Literal("confirmed"), Type.Literal("cancelled"), Type.Literal("expired")]),
  created_at_ms: epochMs,
  expires_at_ms: epochMs,
  seq: Type.Integer({ minimum: 1 }),
  seat_ids: Type.Optional(Type.Array(uuid)),
  payment_id: Type.Optional(Type.String()),
  confirmed_at_ms: Type.Optional(epochMs),
  closed_at_ms: Type.Optional(epochMs),
});

const messageSchema = Type.Object({
  event_id: Type.String({ minLength: 1 }),
  type: Type.Union(bookingTopics.map((topic) => Type.Literal(topic))),
  occurred_at: Type.String(),
  seq: Type.Integer({ minimum: 1 }),
  data: bookingSchema,
});

export type BookingState = typeof bookingSchema.static;

export interface BookingEvent {
  eventId: string;
  type: BookingTopic;
  zoneId: string;
  seq: number;
  booking: BookingState;
}

// TypeBox checks a `format` only once it is registered (Elysia registers its own when loaded).
if (!FormatRegistry.Has("uuid")) {
  FormatRegistry.Set("uuid", (value) => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value));
}

/** The event, or why it can never be applied. */
export function parseBookingEvent(value: Buffer | null): { event: BookingEvent } | { reason: string } {
  let body: unknown;
  try {
    body = JSON.parse(String(value));
  } catch {
    return { reason: "not JSON" };
  }
  if (!Value.Check(messageSchema, body)) {
    const first = Value.Errors(messageSchema, body).First();
    return { reason: `not a booking event: ${first ? `${first.path || "/"} ${first.message}` : "wrong shape"}` };
  }
  if (body.seq !== body.data.seq) return { reason: "message seq and booking seq differ" };
  return { event: { eventId: body.event_id, type: body.type, zoneId: body.data.zone_id, seq: body.seq, booking: body.data } };
}
