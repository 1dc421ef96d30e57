/**
 * A booking event as it travels through Kafka: lib's EventMessage whose `data` is the whole booking
 * as the Lua script left it at that zone sequence number (`booking_view` in lua/_booking.lua).
 * Every consumer of the booking topics (projector, notification) parses it with this one schema;
 * anything that does not have this shape is a poison message.
 */
import { Type } from "@sinclair/typebox";
import { type BookingTopic, bookingTopics } from "../topics";
import { checkedMessage, registerEventFormats } from "./formats";

registerEventFormats();

const uuid = Type.String({ format: "uuid" });
const epochMs = Type.Integer({ minimum: 0 });

/** The booking record of lua/_booking.lua `booking_view`. */
export const bookingRecordSchema = Type.Object({
  booking_id: uuid,
  user_id: uuid,
  event_id: uuid,
  show_id: uuid,
  zone_id: uuid,
  quantity: Type.Integer({ minimum: 1 }),
  status: Type.Union([
    Type.Literal("reserved"),
    Type.Literal("confirmed"),
    Type.Literal("cancelled"),
    Type.Literal("expired"),
    Type.Literal("waitlisted"),
  ]),
  created_at_ms: epochMs,
  /** A hold's end; while waitlisted, the end of the booking window (the place lapses then). */
  expires_at_ms: epochMs,
  seq: Type.Integer({ minimum: 1 }),
  seat_ids: Type.Optional(Type.Array(uuid)),
  payment_id: Type.Optional(Type.String()),
  confirmed_at_ms: Type.Optional(epochMs),
  closed_at_ms: Type.Optional(epochMs),
  /** The 1-based place the booking got when it joined its zone's waitlist; kept after promotion. */
  waitlist_position: Type.Optional(Type.Integer({ minimum: 1 })),
  /** When a waiting booking became a hold (booking.promoted). */
  promoted_at_ms: Type.Optional(epochMs),
});

export const bookingMessageSchema = Type.Object({
  event_id: Type.String({ minLength: 1 }),
  type: Type.Union(bookingTopics.map((topic) => Type.Literal(topic))),
  occurred_at: Type.String(),
  seq: Type.Integer({ minimum: 1 }),
  data: bookingRecordSchema,
});

export type BookingState = typeof bookingRecordSchema.static;

export interface BookingEvent {
  eventId: string;
  type: BookingTopic;
  zoneId: string;
  seq: number;
  booking: BookingState;
}

/** The event, or why it can never be applied. */
export function parseBookingEvent(value: Buffer | string | null): { event: BookingEvent } | { reason: string } {
  const checked = checkedMessage(bookingMessageSchema, value, "a booking event");
  if ("reason" in checked) return checked;
  const { body } = checked;
  if (body.seq !== body.data.seq) return { reason: "message seq and booking seq differ" };
  return { event: { eventId: body.event_id, type: body.type, zoneId: body.data.zone_id, seq: body.seq, booking: body.data } };
}
