/**
 * The first admin, from ADMIN_EMAIL / ADMIN_PASSWORD, created at start-up when no admin exists.
 *
 * Safe with several replicas starting at once: the check and the insert run under a transaction-
 * scoped advisory lock, so exactly one replica creates the admin and the others then see it.
 * Idempotent: once any admin exists nothing happens (a later change of ADMIN_PASSWORD does not
 * reset anyone's password). An ADMIN_EMAIL that already belongs to a non-admin account is never
 * promoted (whoever registered it first would become admin): that is logged as an error and no
 * admin is created. The admin belongs to the ADMIN_TENANT_SLUG tenant, created when missing.
 */

import { tenants, users } from "@booking-rush/db/schema";
import type { Database } from "@booking-rush/lib/clients";
import { writeAudit } from "@booking-rush/lib/data";
import type { Logger } from "@booking-rush/lib/observability";
import { eq, sql } from "drizzle-orm";
import type { AuthServiceConfig } from "./settings";

/** pg_advisory_xact_lock key: any fixed bigint nobody else uses; "br-admin" in ASCII. */
const bootstrapLockKey = 0x62722d61646d696en;

export type BootstrapResult = "created" | "exists" | "not_configured" | "email_taken";

export async function bootstrapAdmin(
  db: Database,
  admin: AuthServiceConfig["admin"],
  hashPassword: (password: string) => Promise<string>,
  logger: Logger,
): Promise<BootstrapResult> {
  const adminExists = async (query: Pick<Database, "select"> = db) =>
    (await query.select({ id: users.id }).from(users).where(eq(users.role, "admin")).limit(1)).length > 0;
  if (await adminExists()) return "exists";
  if (!admin.email || !admin.password) {
    logger.warn("no admin exists and ADMIN_EMAIL/ADMIN_PASSWORD are not both set; none created");
    return "not_configured";
  }
  const email = admin.email;
  // bcrypt outside the lock; wasted only when another replica wins the race.
  const passwordHash = await hashPassword(admin.password);
  const result = await db.transaction(async (tx): Promise<BootstrapResult> => {
    await tx.execute(sql`select pg_advisory_xact_lock(${bootstrapLockKey})`);
    if (await adminExists(tx)) return "exists";
    const [taken] = await tx.select({ id: users.id }).from(users).where(sql`lower(${users.email}) = ${email.toLowerCase()}`);
    if (taken) return "email_taken";
    await tx.insert(tenants).values({ name: admin.tenantSlug, slug: admin.tenantSlug }).onConflictDoNothing({ target: tenants.slug });
    const [tenant] = await tx.select({ id: tenants.id }).from(tenants).where(eq(tenants.slug, admin.tenantSlug));
    const [created] = await tx
      .insert(users)
      .values({ email, passwordHash, name: "Administrator", role: "admin", tenantId: tenant!.id })
      .returning({ id: users.id });
    await writeAudit(tx, {
      actorId: null,
      tenantId: tenant!.id,
      action: "admin.bootstrapped",
      entityType: "user",
      entityId: created!.id,
      after: { role: "admin", tenant_id: tenant!.id },
    });
    return "created";
  });
  if (result === "created") logger.info("first admin created", { tenant_slug: admin.tenantSlug });
  if (result === "email_taken")
    logger.error("ADMIN_EMAIL belongs to an existing non-admin account; it is not promoted and no admin was created");
  return result;
}
