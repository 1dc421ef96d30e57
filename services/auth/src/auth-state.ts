/**
 * The auth service writes each user's auth state (services/lib/src/auth/user-auth-state.ts), which
 * every guard reads per request.
 *
 * - After a registration, login or refresh the state is written as the row has it. Best effort: a
 *   missing state is filled from PostgreSQL by the guard, so a Redis that refuses writes does not
 *   stop anyone from signing in.
 * - A revocation (role change, password change or reset, disable) bumps the row's token version
 *   inside its transaction and writes the new state before the transaction commits, confirmed by
 *   the replicas like every durable write (replica-target.ts), so a failover cannot bring the old
 *   state back. When that fails the change is rolled
 *   back (503): a revocation is never recorded while the old tokens are still honoured. A guard
 *   that fills the state at the same moment uses SET NX, so it can never overwrite the new state.
 */

import { users } from "@booking-rush/db/schema";
import { userAuthStateOf, writeUserAuthState } from "@booking-rush/lib/auth";
import type { Transaction } from "@booking-rush/lib/data";
import { AppError } from "@booking-rush/lib/errors";
import { eq, sql } from "drizzle-orm";
import { revokeAllOf } from "./sessions";
import type { AuthStore } from "./store";

type UserRow = typeof users.$inferSelect;

/** How long a revocation waits for a replica to have the new state. */
const replicaWaitMs = 500;

export async function publishAuthState(store: AuthStore, user: UserRow): Promise<void> {
  await writeUserAuthState(store.redis, user.id, userAuthStateOf(user), store.keys.accessTokenTtlSeconds).catch((error: Error) =>
    store.logger.warn("user auth state not written; the guard fills it from PostgreSQL", { user_id: user.id, error: error.message }),
  );
}

/**
 * Ends every session of the user: revokes its refresh tokens, applies `changes` to its row with a
 * new token version, and makes the new state the one every guard sees, before the caller's
 * transaction commits. Returns the updated row and how many refresh tokens were revoked.
 *
 * The refresh tokens are revoked first: a refresh running at the same moment holds its token's
 * row lock, so this waits for it to commit (and write the state it read) before writing the new
 * state, which then has the last word.
 */
export async function revokeTokens(
  store: AuthStore,
  tx: Transaction,
  userId: string,
  changes: Partial<Pick<UserRow, "role" | "tenantId" | "status" | "passwordHash" | "name">> = {},
) {
  const revoked = await revokeAllOf(tx, userId);
  const [updated] = await tx
    .update(users)
    .set({ ...changes, tokenVersion: sql`${users.tokenVersion} + 1` })
    .where(eq(users.id, userId))
    .returning();
  if (!updated) return { user: undefined, revoked };
  try {
    await writeUserAuthState(store.redis, userId, userAuthStateOf(updated), store.keys.accessTokenTtlSeconds);
    const required = await store.replicas.required();
    const acknowledged = await store.redis.wait(required, replicaWaitMs);
    if (acknowledged < required) throw new Error("the replicas did not confirm the new auth state in time");
  } catch (error) {
    store.logger.warn("revocation not confirmed by Redis; rolled back", {
      user_id: userId,
      error: error instanceof Error ? error.message : String(error),
    });
    throw new AppError("SERVICE_UNAVAILABLE", "The change could not be applied; nothing was changed");
  }
  return { user: updated, revoked };
}
