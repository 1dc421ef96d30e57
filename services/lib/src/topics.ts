/**
 * The Kafka topics of the platform (one per event type, named after it) and the message every
 * producer writes: keyed by the concert event's id so one sale stays in one partition, in order.
 */
export const bookingTopics = [
  "booking.created",
  "booking.confirmed",
  "booking.cancelled",
  "booking.expired",
  "booking.waitlisted",
  "booking.promoted",
  "booking.waitlist_closed",
] as const;
export const paymentTopics = ["payment.requested", "payment.succeeded", "payment.failed", "payment.refunded"] as const;
export const catalogTopics = ["event.cancelled"] as const;
export const allTopics = [...bookingTopics, ...paymentTopics, ...catalogTopics] as const;
/** What the booking scripts and the catalog write to the events' Redis outboxes, for the relay. */
export const outboxTopics = [...bookingTopics, ...catalogTopics] as const;

export type Topic = (typeof allTopics)[number];
export type BookingTopic = (typeof bookingTopics)[number];

export const isTopic = (name: string): name is Topic => (allTopics as readonly string[]).includes(name);

/** The JSON value of every message; `event_id` is the message's own id, stable across re-sends. */
export interface EventMessage<Data = Record<string, unknown>> {
  event_id: string;
  type: Topic;
  occurred_at: string;
  /** The zone's sequence number after the change (booking events only). */
  seq?: number;
  data: Data;
}

/** Alerts of the reconciler (one per zone found out of step), for whoever watches them. */
export const inventoryDiscrepancyTopic = "inventory.discrepancy";
