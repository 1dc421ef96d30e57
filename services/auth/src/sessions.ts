/**
 * Sessions: an access token (signed JWT, short) plus an opaque refresh token (stored as a hash).
 *
 * Refresh rotates: the presented token is revoked and points at its successor (`replaced_by`), the
 * successor keeps the login's `family_id`. A revoked token presented again means it was copied (the
 * rightful client already moved on, or logged out): every token of its family is revoked, so
 * neither the thief nor the client can continue without logging in again (reuse detection).
 */

import { refreshTokens, users } from "@booking-rush/db/schema";
import { type AuthenticatedUser, signAccessToken } from "@booking-rush/lib/auth";
import { type Transaction, writeAudit } from "@booking-rush/lib/data";
import { unauthorized } from "@booking-rush/lib/errors";
import { and, eq, isNull, sql } from "drizzle-orm";
import { publishAuthState } from "./auth-state";
import { hashToken, newOpaqueToken, sameHash } from "./secrets";
import { type AuthStore, type RequestOrigin, selfAudit } from "./store";
import { type ProfileView, profileView, type TokensView } from "./views";

type UserRow = typeof users.$inferSelect;

/** The claims of an access token for a users row; `birthdate` only when the profile has a date of birth. */
export const claimsOf = (user: UserRow): AuthenticatedUser => ({
  id: user.id,
  email: user.email,
  role: user.role,
  tenant_id: user.tenantId,
  ...(user.dateOfBirth === null ? {} : { birthdate: user.dateOfBirth }),
});

/** A new refresh token in `familyId` (a new family for a login) and a fresh access token. */
export async function issueTokens(store: AuthStore, tx: Transaction, user: UserRow, familyId: string = crypto.randomUUID()) {
  const refreshToken = newOpaqueToken();
  const [row] = await tx
    .insert(refreshTokens)
    .values({
      userId: user.id,
      familyId,
      tokenHash: hashToken(refreshToken),
      expiresAt: sql`now() + make_interval(secs => ${store.keys.refreshTokenTtlSeconds})`,
    })
    .returning({ id: refreshTokens.id });
  const accessToken = await signAccessToken(
    claimsOf(user),
    { secret: store.keys.jwtSecret, ttlSeconds: store.keys.accessTokenTtlSeconds },
    user.tokenVersion,
  );
  await publishAuthState(store, user);
  const tokens: TokensView = {
    access_token: accessToken,
    refresh_token: refreshToken,
    token_type: "Bearer",
    expires_in: store.keys.accessTokenTtlSeconds,
  };
  return { tokens, refreshTokenId: row!.id };
}

/** Revokes every live refresh token of a user; part of revokeTokens (auth-state.ts). */
export async function revokeAllOf(tx: Transaction, userId: string): Promise<number> {
  const revoked = await tx
    .update(refreshTokens)
    .set({ revokedAt: sql`now()` })
    .where(and(eq(refreshTokens.userId, userId), isNull(refreshTokens.revokedAt)))
    .returning({ id: refreshTokens.id });
  return revoked.length;
}

async function revokeFamily(tx: Transaction, familyId: string): Promise<number> {
  const revoked = await tx
    .update(refreshTokens)
    .set({ revokedAt: sql`now()` })
    .where(and(eq(refreshTokens.familyId, familyId), isNull(refreshTokens.revokedAt)))
    .returning({ id: refreshTokens.id });
  return revoked.length;
}

/** The stored token row for a presented token, locked for the rest of the transaction; null when unknown. */
async function lockPresented(tx: Transaction, presented: string) {
  const presentedHash = hashToken(presented);
  const [row] = await tx.select().from(refreshTokens).where(eq(refreshTokens.tokenHash, presentedHash)).for("update");
  // The index found it by hash; the explicit constant-time check is defence in depth.
  return row && sameHash(row.tokenHash, presentedHash) ? row : null;
}

type RefreshOutcome = { result: "rotated"; user: ProfileView; tokens: TokensView } | { result: "invalid" | "expired" | "reuse_detected" };

export async function refreshSession(
  store: AuthStore,
  presented: string,
  origin: RequestOrigin,
): Promise<{ user: ProfileView; tokens: TokensView }> {
  // The reuse branch must commit its revocations and still answer 401, so the transaction returns
  // an outcome and the error is thrown after it.
  const outcome = await store.db.transaction(async (tx): Promise<RefreshOutcome> => {
    const row = await lockPresented(tx, presented);
    if (!row) return { result: "invalid" };
    if (row.revokedAt !== null) {
      const revoked = await revokeFamily(tx, row.familyId);
      const [owner] = await tx.select({ tenantId: users.tenantId }).from(users).where(eq(users.id, row.userId));
      await writeAudit(tx, {
        actorId: row.userId,
        tenantId: owner?.tenantId ?? null,
        action: "auth.refresh_reuse_detected",
        entityType: "refresh_token_family",
        entityId: row.familyId,
        after: { revoked_tokens: revoked },
        ip: origin.ip,
        requestId: origin.requestId,
      });
      return { result: "reuse_detected" };
    }
    if (row.expiresAt.getTime() <= Date.now()) return { result: "expired" };
    const [user] = await tx.select().from(users).where(eq(users.id, row.userId));
    if (user?.status !== "active") return { result: "invalid" };
    const { tokens, refreshTokenId } = await issueTokens(store, tx, user, row.familyId);
    await tx.update(refreshTokens).set({ revokedAt: sql`now()`, replacedBy: refreshTokenId }).where(eq(refreshTokens.id, row.id));
    return { result: "rotated", user: profileView(user), tokens };
  });
  store.metrics.refreshes.inc({ result: outcome.result });
  if (outcome.result !== "rotated") {
    if (outcome.result === "reuse_detected")
      store.logger.warn("refresh token reuse detected; family revoked", { request_id: origin.requestId });
    throw unauthorized(outcome.result === "expired" ? "Refresh token expired" : "Refresh token is not valid");
  }
  return { user: outcome.user, tokens: outcome.tokens };
}

/**
 * Ends the session the refresh token belongs to (its whole family). Only the caller's own tokens:
 * anyone else's, or an unknown one, is 401 and changes nothing. Logging out twice is fine.
 */
export async function logout(store: AuthStore, user: AuthenticatedUser, presented: string, origin: RequestOrigin): Promise<void> {
  const found = await store.db.transaction(async (tx) => {
    const row = await lockPresented(tx, presented);
    if (!row || row.userId !== user.id) return false;
    const revoked = await revokeFamily(tx, row.familyId);
    await writeAudit(tx, {
      ...selfAudit({ id: user.id, tenantId: user.tenant_id }, origin),
      action: "auth.logout",
      after: { revoked_tokens: revoked },
    });
    return true;
  });
  if (!found) throw unauthorized("Refresh token is not valid");
}
