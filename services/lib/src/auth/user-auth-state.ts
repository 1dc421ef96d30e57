/**
 * What an access token proves, checked on every authenticated request: the signature says who
 * issued it, the user's current auth state says whether it still speaks for that user.
 *
 * The state of each user (token version, role, tenant, active) lives in Redis under
 * `user:U:auth`, written by the auth service whenever it changes (register, login, refresh, role
 * change, password reset, disable) and read here with one GET per request, so the hot path never
 * touches PostgreSQL. A token is honoured only when its `ver`, `role` and `tenant_id` equal the
 * current state and the account is active: a role change, password reset or disable bumps the
 * version, which ends every token issued before, at once.
 *
 * A missing key (Redis lost it, or its TTL ran out) is filled from PostgreSQL with SET NX, so a
 * writer's newer state is never overwritten by a fill that read the older row. An unknown user is
 * remembered as such for a minute, so a flood of signed tokens for a user that does not exist
 * cannot turn into a flood of queries.
 */

import { users } from "@booking-rush/db/schema";
import { eq } from "drizzle-orm";
import type { Database } from "../clients/postgres";
import type { Redis } from "../clients/redis";
import { unauthorized } from "../errors";
import type { Logger } from "../logger";
import type { AuthConfig } from "../settings";
import { type AccessTokenClaims, type AccessTokenPolicy, type AuthenticatedUser, type Role, roles } from "./access-token";

export const userAuthStateKey = (userId: string) => `user:${userId}:auth`;

export interface UserAuthState {
  version: number;
  role: Role;
  tenantId: string | null;
  active: boolean;
}

const unknownUser = "unknown";
const unknownUserTtlSeconds = 60;

/** `version|role|tenant|active`: a few bytes, parsed without JSON. */
export const encodeUserAuthState = (state: UserAuthState) =>
  `${state.version}|${state.role}|${state.tenantId ?? ""}|${state.active ? 1 : 0}`;

export function decodeUserAuthState(value: string): UserAuthState | null {
  const [version, role, tenantId, active] = value.split("|");
  if (version === undefined || !roles.includes(role as Role) || tenantId === undefined || active === undefined) return null;
  return { version: Number(version), role: role as Role, tenantId: tenantId === "" ? null : tenantId, active: active === "1" };
}

/** The state of a users row. */
export const userAuthStateOf = (row: {
  tokenVersion: number;
  role: Role;
  tenantId: string | null;
  status: "active" | "disabled";
}): UserAuthState => ({
  version: row.tokenVersion,
  role: row.role,
  tenantId: row.tenantId,
  active: row.status === "active",
});

/**
 * Writes a user's current state (the auth service, after and, for revocations, before its
 * transaction commits). Kept for `ttlSeconds` (the access token lifetime): a user who stops using
 * the platform costs nothing, and a returning one is filled from PostgreSQL once.
 */
export async function writeUserAuthState(redis: Redis, userId: string, state: UserAuthState, ttlSeconds: number): Promise<void> {
  await redis.set(userAuthStateKey(userId), encodeUserAuthState(state), "EX", ttlSeconds);
}

export interface UserAuthCheckOptions {
  redis: Redis;
  db: Database;
  logger: Logger;
  /** How long a filled state is kept (the access token lifetime). */
  ttlSeconds: number;
}

export type UserAuthCheck = (claims: AccessTokenClaims) => Promise<AuthenticatedUser>;

/** The current user behind verified claims, or UNAUTHORIZED when the token no longer speaks for them. */
export function createUserAuthCheck(options: UserAuthCheckOptions): UserAuthCheck {
  const { redis, db, ttlSeconds } = options;
  const logger = options.logger.child({ component: "user-auth-state" });

  async function fill(userId: string): Promise<UserAuthState | null> {
    const [row] = await db
      .select({ tokenVersion: users.tokenVersion, role: users.role, tenantId: users.tenantId, status: users.status })
      .from(users)
      .where(eq(users.id, userId));
    const state = row ? userAuthStateOf(row) : null;
    // Best effort: while Redis refuses writes the answer is still right, only not remembered.
    await redis
      .set(
        userAuthStateKey(userId),
        state ? encodeUserAuthState(state) : unknownUser,
        "EX",
        state ? ttlSeconds : unknownUserTtlSeconds,
        "NX",
      )
      .catch((error: Error) => logger.warn("user auth state not cached", { error: error.message }));
    return state;
  }

  return async (claims) => {
    const stored = await redis.get(userAuthStateKey(claims.user.id));
    const state = stored === null ? await fill(claims.user.id) : stored === unknownUser ? null : decodeUserAuthState(stored);
    const { user, version } = claims;
    if (!state?.active || state.version !== version || state.role !== user.role || state.tenantId !== user.tenant_id) {
      throw unauthorized("Access token is no longer valid");
    }
    return user;
  };
}

/** What every guard needs: how tokens are verified, and the check that they still speak for their user. */
export interface AccessControl {
  policy: AccessTokenPolicy;
  currentUser: UserAuthCheck;
}

export function createAccessControl(
  auth: Pick<AuthConfig, "jwtSecret" | "accessTokenTtlSeconds" | "accessTokenClockSkewSeconds">,
  clients: Omit<UserAuthCheckOptions, "ttlSeconds">,
): AccessControl {
  return {
    policy: { secret: auth.jwtSecret, ttlSeconds: auth.accessTokenTtlSeconds, clockSkewSeconds: auth.accessTokenClockSkewSeconds },
    currentUser: createUserAuthCheck({ ...clients, ttlSeconds: auth.accessTokenTtlSeconds }),
  };
}
