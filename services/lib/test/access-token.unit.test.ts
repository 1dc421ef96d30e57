import { describe, expect, test } from "bun:test";
import { SignJWT } from "jose";
import { type AccessTokenPolicy, type AuthenticatedUser, signAccessToken, verifyAccessToken } from "../src/auth/access-token";

const user: AuthenticatedUser = { id: crypto.randomUUID(), email: "ann@example.com", role: "user", tenant_id: null };
const policy: AccessTokenPolicy = { secret: "access-token-unit-secret-0123456789", ttlSeconds: 900, clockSkewSeconds: 30 };
const issuedAt = Date.UTC(2027, 0, 1, 12);

describe("verified tokens are remembered, never trusted beyond what a full verification allows", () => {
  test("a token verified once is refused as expired once its time is up", async () => {
    const token = await signAccessToken(user, policy, 0, issuedAt);
    expect(await verifyAccessToken(token, policy, issuedAt)).toEqual({ user, version: 0 });
    expect(await verifyAccessToken(token, policy, issuedAt + 899_000)).toEqual({ user, version: 0 });
    await expect(verifyAccessToken(token, policy, issuedAt + (900 + 30) * 1000)).rejects.toThrow("Access token expired");
  });

  test("a token verified once is refused before its iat (beyond the skew), as a first verification would", async () => {
    const token = await signAccessToken(user, policy, 0, issuedAt);
    expect(await verifyAccessToken(token, policy, issuedAt)).toEqual({ user, version: 0 });
    await expect(verifyAccessToken(token, policy, issuedAt - 60_000)).rejects.toThrow("Access token is not valid");
  });

  test("a token verified under one secret is not accepted under another", async () => {
    const token = await signAccessToken(user, policy, 0, issuedAt);
    expect(await verifyAccessToken(token, policy, issuedAt)).toEqual({ user, version: 0 });
    const rotated: AccessTokenPolicy = { ...policy, secret: "another-secret-after-rotation-0123456789" };
    await expect(verifyAccessToken(token, rotated, issuedAt)).rejects.toThrow("Access token is not valid");
  });

  test("a changed payload under the remembered signature is refused", async () => {
    const token = await signAccessToken(user, policy, 0, issuedAt);
    expect(await verifyAccessToken(token, policy, issuedAt)).toEqual({ user, version: 0 });
    const [header, , signature] = token.split(".");
    const payload = Buffer.from(JSON.stringify({ sub: user.id, email: user.email, role: "admin", tenant_id: null, ver: 0 })).toString(
      "base64url",
    );
    await expect(verifyAccessToken(`${header}.${payload}.${signature}`, policy, issuedAt)).rejects.toThrow("Access token is not valid");
  });

  test("a caller changing the claims it got does not change what the next one gets", async () => {
    const token = await signAccessToken(user, policy, 2, issuedAt);
    const first = await verifyAccessToken(token, policy, issuedAt);
    first.user.role = "admin";
    first.version = 9;
    expect(await verifyAccessToken(token, policy, issuedAt)).toEqual({ user, version: 2 });
  });
});

describe("the birthdate claim (OIDC's name for the date of birth)", () => {
  test("carried when the user has one, absent when not", async () => {
    const born = { ...user, birthdate: "2008-02-29" };
    const token = await signAccessToken(born, policy, 0, issuedAt);
    expect(JSON.parse(Buffer.from(token.split(".")[1]!, "base64url").toString()).birthdate).toBe("2008-02-29");
    expect(await verifyAccessToken(token, policy, issuedAt)).toEqual({ user: born, version: 0 });
    const without = await signAccessToken(user, policy, 0, issuedAt);
    expect(JSON.parse(Buffer.from(without.split(".")[1]!, "base64url").toString())).not.toHaveProperty("birthdate");
    expect((await verifyAccessToken(without, policy, issuedAt)).user).not.toHaveProperty("birthdate");
  });

  test("a signed token whose birthdate is not a real YYYY-MM-DD day is refused like any malformed token", async () => {
    const key = new TextEncoder().encode(policy.secret);
    const seconds = issuedAt / 1000;
    for (const birthdate of [
      "2007-02-29",
      "2000-13-01",
      "2000-00-10",
      "1990-1-1",
      "19900101",
      "1990-01-01T00:00:00Z",
      "",
      19900101,
      null,
    ]) {
      const token = await new SignJWT({ email: user.email, role: user.role, tenant_id: null, ver: 0, birthdate })
        .setProtectedHeader({ alg: "HS256", typ: "JWT" })
        .setSubject(user.id)
        .setJti(crypto.randomUUID())
        .setIssuedAt(seconds)
        .setExpirationTime(seconds + 900)
        .sign(key);
      await expect(verifyAccessToken(token, policy, issuedAt), String(birthdate)).rejects.toThrow("Access token is not valid");
    }
  });
});
