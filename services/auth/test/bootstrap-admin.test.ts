import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { tenants, users } from "@booking-rush/db/schema";
import { createLogger } from "@booking-rush/lib/observability";
import { eq } from "drizzle-orm";
import { bootstrapAdmin } from "../src/bootstrap-admin";
import { type AuthFixture, authFixture, uniqueEmail } from "./support/auth-fixture";

let fixture: AuthFixture;
beforeAll(async () => {
  fixture = await authFixture("bootstrap");
});
afterAll(() => fixture?.close());

const logger = createLogger({ service: "bootstrap-test", level: "error", write: () => {} });
const hash = (password: string) => Bun.password.hash(password, { algorithm: "bcrypt", cost: 4 });

describe("admin bootstrap", () => {
  test("without both settings nothing is created", async () => {
    expect(await bootstrapAdmin(fixture.db, { email: undefined, password: undefined, tenantSlug: "platform" }, hash, logger)).toBe(
      "not_configured",
    );
    expect((await fixture.db.select().from(users).where(eq(users.role, "admin"))).length).toBe(0);
  });

  test("an ADMIN_EMAIL someone already registered is never promoted", async () => {
    const squatter = await fixture.register();
    const result = await bootstrapAdmin(
      fixture.db,
      { email: squatter.email.toUpperCase(), password: "admin-password-123", tenantSlug: "platform" },
      hash,
      logger,
    );
    expect(result).toBe("email_taken");
    expect((await fixture.db.select({ role: users.role }).from(users).where(eq(users.id, squatter.id)))[0]!.role).toBe("user");
  });

  test("five replicas starting at once create exactly one admin, in its tenant; later starts change nothing", async () => {
    const email = uniqueEmail("admin");
    const admin = { email, password: "admin-password-123", tenantSlug: "platform" };
    const results = await Promise.all(Array.from({ length: 5 }, () => bootstrapAdmin(fixture.db, admin, hash, logger)));
    expect(results.filter((result) => result === "created")).toHaveLength(1);
    expect(results.filter((result) => result === "exists")).toHaveLength(4);
    const admins = await fixture.db.select().from(users).where(eq(users.role, "admin"));
    expect(admins).toHaveLength(1);
    const [tenant] = await fixture.db.select().from(tenants).where(eq(tenants.slug, "platform"));
    expect(admins[0]!.tenantId).toBe(tenant!.id);
    expect(await fixture.audit("admin.bootstrapped")).toHaveLength(1);

    expect(await bootstrapAdmin(fixture.db, { ...admin, password: "another-password-456" }, hash, logger)).toBe("exists");
    const login = await fixture.post("/auth/login", { email, password: "admin-password-123" });
    expect(login.status).toBe(200);
    expect(login.body.data.user).toMatchObject({ role: "admin", tenant_id: tenant!.id });
  });
});
