import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { signAccessToken } from "@booking-rush/lib/auth";
import { SignJWT } from "jose";
import { type AuthFixture, authFixture, jwtSecret, uniqueEmail } from "./support/auth-fixture";

let fixture: AuthFixture;
beforeAll(async () => {
  fixture = await authFixture("flow");
});
afterAll(() => fixture?.close());

const me = (token: string) => fixture.request("GET", "/auth/me", { token });

describe("register → login → refresh → reuse detection → logout", () => {
  test("the whole flow", async () => {
    const email = uniqueEmail();
    const registered = await fixture.post("/auth/register", { email, password: "correct-horse-9", name: "Ann" });
    expect(registered.status).toBe(201);
    expect(registered.body.data.user).toMatchObject({ email, name: "Ann", role: "user", tenant_id: null });
    expect(registered.body.data.tokens).toMatchObject({ token_type: "Bearer", expires_in: 900 });
    expect(registered.body.data.tokens.refresh_token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect((await me(registered.body.data.tokens.access_token)).body.data.email).toBe(email);

    // Login is case-insensitive on the e-mail.
    const login = await fixture.post("/auth/login", { email: email.toUpperCase(), password: "correct-horse-9" });
    expect(login.status).toBe(200);
    expect(login.body.data.user.id).toBe(registered.body.data.user.id);
    const first = login.body.data.tokens;
    expect(first).toMatchObject({ token_type: "Bearer", expires_in: 900 });
    expect((await me(first.access_token)).status).toBe(200);
    expect((await fixture.audit("auth.login")).filter((row) => row.actorId === login.body.data.user.id)).toHaveLength(1);

    // Refresh: a new pair; the old refresh token is revoked and points at its successor.
    const refreshed = await fixture.post("/auth/refresh", { refresh_token: first.refresh_token });
    expect(refreshed.status).toBe(200);
    const second = refreshed.body.data.tokens;
    expect(second.refresh_token).not.toBe(first.refresh_token);
    expect((await me(second.access_token)).status).toBe(200);

    // Reuse of the rotated token: 401, and the whole family (including the current token) is revoked.
    const reused = await fixture.post("/auth/refresh", { refresh_token: first.refresh_token });
    expect(reused.status).toBe(401);
    expect(reused.body.error.code).toBe("UNAUTHORIZED");
    const reuses = await fixture.audit("auth.refresh_reuse_detected");
    expect(reuses).toHaveLength(1);
    expect(reuses[0]!.after).toEqual({ revoked_tokens: 1 });
    expect((await fixture.post("/auth/refresh", { refresh_token: second.refresh_token })).status).toBe(401);

    // Another login is another family, untouched by that; logout revokes it.
    const again = (await fixture.post("/auth/login", { email, password: "correct-horse-9" })).body.data.tokens;
    const loggedOut = await fixture.post("/auth/logout", { refresh_token: again.refresh_token }, { token: again.access_token });
    expect(loggedOut.status).toBe(200);
    expect(loggedOut.body).toEqual({ success: true, data: { logged_out: true } });
    expect((await fixture.post("/auth/refresh", { refresh_token: again.refresh_token })).status).toBe(401);
    const logouts = await fixture.audit("auth.logout");
    expect(logouts).toHaveLength(1);
    expect(logouts[0]).toMatchObject({ actorId: registered.body.data.user.id, entityType: "user", entityId: registered.body.data.user.id });
    expect(logouts[0]!.requestId).toBeTruthy();
  });

  test("logout needs an access token, and only ever revokes the caller's own session", async () => {
    const ann = await fixture.register();
    const bob = await fixture.register({ name: "Bob" });
    expect((await fixture.post("/auth/logout", { refresh_token: ann.tokens.refresh_token })).status).toBe(401);
    const foreign = await fixture.post("/auth/logout", { refresh_token: ann.tokens.refresh_token }, { token: bob.tokens.access_token });
    expect(foreign.status).toBe(401);
    expect((await fixture.post("/auth/refresh", { refresh_token: ann.tokens.refresh_token })).status).toBe(200);
  });

  test("two concurrent refreshes of one token: one rotates, the other is reuse and ends the session", async () => {
    const ann = await fixture.register();
    const answers = await Promise.all([0, 1].map(() => fixture.post("/auth/refresh", { refresh_token: ann.tokens.refresh_token })));
    expect(answers.map((answer) => answer.status).sort()).toEqual([200, 401]);
    const winner = answers.find((answer) => answer.status === 200)!;
    expect((await fixture.post("/auth/refresh", { refresh_token: winner.body.data.tokens.refresh_token })).status).toBe(401);
  });

  test("concurrent registrations of one e-mail (any case): exactly one account", async () => {
    const email = uniqueEmail();
    const variants = [email, email.toUpperCase(), email, ` ${email}`, email.replace("ann", "ANN")];
    const answers = await Promise.all(
      variants.map((variant) => fixture.post("/auth/register", { email: variant.trim(), password: "correct-horse-9", name: "Ann" })),
    );
    expect(answers.map((answer) => answer.status).sort()).toEqual([201, 409, 409, 409, 409]);
    expect(answers.find((answer) => answer.status === 409)!.body.error.code).toBe("CONFLICT");
  });

  test("unknown e-mail and wrong password: the same answer", async () => {
    const ann = await fixture.register();
    const wrongPassword = await fixture.post("/auth/login", { email: ann.email, password: "not-the-password" });
    const unknownEmail = await fixture.post("/auth/login", { email: uniqueEmail(), password: "not-the-password" });
    expect(wrongPassword.status).toBe(401);
    expect(unknownEmail.status).toBe(401);
    expect(unknownEmail.body).toEqual(wrongPassword.body);
    expect([...unknownEmail.headers.keys()].filter((key) => key !== "x-request-id").sort()).toEqual(
      [...wrongPassword.headers.keys()].filter((key) => key !== "x-request-id").sort(),
    );
  });

  test("login metrics count by result", async () => {
    const ann = await fixture.register();
    await fixture.post("/auth/login", { email: ann.email, password: ann.password });
    await fixture.post("/auth/login", { email: ann.email, password: "wrong-password" });
    const text = await fixture.metrics.registry.metrics();
    expect(text).toMatch(/auth_logins_total\{result="success"[^}]*\} [1-9]/);
    expect(text).toMatch(/auth_logins_total\{result="failed"[^}]*\} [1-9]/);
  });
});

describe("access tokens on /auth/me", () => {
  test("expired, forged, alg none, other secret and garbage: all 401", async () => {
    const ann = await fixture.register();
    const claims = { id: ann.id, email: ann.email, role: "user" as const, tenant_id: null };
    const expired = await signAccessToken(claims, { secret: jwtSecret, ttlSeconds: 900 }, Date.now() - 3_600_000);
    const otherSecret = await signAccessToken(claims, { secret: "another-signing-secret-0123456789abcdef", ttlSeconds: 900 });
    const [header, , signature] = ann.tokens.access_token.split(".");
    const adminPayload = Buffer.from(
      JSON.stringify({
        sub: ann.id,
        email: ann.email,
        role: "admin",
        tenant_id: null,
        iat: 1,
        exp: 4_000_000_000,
        jti: crypto.randomUUID(),
      }),
    ).toString("base64url");
    const forged = `${header}.${adminPayload}.${signature}`;
    const none = `${Buffer.from(JSON.stringify({ alg: "none", typ: "JWT" })).toString("base64url")}.${adminPayload}.`;
    const hs512 = await new SignJWT({ email: ann.email, role: "user", tenant_id: null })
      .setProtectedHeader({ alg: "HS512" })
      .setSubject(ann.id)
      .setJti(crypto.randomUUID())
      .setIssuedAt()
      .setExpirationTime("15m")
      .sign(new TextEncoder().encode(jwtSecret));
    for (const token of [expired, otherSecret, forged, none, hs512, "not-a-jwt", `${ann.tokens.access_token}x`]) {
      const answer = await me(token);
      expect(answer.status, token).toBe(401);
      expect(answer.body.error.code).toBe("UNAUTHORIZED");
    }
    expect((await fixture.request("GET", "/auth/me")).status).toBe(401);
    expect((await me(ann.tokens.access_token)).status).toBe(200);
  });
});

describe("profile", () => {
  test("PUT /auth/me changes the name; the password only with the current one, and that ends every session", async () => {
    const ann = await fixture.register();
    const renamed = await fixture.request("PUT", "/auth/me", { token: ann.tokens.access_token, body: { name: "Ann B." } });
    expect(renamed.status).toBe(200);
    expect(renamed.body.data.name).toBe("Ann B.");
    expect((await fixture.audit("auth.profile_updated")).some((row) => row.entityId === ann.id)).toBe(true);

    const withoutCurrent = await fixture.request("PUT", "/auth/me", {
      token: ann.tokens.access_token,
      body: { password: "new-password-42" },
    });
    expect(withoutCurrent.status).toBe(400);
    const wrongCurrent = await fixture.request("PUT", "/auth/me", {
      token: ann.tokens.access_token,
      body: { password: "new-password-42", current_password: "nope-nope" },
    });
    expect(wrongCurrent.status).toBe(403);
    expect((await fixture.post("/auth/login", { email: ann.email, password: "new-password-42" })).status).toBe(401);

    const changed = await fixture.request("PUT", "/auth/me", {
      token: ann.tokens.access_token,
      body: { password: "new-password-42", current_password: ann.password },
    });
    expect(changed.status).toBe(200);
    expect((await fixture.post("/auth/refresh", { refresh_token: ann.tokens.refresh_token })).status).toBe(401);
    expect((await fixture.post("/auth/login", { email: ann.email, password: ann.password })).status).toBe(401);
    expect((await fixture.post("/auth/login", { email: ann.email, password: "new-password-42" })).status).toBe(200);
  });

  test("no log line carries a password, a token or a hash", async () => {
    const ann = await fixture.register({ password: "very-secret-password-77" });
    const login = await fixture.post("/auth/login", { email: ann.email, password: "very-secret-password-77" });
    await fixture.post("/auth/login", { email: ann.email, password: "another-secret-password-88" });
    const refreshed = await fixture.post("/auth/refresh", { refresh_token: login.body.data.tokens.refresh_token });
    await fixture.post("/auth/refresh", { refresh_token: login.body.data.tokens.refresh_token });
    const { passwordHash } = (await fixture.db.query.users.findFirst({ where: (users, { eq }) => eq(users.id, ann.id) }))!;
    const secrets = [
      "very-secret-password-77",
      "another-secret-password-88",
      passwordHash,
      ann.tokens.refresh_token,
      ann.tokens.access_token,
      login.body.data.tokens.refresh_token,
      login.body.data.tokens.access_token,
      refreshed.body.data.tokens.refresh_token,
      new Bun.CryptoHasher("sha256").update(login.body.data.tokens.refresh_token).digest("hex"),
    ];
    expect(fixture.lines.length).toBeGreaterThan(0);
    for (const line of fixture.lines) for (const secret of secrets) expect(line.includes(secret)).toBe(false);
  });
});
