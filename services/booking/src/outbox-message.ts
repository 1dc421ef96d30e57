/**
 * An outbox stream entry (written by the booking scripts' `emit`) as the Kafka message consumers
 * read: topic = the event type, key = the concert event's id (one sale, one partition, in order),
 * `event_id` in body and headers for consumers' idempotency, `traceparent` carried across.
 */
import type { Message } from "@booking-rush/lib/clients";
import type { EventMessage, Topic } from "@booking-rush/lib/contracts";

export interface OutboxEntry {
  id: string;
  fields: Record<string, string>;
}

/** XRANGE/XREADGROUP's flat [field, value, ...] list as an object; null for an entry deleted meanwhile. */
export function entryFields(flat: string[] | null): Record<string, string> | null {
  if (!flat) return null;
  const fields: Record<string, string> = {};
  for (let index = 0; index + 1 < flat.length; index += 2) fields[flat[index]!] = flat[index + 1]!;
  return fields;
}

/** `traceparent`: what the message carries on (the relay's producer span), else the entry's own. */
export function outboxMessage(
  eventId: string,
  fields: Record<string, string>,
  traceparent = fields.traceparent,
): { topic: Topic; message: Message } {
  const type = fields.type as Topic;
  const body: EventMessage = {
    event_id: fields.event_id!,
    type,
    occurred_at: new Date(Number(fields.occurred_at_ms)).toISOString(),
    ...(fields.seq ? { seq: Number(fields.seq) } : {}),
    data: JSON.parse(fields.payload ?? "{}") as Record<string, unknown>,
  };
  const headers: Record<string, string> = { event_id: body.event_id, type };
  if (traceparent) headers.traceparent = traceparent;
  return { topic: type, message: { key: eventId, value: JSON.stringify(body), headers } };
}
