/**
 * Tokens for users the tests make up. A signed token is honoured only while it speaks for a
 * current user (src/auth/user-auth-state.ts), so a made-up user gets the auth state the auth
 * service writes at login, in the real Redis, before its token is signed. Users that exist in
 * PostgreSQL need none of this: the guard fills their state from the row.
 */
import { type AuthenticatedUser, type Role, signAccessToken, writeUserAuthState } from "@booking-rush/lib/auth";
import { createRedis, type Redis } from "@booking-rush/lib/clients";
import { stackConfig, testLogger } from "./stack-config";

let redis: Redis | undefined;

export interface MadeUpUser {
  id: string;
  role?: Role;
  tenantId?: string | null;
  email?: string;
}

export async function signedInToken(user: MadeUpUser, secret: string, ttlSeconds = 900): Promise<string> {
  redis ??= createRedis(stackConfig.redis, testLogger, "signed-in-users");
  const claims: AuthenticatedUser = {
    id: user.id,
    email: user.email ?? `${user.id}@example.com`,
    role: user.role ?? "user",
    tenant_id: user.tenantId ?? null,
  };
  await writeUserAuthState(redis, user.id, { version: 0, role: claims.role, tenantId: claims.tenant_id, active: true }, ttlSeconds);
  return signAccessToken(claims, { secret, ttlSeconds });
}
