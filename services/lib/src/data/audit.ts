/**
 * The audit trail (partitioned `audit_logs`): who did what to which entity, before and after.
 * Written in the same transaction as the change it records, so neither exists without the other.
 */
import { auditLogs } from "@booking-rush/db/schema";
import type { Database } from "../clients/postgres";

/** A transaction or the database itself: anything drizzle can insert with. */
export type Writer = Pick<Database, "insert">;

export interface AuditEntry {
  /** The user who acted; null for the system. */
  actorId: string | null;
  tenantId: string | null;
  /** Dotted verb, e.g. `auth.login`, `admin.role_changed`, `event.published`. */
  action: string;
  entityType: string;
  entityId?: string | null;
  before?: unknown;
  after?: unknown;
  ip?: string | null;
  requestId?: string | null;
}

export async function writeAudit(writer: Writer, entry: AuditEntry): Promise<void> {
  await writer.insert(auditLogs).values({
    actorId: entry.actorId,
    tenantId: entry.tenantId,
    action: entry.action,
    entityType: entry.entityType,
    entityId: entry.entityId ?? null,
    before: entry.before ?? null,
    after: entry.after ?? null,
    ip: entry.ip ?? null,
    requestId: entry.requestId ?? null,
  });
}
