/**
 * Bookkeeping that makes at-least-once delivery safe: request idempotency, consumer idempotency,
 * and the projector's high-water mark per zone.
 */
import { sql } from "drizzle-orm";
import { bigint, check, index, integer, jsonb, pgTable, primaryKey, text, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { seatZones } from "./catalog";
import { id, timestamps, timestamptz } from "./columns";
import { idempotencyStatus } from "./enums";
import { users } from "./identity";

/**
 * Durable Idempotency-Key records (seed 002's state machine): the same (scope, key) with the same
 * `request_hash` replays the stored response; with another hash it is IDEMPOTENCY_KEY_REUSED.
 * `scope` names the operation and the caller (e.g. `payments.create:<user id>`), so two users'
 * keys never collide. An `in_progress` record older than `expires_at` counts as failed; a cleanup
 * job deletes expired records.
 */
export const idempotencyRecords = pgTable(
  "idempotency_records",
  {
    id: id(),
    scope: text("scope").notNull(),
    key: text("key").notNull(),
    userId: uuid("user_id").references(() => users.id, { onDelete: "cascade" }),
    /** SHA-256 hex of the canonical request body. */
    requestHash: text("request_hash").notNull(),
    status: idempotencyStatus("status").notNull().default("in_progress"),
    responseStatus: integer("response_status"),
    responseBody: jsonb("response_body"),
    expiresAt: timestamptz("expires_at").notNull(),
    ...timestamps(),
  },
  (t) => [
    uniqueIndex("idempotency_records_scope_key_key").on(t.scope, t.key),
    index("idempotency_records_expires_at_idx").on(t.expiresAt),
    check("idempotency_records_finished_has_response", sql`${t.status} = 'in_progress' or ${t.responseStatus} is not null`),
  ],
);

/**
 * Consumer-side idempotency: a Kafka consumer inserts (consumer, event_id) in the same transaction
 * as its effects; a duplicate delivery hits the primary key (ON CONFLICT DO NOTHING → skip).
 * `event_id` is text because it is whatever id the outbox gave the event.
 */
export const processedEvents = pgTable(
  "processed_events",
  {
    /** Consumer group (or worker) name, e.g. `projector`, `notification`. */
    consumer: text("consumer").notNull(),
    eventId: text("event_id").notNull(),
    /** Topic / event type, for inspection. */
    eventType: text("event_type"),
    /**
     * Booking events: the zone and its sequence number. Events of one zone arrive on several topics
     * (one per type), so not in order; the projector advances a zone's `last_applied_seq` only over
     * an unbroken run of applied sequence numbers, which these rows record.
     */
    zoneId: uuid("zone_id"),
    seq: bigint("seq", { mode: "number" }),
    processedAt: timestamptz("processed_at").notNull().defaultNow(),
    ...timestamps(),
  },
  (t) => [
    primaryKey({ name: "processed_events_pkey", columns: [t.consumer, t.eventId] }),
    // retention: delete rows older than Kafka's retention
    index("processed_events_processed_at_idx").on(t.processedAt),
    index("processed_events_consumer_zone_id_seq_idx").on(t.consumer, t.zoneId, t.seq).where(sql`${t.zoneId} is not null`),
  ],
);

/**
 * The projector's high-water mark: the zone `seq` of the last event folded into `seat_zones`.
 * The reconciler compares it with Redis' sequence (equal → counts must match exactly).
 */
export const zoneSyncState = pgTable(
  "zone_sync_state",
  {
    zoneId: uuid("zone_id")
      .primaryKey()
      .references(() => seatZones.id, { onDelete: "cascade" }),
    lastAppliedSeq: bigint("last_applied_seq", { mode: "number" }).notNull().default(0),
    ...timestamps(),
  },
  (t) => [check("zone_sync_state_seq_non_negative", sql`${t.lastAppliedSeq} >= 0`)],
);
