/**
 * Runs database work inside a transaction whose settings the row-level security policies read
 * (drizzle/migrations/0002_tenant_row_level_security.sql): the caller's tenant, or system access
 * for workers. Services check tenancy in their queries as well; this is the layer under that,
 * which holds even for a query that forgot to.
 */
import { sql } from "drizzle-orm";
import type { AuthenticatedUser } from "../auth/access-token";
import type { Database } from "../clients/postgres";

export type DataScope = { access: "tenant"; tenantId: string | null } | { access: "system" };

export type Transaction = Parameters<Parameters<Database["transaction"]>[0]>[0];

export const systemScope: DataScope = { access: "system" };

/** Organizers and admins act for their tenant; buyers and the public for none (published data only). */
export const scopeOf = (user: AuthenticatedUser | null): DataScope => ({
  access: "tenant",
  tenantId: user && user.role !== "user" ? user.tenant_id : null,
});

export function inScope<T>(db: Database, scope: DataScope, work: (tx: Transaction) => Promise<T>): Promise<T> {
  return db.transaction(async (tx) => {
    const tenantId = scope.access === "tenant" ? (scope.tenantId ?? "") : "";
    await tx.execute(sql`select set_config('app.tenant_id', ${tenantId}, true), set_config('app.access', ${scope.access}, true)`);
    return work(tx);
  });
}
