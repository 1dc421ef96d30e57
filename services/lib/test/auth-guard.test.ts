import { describe, expect, test } from "bun:test";
import { Elysia, t } from "elysia";
import { SignJWT } from "jose";
import { type AuthenticatedUser, signAccessToken, verifyAccessToken } from "../src/auth/access-token";
import { authGuard } from "../src/http/auth-guard";
import { call, jsonOf, testKernel } from "./support/test-kernel";

const keys = { secret: "a-test-signing-secret-of-32-chars!!", ttlSeconds: 900 };
const user: AuthenticatedUser = {
  id: "0d9b1c58-5b0a-4f0e-9d55-3b8f5c2b7e11",
  email: "fan@example.com",
  role: "user",
  tenant_id: "3f0c2a4e-9b1d-4c57-8e2f-6a7b8c9d0e1f",
};

const guarded = new Elysia({ name: "guarded", prefix: "/api/v1" })
  .use(authGuard(keys))
  .get("/me", ({ user }) => ({ success: true as const, data: user }), { auth: true })
  .get("/admin/things", ({ user }) => ({ success: true as const, data: { by: user.role } }), { auth: ["admin"] })
  .get("/public", () => ({ success: true as const, data: "hello" }), { response: t.Object({ success: t.Literal(true), data: t.String() }) });

const { app } = testKernel([guarded]);
const withToken = (token: string) => ({ headers: { authorization: `Bearer ${token}` } });

async function expectUnauthorized(token: string) {
  const response = await call(app, "/api/v1/me", withToken(token));
  expect(response.status).toBe(401);
  expect((await jsonOf(response)).error.code).toBe("UNAUTHORIZED");
}

const base64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");

describe("auth guard", () => {
  test("a valid access token puts the user in context", async () => {
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
    await expectUnauthorized(await signAccessToken(user, keys, Date.now() - 3_600_000));
  });

  test("a token signed with another secret is 401", async () => {
    await expectUnauthorized(await signAccessToken(user, { ...keys, secret: "another-secret-another-secret-32!!" }));
  });

  test("a forged payload under a real signature is 401", async () => {
    const [header, , signature] = (await signAccessToken(user, keys)).split(".");
    const payload = base64url({ sub: user.id, email: user.email, role: "admin", tenant_id: user.tenant_id, iat: 1, exp: 9_999_999_999, jti: "x" });
    await expectUnauthorized(`${header}.${payload}.${signature}`);
  });

  test("alg none is refused", async () => {
    const now = Math.floor(Date.now() / 1000);
    const header = base64url({ alg: "none", typ: "JWT" });
    const payload = base64url({ sub: user.id, email: user.email, role: "admin", tenant_id: null, iat: now, exp: now + 600, jti: "x" });
    await expectUnauthorized(`${header}.${payload}.`);
  });

  test("another HMAC algorithm with the right secret is refused: only HS256 is accepted", async () => {
    const now = Math.floor(Date.now() / 1000);
    const token = await new SignJWT({ email: user.email, role: user.role, tenant_id: user.tenant_id })
      .setProtectedHeader({ alg: "HS512" })
      .setSubject(user.id).setJti("x").setIssuedAt(now).setExpirationTime(now + 600)
      .sign(new TextEncoder().encode(keys.secret));
    await expectUnauthorized(token);
  });

  test("claims of the wrong shape are refused", async () => {
    const now = Math.floor(Date.now() / 1000);
    const sign = (claims: Record<string, unknown>, subject = user.id) =>
      new SignJWT(claims).setProtectedHeader({ alg: "HS256" }).setSubject(subject).setJti("x").setIssuedAt(now).setExpirationTime(now + 600)
        .sign(new TextEncoder().encode(keys.secret));
    await expectUnauthorized(await sign({ email: user.email, role: "superuser", tenant_id: null }));
    await expectUnauthorized(await sign({ email: user.email, role: "user", tenant_id: "not-a-uuid" }));
    await expectUnauthorized(await sign({ email: user.email, role: "user", tenant_id: null }, "not-a-uuid"));
  });

  test("the wrong role is 403, the right one passes", async () => {
    const forbidden = await call(app, "/api/v1/admin/things", withToken(await signAccessToken(user, keys)));
    expect(forbidden.status).toBe(403);
    expect((await jsonOf(forbidden)).error.code).toBe("FORBIDDEN");
    const admin = await call(app, "/api/v1/admin/things", withToken(await signAccessToken({ ...user, role: "admin" }, keys)));
    expect(admin.status).toBe(200);
  });

  test("tokens carry the claims of the API contract", async () => {
    const token = await signAccessToken(user, keys, Date.UTC(2026, 0, 1));
    const claims = JSON.parse(Buffer.from(token.split(".")[1]!, "base64url").toString());
    expect(Object.keys(claims).sort()).toEqual(["email", "exp", "iat", "jti", "role", "sub", "tenant_id"]);
    expect(claims.exp - claims.iat).toBe(900);
    expect(await verifyAccessToken(await signAccessToken(user, keys), keys)).toEqual(user);
  });
});
