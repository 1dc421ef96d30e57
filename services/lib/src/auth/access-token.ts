/**
 * Access tokens: HS256 JWTs with the claims of shared/design/API.md. One module signs and verifies
 * so the auth service and every guard agree on algorithm, claims and lifetime.
 */
import { errors as joseErrors, jwtVerify, SignJWT } from "jose";
import { unauthorized } from "../errors";

export const roles = ["user", "organizer", "admin"] as const;
export type Role = (typeof roles)[number];

export interface AuthenticatedUser {
  id: string;
  email: string;
  role: Role;
  tenant_id: string | null;
}

const algorithm = "HS256";
const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface AccessTokenKeys {
  secret: string;
  ttlSeconds: number;
}

/** What verification needs: the key, the lifetime tokens are issued with, and the clock skew allowed. */
export interface AccessTokenPolicy extends AccessTokenKeys {
  clockSkewSeconds: number;
}

/** A verified token: who it names, and the token version it was issued under (see user-auth-state.ts). */
export interface AccessTokenClaims {
  user: AuthenticatedUser;
  version: number;
}

/** Importing the HMAC key costs more than the verification itself; it is done once per secret. */
const importedKeys = new Map<string, Promise<CryptoKey>>();
function hmacKey(secret: string): Promise<CryptoKey> {
  let key = importedKeys.get(secret);
  if (!key) {
    key = crypto.subtle.importKey("raw", new TextEncoder().encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign", "verify"]);
    importedKeys.set(secret, key);
  }
  return key;
}

export async function signAccessToken(user: AuthenticatedUser, keys: AccessTokenKeys, version = 0, now = Date.now()): Promise<string> {
  const issuedAt = Math.floor(now / 1000);
  return new SignJWT({ email: user.email, role: user.role, tenant_id: user.tenant_id, ver: version })
    .setProtectedHeader({ alg: algorithm, typ: "JWT" })
    .setSubject(user.id)
    .setJti(crypto.randomUUID())
    .setIssuedAt(issuedAt)
    .setExpirationTime(issuedAt + keys.ttlSeconds)
    .sign(await hmacKey(keys.secret));
}

/**
 * Verifies signature, algorithm (HS256 only: `none` and every other algorithm are refused), expiry,
 * lifetime and claim shapes. A token is never trusted for longer than the lifetime tokens are
 * issued with: `exp - iat` over the TTL (plus skew), or an `iat` in the future (beyond the skew),
 * is refused even when signed. Every failure is the same UNAUTHORIZED so a caller learns nothing
 * from the reason. Whether the token still speaks for its user is the guard's second step.
 */
export async function verifyAccessToken(token: string, policy: AccessTokenPolicy, now = Date.now()): Promise<AccessTokenClaims> {
  try {
    const { payload } = await jwtVerify(token, await hmacKey(policy.secret), {
      algorithms: [algorithm],
      requiredClaims: ["sub", "exp", "iat", "jti"],
      clockTolerance: policy.clockSkewSeconds,
      currentDate: new Date(now),
    });
    const { sub, email, role, tenant_id: tenantId, ver = 0, iat, exp } = payload;
    if (typeof sub !== "string" || !uuidPattern.test(sub)) throw new Error("sub");
    if (typeof email !== "string") throw new Error("email");
    if (!roles.includes(role as Role)) throw new Error("role");
    if (tenantId !== null && (typeof tenantId !== "string" || !uuidPattern.test(tenantId))) throw new Error("tenant_id");
    if (!Number.isSafeInteger(ver) || (ver as number) < 0) throw new Error("ver");
    if (iat! > now / 1000 + policy.clockSkewSeconds) throw new Error("iat in the future");
    if (exp! - iat! > policy.ttlSeconds + policy.clockSkewSeconds) throw new Error("lifetime");
    return { user: { id: sub, email, role: role as Role, tenant_id: tenantId }, version: ver as number };
  } catch (error) {
    if (error instanceof joseErrors.JWTExpired) throw unauthorized("Access token expired");
    throw unauthorized("Access token is not valid");
  }
}

/** The token of an `Authorization: Bearer <token>` header, or UNAUTHORIZED. */
export function bearerToken(header: string | null | undefined): string {
  const match = header?.match(/^Bearer ([A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*)$/);
  if (!match?.[1]) throw unauthorized(header ? "Authorization header must be 'Bearer <token>'" : "Authentication required");
  return match[1];
}
