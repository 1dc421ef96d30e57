/**
 * Access tokens: HS256 JWTs with the claims of shared/design/API.md. One module signs and verifies
 * so the auth service and every guard agree on algorithm, claims and lifetime.
 */
import { errors as joseErrors, jwtVerify, SignJWT } from "jose";
import { unauthorized } from "../errors";
import { isCalendarDate } from "../schemas";

export const roles = ["user", "organizer", "admin"] as const;
export type Role = (typeof roles)[number];

export interface AuthenticatedUser {
  id: string;
  email: string;
  role: Role;
  tenant_id: string | null;
  /**
   * The buyer's date of birth, `YYYY-MM-DD` (OIDC's `birthdate` claim), when the profile has one:
   * what an event's `min_age` is checked against. Absent: unknown.
   */
  birthdate?: string;
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
  const birthdate = user.birthdate === undefined ? {} : { birthdate: user.birthdate };
  return new SignJWT({ email: user.email, role: user.role, tenant_id: user.tenant_id, ver: version, ...birthdate })
    .setProtectedHeader({ alg: algorithm, typ: "JWT" })
    .setSubject(user.id)
    .setJti(crypto.randomUUID())
    .setIssuedAt(issuedAt)
    .setExpirationTime(issuedAt + keys.ttlSeconds)
    .sign(await hmacKey(keys.secret));
}

/** A token that passed every check, with the times a later use must still be checked against. */
interface VerifiedToken {
  claims: AccessTokenClaims;
  iat: number;
  exp: number;
  nbf: number | undefined;
}

/**
 * Tokens verified recently, per policy. A buyer sends the same token with every request of a sale,
 * and the HMAC and the claim checks were ~10% of a reserve's CPU (docs/performance.md). Only a
 * token that passed every check is kept; a later use checks its times again against `now` (exactly
 * as jwtVerify and the lifetime rules below would) and anything else is verified in full. Whether
 * the token still speaks for its user is the guard's second step, per request, cached or not.
 * Bounded: past the limit the oldest entry goes.
 */
const verifiedTokenLimit = 50_000;
const verifiedTokens = new WeakMap<AccessTokenPolicy, Map<string, VerifiedToken>>();

function stillValid(verified: VerifiedToken, policy: AccessTokenPolicy, now: number): boolean {
  const seconds = Math.floor(now / 1000);
  return (
    verified.exp > seconds - policy.clockSkewSeconds &&
    (verified.nbf === undefined || verified.nbf <= seconds + policy.clockSkewSeconds) &&
    verified.iat <= now / 1000 + policy.clockSkewSeconds
  );
}

function remember(policy: AccessTokenPolicy, token: string, verified: VerifiedToken) {
  let cache = verifiedTokens.get(policy);
  if (!cache) {
    cache = new Map();
    verifiedTokens.set(policy, cache);
  }
  if (cache.size >= verifiedTokenLimit) cache.delete(cache.keys().next().value!);
  cache.set(token, verified);
}

const copyOf = (claims: AccessTokenClaims): AccessTokenClaims => ({ user: { ...claims.user }, version: claims.version });

/**
 * Verifies signature, algorithm (HS256 only: `none` and every other algorithm are refused), expiry,
 * lifetime and claim shapes. A token is never trusted for longer than the lifetime tokens are
 * issued with: `exp - iat` over the TTL (plus skew), or an `iat` in the future (beyond the skew),
 * is refused even when signed. Every failure is the same UNAUTHORIZED so a caller learns nothing
 * from the reason. Whether the token still speaks for its user is the guard's second step.
 */
export async function verifyAccessToken(token: string, policy: AccessTokenPolicy, now = Date.now()): Promise<AccessTokenClaims> {
  const known = verifiedTokens.get(policy)?.get(token);
  if (known && stillValid(known, policy, now)) return copyOf(known.claims);
  try {
    const { payload } = await jwtVerify(token, await hmacKey(policy.secret), {
      algorithms: [algorithm],
      requiredClaims: ["sub", "exp", "iat", "jti"],
      clockTolerance: policy.clockSkewSeconds,
      currentDate: new Date(now),
    });
    const { sub, email, role, tenant_id: tenantId, ver = 0, birthdate, iat, exp, nbf } = payload;
    if (typeof sub !== "string" || !uuidPattern.test(sub)) throw new Error("sub");
    if (typeof email !== "string") throw new Error("email");
    if (!roles.includes(role as Role)) throw new Error("role");
    if (tenantId !== null && (typeof tenantId !== "string" || !uuidPattern.test(tenantId))) throw new Error("tenant_id");
    if (!Number.isSafeInteger(ver) || (ver as number) < 0) throw new Error("ver");
    if (birthdate !== undefined && (typeof birthdate !== "string" || !isCalendarDate(birthdate))) throw new Error("birthdate");
    if (iat! > now / 1000 + policy.clockSkewSeconds) throw new Error("iat in the future");
    if (exp! - iat! > policy.ttlSeconds + policy.clockSkewSeconds) throw new Error("lifetime");
    const user: AuthenticatedUser = { id: sub, email, role: role as Role, tenant_id: tenantId };
    if (birthdate !== undefined) user.birthdate = birthdate as string;
    const claims: AccessTokenClaims = { user, version: ver as number };
    remember(policy, token, { claims, iat: iat!, exp: exp!, nbf });
    return copyOf(claims);
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
