/**
 * audit_logs — append-only record of security- and money-relevant actions (seed 001 §8.5),
 * range-partitioned by month on `created_at` (3-year retention = drop old partitions, no DELETE).
 *
 * drizzle-kit cannot express PARTITION BY, so this file is NOT in drizzle.config.ts' schema list:
 * the table, its partitions, the partition function and the default partition are created by the
 * hand-written migration `0001_*.sql`. This definition exists so application code can insert and
 * query it with types; it must match that SQL column for column (schema.test.ts checks it).
 *
 * Differences from the other tables, on purpose:
 * - the primary key is (id, created_at): a unique constraint on a partitioned table must include
 *   the partition key;
 * - no foreign keys: an audit row must outlive the user/tenant it mentions;
 * - no `updated_at`: rows are immutable, and UPDATE is rejected by a trigger.
 */
import { index, inet, jsonb, pgTable, primaryKey, text, uuid } from "drizzle-orm/pg-core";
import { timestamptz } from "./columns";

export const auditLogs = pgTable(
  "audit_logs",
  {
    id: uuid("id").notNull().defaultRandom(),
    createdAt: timestamptz("created_at").notNull().defaultNow(),
    /** The user who acted; null for the system (workers, cron jobs). */
    actorId: uuid("actor_id"),
    tenantId: uuid("tenant_id"),
    /** Dotted verb, e.g. `auth.login`, `booking.cancelled`, `admin.role_changed`. */
    action: text("action").notNull(),
    entityType: text("entity_type").notNull(),
    entityId: text("entity_id"),
    before: jsonb("before"),
    after: jsonb("after"),
    ip: inet("ip"),
    requestId: text("request_id"),
  },
  (t) => [
    primaryKey({ name: "audit_logs_pkey", columns: [t.id, t.createdAt] }),
    index("audit_logs_entity_idx").on(t.entityType, t.entityId, t.createdAt),
    index("audit_logs_actor_id_created_at_idx").on(t.actorId, t.createdAt),
    index("audit_logs_tenant_id_created_at_idx").on(t.tenantId, t.createdAt),
  ],
);
