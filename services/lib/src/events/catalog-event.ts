/**
 * `event.cancelled`: an organizer cancelled a published event (lua/cancel-event.lua writes it to
 * the event's outbox, the relay brings it to Kafka). The payment worker refunds every paid booking
 * of the event in full on it. Anything without this shape is a poison message.
 */
import { Type } from "@sinclair/typebox";
import { checkedMessage, registerEventFormats } from "./formats";

registerEventFormats();

export const eventCancelledMessageSchema = Type.Object({
  event_id: Type.String({ minLength: 1 }),
  type: Type.Literal("event.cancelled"),
  occurred_at: Type.String(),
  data: Type.Object({
    /** The concert event (catalog `events.id`), not the message's id. */
    event_id: Type.String({ format: "uuid" }),
    tenant_id: Type.String({ format: "uuid" }),
    cancelled_at_ms: Type.Integer({ minimum: 0 }),
  }),
});

export interface EventCancelled {
  messageId: string;
  concertEventId: string;
  tenantId: string;
  cancelledAt: Date;
}

export function parseEventCancelled(value: Buffer | string | null): { event: EventCancelled } | { reason: string } {
  const checked = checkedMessage(eventCancelledMessageSchema, value, "an event.cancelled message");
  if ("reason" in checked) return checked;
  const { body } = checked;
  return {
    event: {
      messageId: body.event_id,
      concertEventId: body.data.event_id,
      tenantId: body.data.tenant_id,
      cancelledAt: new Date(body.data.cancelled_at_ms),
    },
  };
}
