/**
 * Disabling an account (PUT /admin/users/:id/status): a scalper's or a compromised account is
 * stopped at once. Disabling ends every session (revokeTokens: refresh tokens revoked, token
 * version bumped, so every access token it holds is refused by the next request), and login is
 * refused while disabled. Enabling lets the person log in again; nothing issued before comes back.
 *
 * Same reach as role changes (adminAndTarget): users of the admin's tenant and platform users. An
 * admin is demoted before it can be disabled, so "a tenant keeps at least one admin" stays a rule
 * about roles alone; an admin cannot disable itself for the same reason.
 */
import type { AuthenticatedUser } from "@booking-rush/lib/auth";
import { writeAudit } from "@booking-rush/lib/data";
import { conflict } from "@booking-rush/lib/errors";
import { revokeTokens } from "./auth-state";
import { adminAndTarget } from "./roles";
import type { AuthStore, RequestOrigin } from "./store";
import { type UserView, userView } from "./views";

export type UserStatus = "active" | "disabled";

export async function changeStatus(
  store: AuthStore,
  actor: AuthenticatedUser,
  targetId: string,
  status: UserStatus,
  origin: RequestOrigin,
): Promise<UserView> {
  return store.db.transaction(async (tx) => {
    const { tenantId, target } = await adminAndTarget(tx, actor, targetId);
    if (target.status === status) return userView(target);
    if (target.role === "admin") throw conflict("Demote an admin before disabling it", { field: "status" });
    const { user: updated } = await revokeTokens(store, tx, target.id, { status });
    await writeAudit(tx, {
      actorId: actor.id,
      tenantId,
      action: "admin.status_changed",
      entityType: "user",
      entityId: target.id,
      before: { status: target.status },
      after: { status: updated!.status },
      ip: origin.ip,
      requestId: origin.requestId,
    });
    return userView(updated!);
  });
}
