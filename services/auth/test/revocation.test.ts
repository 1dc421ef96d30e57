/**
 * Revocation through the auth service, seen by the guard of every service: a role change, a
 * password change or reset (password-reset.test.ts), and disabling an account end every access token issued before, at
 * once (the next request), not when the token expires. Through the public API on the real Redis
 * and PostgreSQL.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { users } from "@booking-rush/db/schema";
import { userAuthStateKey } from "@booking-rush/lib/auth";
import { eq } from "drizzle-orm";
import { type AuthFixture, authFixture } from "./support/auth-fixture";

let fixture: AuthFixture;
beforeAll(async () => {
  fixture = await authFixture("revocation");
});
afterAll(() => fixture?.close());

const me = (token: string) => fixture.request("GET", "/auth/me", { token });
const setStatus = (token: string, userId: string, status: string) =>
  fixture.request("PUT", `/admin/users/${userId}/status`, { token, body: { status } });

describe("revocation takes effect at once", () => {
  test("a registered user's token works; its auth state is in Redis with the row's version", async () => {
    const ann = await fixture.register();
    expect((await me(ann.tokens.access_token)).status).toBe(200);
    expect(await fixture.service.redis.get(userAuthStateKey(ann.id))).toBe("0|user||1");
  });

  test("a demoted admin's token is refused on the next request, admin routes and others alike", async () => {
    const { tenant, admin } = await fixture.tenantWithAdmin();
    const other = await fixture.member(tenant.id, "admin");
    const member = await fixture.member(tenant.id, "user");
    expect(
      (await fixture.request("PUT", `/admin/users/${member.id}/role`, { token: admin.token, body: { role: "organizer" } })).status,
    ).toBe(200);
    expect((await fixture.request("PUT", `/admin/users/${admin.id}/role`, { token: other.token, body: { role: "user" } })).status).toBe(
      200,
    );
    const refused = await fixture.request("PUT", `/admin/users/${member.id}/role`, { token: admin.token, body: { role: "user" } });
    expect(refused.status).toBe(401);
    expect((await me(admin.token)).status).toBe(401);
    // The promoted member's old token (role user) is refused too; a new login carries the new role.
    expect((await me(member.token)).status).toBe(401);
    const login = await fixture.post("/auth/login", { email: member.email, password: "admin-password-1" });
    expect(login.status).toBe(200);
    expect((await me(login.body.data.tokens.access_token)).body.data).toMatchObject({ role: "organizer" });
  });

  test("a password change ends every session, the caller's access token included", async () => {
    const ann = await fixture.register();
    const second = await fixture.post("/auth/login", { email: ann.email, password: ann.password });
    const changed = await fixture.request("PUT", "/auth/me", {
      token: ann.tokens.access_token,
      body: { password: "a-new-password-7", current_password: ann.password },
    });
    expect(changed.status).toBe(200);
    expect((await me(ann.tokens.access_token)).status).toBe(401);
    expect((await me(second.body.data.tokens.access_token)).status).toBe(401);
    expect((await fixture.post("/auth/refresh", { refresh_token: second.body.data.tokens.refresh_token })).status).toBe(401);
    const again = await fixture.post("/auth/login", { email: ann.email, password: "a-new-password-7" });
    expect((await me(again.body.data.tokens.access_token)).status).toBe(200);
  });

  test("disabling a user: its token is refused at once, login is refused, and enabling lets it log in again", async () => {
    const { tenant, admin } = await fixture.tenantWithAdmin();
    const member = await fixture.member(tenant.id, "organizer");
    const buyer = await fixture.register();
    expect((await me(member.token)).status).toBe(200);

    for (const target of [member, { ...buyer, token: buyer.tokens.access_token }]) {
      const disabled = await setStatus(admin.token, target.id, "disabled");
      expect(disabled.status).toBe(200);
      expect(disabled.body.data).toMatchObject({ id: target.id, status: "disabled" });
      expect((await me(target.token)).status).toBe(401);
    }
    const refused = await fixture.post("/auth/login", { email: member.email, password: "admin-password-1" });
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe("FORBIDDEN");
    expect(await fixture.audit("admin.status_changed")).toHaveLength(2);

    expect((await setStatus(admin.token, member.id, "active")).status).toBe(200);
    const login = await fixture.post("/auth/login", { email: member.email, password: "admin-password-1" });
    expect(login.status).toBe(200);
    expect((await me(login.body.data.tokens.access_token)).status).toBe(200);
    // The token from before it was disabled never comes back.
    expect((await me(member.token)).status).toBe(401);
  });

  test("an admin is demoted before it can be disabled; users of other tenants are not found; buyers cannot disable", async () => {
    const { tenant, admin } = await fixture.tenantWithAdmin();
    const second = await fixture.member(tenant.id, "admin");
    const refused = await setStatus(admin.token, second.id, "disabled");
    expect(refused.status).toBe(409);
    const elsewhere = await fixture.tenantWithAdmin("elsewhere");
    expect((await setStatus(admin.token, elsewhere.admin.id, "disabled")).status).toBe(404);
    const buyer = await fixture.register();
    expect((await setStatus(buyer.tokens.access_token, second.id, "disabled")).status).toBe(403);
    const [row] = await fixture.db.select({ status: users.status }).from(users).where(eq(users.id, second.id));
    expect(row).toEqual({ status: "active" });
  });
});
