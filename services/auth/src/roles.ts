/**
 * Role changes by a tenant's admin (PUT /admin/users/:id/role).
 *
 * The rule:
 * - The acting admin is checked against the database, not only its token: it must still be an admin
 *   and belong to a tenant (a token issued before a demotion does not keep the power for 15 min).
 * - The admin acts on users of its own tenant, and on platform users without a tenant (buyers). A
 *   user of another tenant is 404, as if it did not exist.
 * - Organizers and admins always belong to a tenant: promoting a buyer (no tenant) makes it a member
 *   of the admin's tenant. Demoting to `user` keeps the membership (without any rights: tenant
 *   rights come with the organizer/admin role), so the admin can promote the person again.
 * - A tenant keeps at least one admin: demoting the last one (also oneself) is 409 CONFLICT. The
 *   tenant's admin rows are locked first, in id order, so two admins demoting each other at once
 *   cannot both succeed (nor deadlock).
 * - A change ends the target's sessions (revokeTokens): its refresh tokens are revoked and its
 *   token version bumped, so an access token issued before stops working at once; the new role is
 *   in every token from the next login on.
 * - Every change is audited as admin.role_changed with before/after role and tenant.
 */

import { users } from "@booking-rush/db/schema";
import type { AuthenticatedUser, Role } from "@booking-rush/lib/auth";
import { type Transaction, writeAudit } from "@booking-rush/lib/data";
import { conflict, forbidden, notFound } from "@booking-rush/lib/errors";
import { and, asc, eq } from "drizzle-orm";
import { revokeTokens } from "./auth-state";
import type { AuthStore, RequestOrigin } from "./store";
import { type UserView, userView } from "./views";

/**
 * The acting admin (checked against its row), its tenant's admins locked in id order, and the
 * target locked: a user of the admin's tenant or a platform user, else 404.
 */
export async function adminAndTarget(tx: Transaction, actor: AuthenticatedUser, targetId: string) {
  const [actorRow] = await tx.select({ tenantId: users.tenantId, role: users.role }).from(users).where(eq(users.id, actor.id));
  if (actorRow?.role !== "admin" || actorRow.tenantId === null) throw forbidden("Requires role admin of a tenant");
  const tenantId = actorRow.tenantId;
  const admins = await tx
    .select({ id: users.id })
    .from(users)
    .where(and(eq(users.tenantId, tenantId), eq(users.role, "admin")))
    .orderBy(asc(users.id))
    .for("update");
  if (!admins.some((admin) => admin.id === actor.id)) throw forbidden("Requires role admin of a tenant");
  const [target] = await tx.select().from(users).where(eq(users.id, targetId)).for("update");
  if (!target || (target.tenantId !== null && target.tenantId !== tenantId)) throw notFound("User");
  return { tenantId, admins, target };
}

export async function changeRole(
  store: AuthStore,
  actor: AuthenticatedUser,
  targetId: string,
  role: Role,
  origin: RequestOrigin,
): Promise<UserView> {
  return store.db.transaction(async (tx) => {
    const { tenantId, admins, target } = await adminAndTarget(tx, actor, targetId);
    if (target.role === role) return userView(target);
    if (target.role === "admin" && admins.length === 1) throw conflict("A tenant keeps at least one admin", { field: "role" });

    const joins = target.tenantId === null && role !== "user";
    const { user: updated } = await revokeTokens(store, tx, target.id, { role, ...(joins ? { tenantId } : {}) });
    await writeAudit(tx, {
      actorId: actor.id,
      tenantId,
      action: "admin.role_changed",
      entityType: "user",
      entityId: target.id,
      before: { role: target.role, tenant_id: target.tenantId },
      after: { role: updated!.role, tenant_id: updated!.tenantId },
      ip: origin.ip,
      requestId: origin.requestId,
    });
    return userView(updated!);
  });
}
