import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { users } from "@booking-rush/db/schema";
import { eq } from "drizzle-orm";
import { type AuthFixture, authFixture } from "./support/auth-fixture";

let fixture: AuthFixture;
beforeAll(async () => {
  fixture = await authFixture("roles");
});
afterAll(() => fixture?.close());

const setRole = (token: string | null, userId: string, role: string, headers: Record<string, string> = {}) =>
  fixture.request("PUT", `/admin/users/${userId}/role`, { token, body: { role }, headers });
const roleOf = async (userId: string) =>
  (await fixture.db.select({ role: users.role, tenantId: users.tenantId }).from(users).where(eq(users.id, userId)))[0];

describe("PUT /admin/users/:id/role", () => {
  test("only admins: no token 401, a user or an organizer 403, nothing changes", async () => {
    const { tenant } = await fixture.tenantWithAdmin();
    const organizer = await fixture.member(tenant.id, "organizer");
    const member = await fixture.member(tenant.id, "user");
    const buyer = await fixture.register();
    expect((await setRole(null, member.id, "admin")).status).toBe(401);
    expect((await setRole(buyer.tokens.access_token, member.id, "admin")).status).toBe(403);
    const byOrganizer = await setRole(organizer.token, member.id, "organizer");
    expect(byOrganizer.status).toBe(403);
    expect(byOrganizer.body.error.code).toBe("FORBIDDEN");
    expect(await roleOf(member.id)).toEqual({ role: "user", tenantId: tenant.id });
    expect(await fixture.audit("admin.role_changed")).toHaveLength(0);
  });

  test("an admin changes a member of its tenant; audited with before/after, actor, tenant, ip and request id; sessions end", async () => {
    const { tenant, admin } = await fixture.tenantWithAdmin();
    const member = await fixture.member(tenant.id, "user");
    const login = await fixture.post("/auth/login", { email: member.email, password: "admin-password-1" });
    const answer = await setRole(admin.token, member.id, "organizer", {
      "x-forwarded-for": "203.0.113.9",
      "x-request-id": "role-change-1",
    });
    expect(answer.status).toBe(200);
    expect(answer.body.data).toMatchObject({ id: member.id, role: "organizer", tenant_id: tenant.id });
    expect(await roleOf(member.id)).toEqual({ role: "organizer", tenantId: tenant.id });
    const [row] = (await fixture.audit("admin.role_changed")).filter((audit) => audit.entityId === member.id);
    expect(row).toMatchObject({
      actorId: admin.id,
      tenantId: tenant.id,
      entityType: "user",
      before: { role: "user", tenant_id: tenant.id },
      after: { role: "organizer", tenant_id: tenant.id },
      ip: "203.0.113.9",
      requestId: "role-change-1",
    });
    // The old refresh token no longer works; a new login carries the new role.
    expect((await fixture.post("/auth/refresh", { refresh_token: login.body.data.tokens.refresh_token })).status).toBe(401);
    const again = await fixture.post("/auth/login", { email: member.email, password: "admin-password-1" });
    expect(again.body.data.user.role).toBe("organizer");
  });

  test("a buyer without a tenant joins the admin's tenant when promoted; demoted, it keeps the membership without rights", async () => {
    const { tenant, admin } = await fixture.tenantWithAdmin();
    const buyer = await fixture.register();
    const promoted = await setRole(admin.token, buyer.id, "organizer");
    expect(promoted.status).toBe(200);
    expect(promoted.body.data).toMatchObject({ role: "organizer", tenant_id: tenant.id });
    const demoted = await setRole(admin.token, buyer.id, "user");
    expect(demoted.body.data).toMatchObject({ role: "user", tenant_id: tenant.id });
  });

  test("only its own tenant: another tenant's user is 404 and unchanged", async () => {
    const { admin } = await fixture.tenantWithAdmin("alpha");
    const { tenant: other } = await fixture.tenantWithAdmin("beta");
    const stranger = await fixture.member(other.id, "organizer");
    const answer = await setRole(admin.token, stranger.id, "user");
    expect(answer.status).toBe(404);
    expect(answer.body.error.code).toBe("NOT_FOUND");
    expect(await roleOf(stranger.id)).toEqual({ role: "organizer", tenantId: other.id });
    expect((await setRole(admin.token, crypto.randomUUID(), "user")).status).toBe(404);
  });

  test("the token is not enough: an admin demoted in the database is refused at once", async () => {
    const { tenant, admin } = await fixture.tenantWithAdmin();
    await fixture.member(tenant.id, "admin");
    const member = await fixture.member(tenant.id, "user");
    await fixture.db.update(users).set({ role: "user" }).where(eq(users.id, admin.id));
    // The guard reads the user's state from the row: the token's role is no longer the user's.
    expect((await setRole(admin.token, member.id, "organizer")).status).toBe(401);
    expect(await roleOf(member.id)).toEqual({ role: "user", tenantId: tenant.id });
  });

  test("a tenant keeps at least one admin, also when two admins demote each other at once", async () => {
    const { tenant, admin } = await fixture.tenantWithAdmin();
    const lonely = await setRole(admin.token, admin.id, "user");
    expect(lonely.status).toBe(409);
    expect(lonely.body.error.code).toBe("CONFLICT");

    const second = await fixture.member(tenant.id, "admin");
    const answers = await Promise.all([setRole(admin.token, second.id, "user"), setRole(second.token, admin.id, "user")]);
    // The first to lock the tenant's admins wins; the other is no longer an admin by then: 403 from
    // the role check, or 401 when its request reached the guard after the winner had revoked it.
    const statuses = answers.map((answer) => answer.status).sort();
    expect(statuses[0]).toBe(200);
    expect([401, 403]).toContain(statuses[1]!);
    const admins = (await Promise.all([roleOf(admin.id), roleOf(second.id)])).filter((row) => row!.role === "admin");
    expect(admins).toHaveLength(1);
  });
});
