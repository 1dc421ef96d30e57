/**
 * The guard against the real Redis and PostgreSQL: a token is honoured only when it is well signed,
 * no older and no longer-lived than tokens are issued, and still speaks for a current, active user
 * with that role and tenant (src/auth/user-auth-state.ts).
 */
import { afterAll, describe, expect, test } from "bun:test";
import * as schema from "@booking-rush/db/schema";
import { stackConfig, testLogger } from "@booking-rush/test-support/stack-config";
import { eq, inArray, sql } from "drizzle-orm";
import { Elysia, t } from "elysia";
import { SignJWT } from "jose";
import { type AuthenticatedUser, signAccessToken, verifyAccessToken } from "../src/auth/access-token";
import { createAccessControl, userAuthStateKey, writeUserAuthState } from "../src/auth/user-auth-state";
import { createPostgres } from "../src/clients/postgres";
import { closeRedis, createRedis } from "../src/clients/redis";
import { authGuard } from "../src/http/auth-guard";
import { call, jsonOf, testKernel } from "./support/test-kernel";

const auth = { jwtSecret: "a-test-signing-secret-of-32-chars!!", accessTokenTtlSeconds: 900, accessTokenClockSkewSeconds: 30 };
const keys = { secret: auth.jwtSecret, ttlSeconds: auth.accessTokenTtlSeconds };
const policy = { ...keys, clockSkewSeconds: auth.accessTokenClockSkewSeconds };
const redis = createRedis(stackConfig.redis, testLogger, "auth-guard-test");
const postgres = createPostgres({ ...stackConfig.postgres, poolMax: 2 }, testLogger);
const access = createAccessControl(auth, { redis, db: postgres.db, logger: testLogger });
const created: string[] = [];
const tenants: string[] = [];

afterAll(async () => {
  if (created.length > 0) await postgres.db.delete(schema.users).where(inArray(schema.users.id, created));
  if (tenants.length > 0) await postgres.db.delete(schema.tenants).where(inArray(schema.tenants.id, tenants));
  await redis.del(...created.map(userAuthStateKey), "unused");
  await closeRedis(redis);
  await postgres.close();
});

/** A real user row (and its tenant for organizers and admins). */
async function realUser(role: AuthenticatedUser["role"] = "user"): Promise<AuthenticatedUser> {
  let tenantId: string | null = null;
  if (role !== "user") {
    const [tenant] = await postgres.db
      .insert(schema.tenants)
      .values({ name: "guard test", slug: `guard-${crypto.randomUUID().slice(0, 8)}` })
      .returning();
    tenantId = tenant!.id;
    tenants.push(tenantId);
  }
  const email = `guard-${crypto.randomUUID()}@example.com`;
  const [row] = await postgres.db.insert(schema.users).values({ email, name: "Guard Test", passwordHash: "x", role, tenantId }).returning();
  created.push(row!.id);
  return { id: row!.id, email, role, tenant_id: tenantId };
}

const guarded = new Elysia({ name: "guarded", prefix: "/api/v1" })
  .use(authGuard(access))
  .get("/me", ({ user }) => ({ success: true as const, data: user }), { auth: true })
  .get("/admin/things", ({ user }) => ({ success: true as const, data: { by: user.role } }), { auth: ["admin"] })
  .post("/things", ({ body }) => ({ success: true as const, data: body }), {
    auth: true,
    body: t.Object({ count: t.Integer({ minimum: 1 }) }),
  })
  .post("/admin/things", ({ body }) => ({ success: true as const, data: body }), {
    auth: ["admin"],
    body: t.Object({ count: t.Integer({ minimum: 1 }) }),
  })
  .get("/search", ({ query }) => ({ success: true as const, data: query }), {
    auth: true,
    query: t.Object({ page: t.Integer({ minimum: 1 }) }),
  })
  .get("/public", () => ({ success: true as const, data: "hello" }), {
    response: t.Object({ success: t.Literal(true), data: t.String() }),
  });

const { app } = testKernel([guarded]);
const withToken = (token: string, init: RequestInit = {}) => ({
  ...init,
  headers: { ...(init.headers as Record<string, string>), authorization: `Bearer ${token}` },
});
const jsonPost = (body: string): RequestInit => ({ method: "POST", headers: { "content-type": "application/json" }, body });

async function expectUnauthorized(token: string, path = "/api/v1/me") {
  const response = await call(app, path, withToken(token));
  expect(response.status).toBe(401);
  expect((await jsonOf(response)).error.code).toBe("UNAUTHORIZED");
}

const base64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
const signWith = (claims: Record<string, unknown>, subject: string, issuedAt: number, expiresAt: number) =>
  new SignJWT(claims)
    .setProtectedHeader({ alg: "HS256" })
    .setSubject(subject)
    .setJti("x")
    .setIssuedAt(issuedAt)
    .setExpirationTime(expiresAt)
    .sign(new TextEncoder().encode(auth.jwtSecret));

describe("auth guard: the token itself", () => {
  test("a valid access token of a real user puts the user in context", async () => {
    const user = await realUser();
    const response = await call(app, "/api/v1/me", withToken(await signAccessToken(user, keys)));
    expect(response.status).toBe(200);
    expect((await jsonOf(response)).data).toEqual(user);
  });

  test("routes without the guard stay public", async () => {
    expect((await call(app, "/api/v1/public")).status).toBe(200);
  });

  test("no header, a malformed header and a non-bearer scheme are 401", async () => {
    expect((await call(app, "/api/v1/me")).status).toBe(401);
    expect((await call(app, "/api/v1/me", { headers: { authorization: "Bearer" } })).status).toBe(401);
    expect((await call(app, "/api/v1/me", { headers: { authorization: "Basic dXNlcjpwYXNz" } })).status).toBe(401);
  });

  test("an expired token is 401", async () => {
    await expectUnauthorized(await signAccessToken(await realUser(), keys, 0, Date.now() - 3_600_000));
  });

  test("a token signed with another secret is 401", async () => {
    await expectUnauthorized(await signAccessToken(await realUser(), { ...keys, secret: "another-secret-another-secret-32!!" }));
  });

  test("a forged payload under a real signature is 401", async () => {
    const user = await realUser();
    const [header, , signature] = (await signAccessToken(user, keys)).split(".");
    const payload = base64url({
      sub: user.id,
      email: user.email,
      role: "admin",
      tenant_id: user.tenant_id,
      iat: 1,
      exp: 9_999_999_999,
      jti: "x",
    });
    await expectUnauthorized(`${header}.${payload}.${signature}`);
  });

  test("alg none is refused", async () => {
    const user = await realUser();
    const now = Math.floor(Date.now() / 1000);
    const header = base64url({ alg: "none", typ: "JWT" });
    const payload = base64url({ sub: user.id, email: user.email, role: "admin", tenant_id: null, iat: now, exp: now + 600, jti: "x" });
    await expectUnauthorized(`${header}.${payload}.`);
  });

  test("another HMAC algorithm with the right secret is refused: only HS256 is accepted", async () => {
    const user = await realUser();
    const now = Math.floor(Date.now() / 1000);
    const token = await new SignJWT({ email: user.email, role: user.role, tenant_id: user.tenant_id })
      .setProtectedHeader({ alg: "HS512" })
      .setSubject(user.id)
      .setJti("x")
      .setIssuedAt(now)
      .setExpirationTime(now + 600)
      .sign(new TextEncoder().encode(keys.secret));
    await expectUnauthorized(token);
  });

  test("claims of the wrong shape are refused", async () => {
    const user = await realUser();
    const now = Math.floor(Date.now() / 1000);
    await expectUnauthorized(await signWith({ email: user.email, role: "superuser", tenant_id: null }, user.id, now, now + 600));
    await expectUnauthorized(await signWith({ email: user.email, role: "user", tenant_id: "not-a-uuid" }, user.id, now, now + 600));
    await expectUnauthorized(await signWith({ email: user.email, role: "user", tenant_id: null }, "not-a-uuid", now, now + 600));
    await expectUnauthorized(await signWith({ email: user.email, role: "user", tenant_id: null, ver: -1 }, user.id, now, now + 600));
  });

  test("no token is trusted longer than tokens are issued for: ten-year lifetime, iat a day ahead", async () => {
    const user = await realUser();
    const claims = { email: user.email, role: user.role, tenant_id: user.tenant_id, ver: 0 };
    const now = Math.floor(Date.now() / 1000);
    await expectUnauthorized(await signWith(claims, user.id, now, now + 10 * 365 * 86_400));
    await expectUnauthorized(await signWith(claims, user.id, now + 86_400, now + 86_400 + 900));
    // Within the clock skew both ways: a server a few seconds ahead issued it.
    const ahead = await signWith(claims, user.id, now + 10, now + 10 + 900);
    expect((await call(app, "/api/v1/me", withToken(ahead))).status).toBe(200);
  });

  test("the wrong role is 403, the right one passes", async () => {
    const buyer = await realUser();
    const forbidden = await call(app, "/api/v1/admin/things", withToken(await signAccessToken(buyer, keys)));
    expect(forbidden.status).toBe(403);
    expect((await jsonOf(forbidden)).error.code).toBe("FORBIDDEN");
    const admin = await call(app, "/api/v1/admin/things", withToken(await signAccessToken(await realUser("admin"), keys)));
    expect(admin.status).toBe(200);
  });

  test("tokens carry the claims of the API contract plus the token version", async () => {
    const user = await realUser();
    const token = await signAccessToken(user, keys, 3, Date.UTC(2026, 0, 1));
    const claims = JSON.parse(Buffer.from(token.split(".")[1]!, "base64url").toString());
    expect(Object.keys(claims).sort()).toEqual(["email", "exp", "iat", "jti", "role", "sub", "tenant_id", "ver"]);
    expect(claims.exp - claims.iat).toBe(900);
    expect(await verifyAccessToken(await signAccessToken(user, keys, 3), policy)).toEqual({ user, version: 3 });
  });
});

describe("auth guard: the user behind the token", () => {
  test("a well-signed token for a user that does not exist is 401, and the answer is remembered, not queried again", async () => {
    const ghost: AuthenticatedUser = { id: crypto.randomUUID(), email: "ghost@example.com", role: "admin", tenant_id: crypto.randomUUID() };
    created.push(ghost.id); // only its Redis key, for the clean-up
    await expectUnauthorized(await signAccessToken(ghost, keys));
    await expectUnauthorized(await signAccessToken(ghost, keys), "/api/v1/admin/things");
    expect(await redis.get(userAuthStateKey(ghost.id))).toBe("unknown");
  });

  test("a state Redis lost is filled from PostgreSQL with the row's version, role and tenant", async () => {
    const organizer = await realUser("organizer");
    await redis.del(userAuthStateKey(organizer.id));
    expect((await call(app, "/api/v1/me", withToken(await signAccessToken(organizer, keys)))).status).toBe(200);
    expect(await redis.get(userAuthStateKey(organizer.id))).toBe(`0|organizer|${organizer.tenant_id}|1`);
  });

  test("a demoted admin is refused at once: its token's role is no longer the user's", async () => {
    const admin = await realUser("admin");
    const token = await signAccessToken(admin, keys);
    expect((await call(app, "/api/v1/admin/things", withToken(token))).status).toBe(200);
    // What the auth service does on a role change: the row, then the state, with a new version.
    await postgres.db
      .update(schema.users)
      .set({ role: "user", tokenVersion: sql`${schema.users.tokenVersion} + 1` })
      .where(eq(schema.users.id, admin.id));
    await writeUserAuthState(redis, admin.id, { version: 1, role: "user", tenantId: admin.tenant_id, active: true }, 900);
    await expectUnauthorized(token, "/api/v1/admin/things");
    await expectUnauthorized(token);
  });

  test("a bumped token version (password reset) ends every older token; a token of the new version works", async () => {
    const user = await realUser();
    const old = await signAccessToken(user, keys, 0);
    await writeUserAuthState(redis, user.id, { version: 1, role: user.role, tenantId: null, active: true }, 900);
    await expectUnauthorized(old);
    expect((await call(app, "/api/v1/me", withToken(await signAccessToken(user, keys, 1)))).status).toBe(200);
  });

  test("a disabled user is refused at once", async () => {
    const user = await realUser();
    const token = await signAccessToken(user, keys);
    expect((await call(app, "/api/v1/me", withToken(token))).status).toBe(200);
    await writeUserAuthState(redis, user.id, { version: 0, role: user.role, tenantId: null, active: false }, 900);
    await expectUnauthorized(token);
  });

  test("a token naming another tenant than the user's is 401", async () => {
    const organizer = await realUser("organizer");
    await expectUnauthorized(await signAccessToken({ ...organizer, tenant_id: crypto.randomUUID() }, keys));
  });

  test("Redis unreachable: 503, never a pass", async () => {
    const unreachable = createRedis(
      { ...stackConfig.redis, sentinels: [{ host: "127.0.0.1", port: 1 }], commandTimeoutMs: 300 },
      testLogger,
      "guard-down",
    );
    const down = testKernel([
      new Elysia({ name: "guarded-down", prefix: "/api/v1" })
        .use(authGuard(createAccessControl(auth, { redis: unreachable, db: postgres.db, logger: testLogger })))
        .get("/me", ({ user }) => ({ success: true as const, data: user }), { auth: true }),
    ]);
    try {
      const response = await call(down.app, "/api/v1/me", withToken(await signAccessToken(await realUser(), keys)));
      expect(response.status).toBe(503);
      expect((await jsonOf(response)).error.code).toBe("SERVICE_UNAVAILABLE");
    } finally {
      await closeRedis(unreachable);
    }
  });
});

describe("auth guard: authentication before validation", () => {
  test("anonymous calls to protected routes are 401 whatever the body or query", async () => {
    for (const body of ['{"count":0}', '{"count":', "not json", '{"extra":"x"}']) {
      const response = await call(app, "/api/v1/things", jsonPost(body));
      expect(response.status).toBe(401);
      expect((await jsonOf(response)).error.code).toBe("UNAUTHORIZED");
    }
    expect((await call(app, "/api/v1/search?page=zero")).status).toBe(401);
  });

  test("a buyer on an admin route is 403 before its body is looked at", async () => {
    const token = await signAccessToken(await realUser(), keys);
    for (const body of ['{"count":0}', '{"count":', "not json"]) {
      const response = await call(app, "/api/v1/admin/things", withToken(token, jsonPost(body)));
      expect(response.status).toBe(403);
      expect((await jsonOf(response)).error.code).toBe("FORBIDDEN");
    }
  });

  test("an authenticated caller with a bad body or query gets the validation error", async () => {
    const token = await signAccessToken(await realUser(), keys);
    const bad = await call(app, "/api/v1/things", withToken(token, jsonPost('{"count":0}')));
    expect(bad.status).toBe(400);
    expect((await jsonOf(bad)).error.code).toBe("VALIDATION_ERROR");
    expect((await call(app, "/api/v1/search?page=zero", withToken(token))).status).toBe(400);
    const good = await call(app, "/api/v1/things", withToken(token, jsonPost('{"count":2}')));
    expect(good.status).toBe(200);
    expect((await jsonOf(good)).data).toEqual({ count: 2 });
  });
});
