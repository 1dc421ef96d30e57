import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { users } from "@booking-rush/db/schema";
import { eq } from "drizzle-orm";
import { type AuthFixture, authFixture, uniqueEmail } from "./support/auth-fixture";

let fixture: AuthFixture;
let session: Awaited<ReturnType<AuthFixture["register"]>>;
let admin: Awaited<ReturnType<AuthFixture["tenantWithAdmin"]>>["admin"];
beforeAll(async () => {
  fixture = await authFixture("bad_input");
  session = await fixture.register();
  admin = (await fixture.tenantWithAdmin()).admin;
});
afterAll(() => fixture?.close());

const long = (length: number) => "x".repeat(length);
const sqlish = "x'); DROP TABLE users; --";
const token43 = "A".repeat(43);

/** Bodies that must each be refused with VALIDATION_ERROR, per endpoint. */
const cases: { method: string; path: string; auth?: "user" | "admin"; bodies: unknown[] }[] = [
  {
    method: "POST",
    path: "/auth/register",
    bodies: [
      {},
      "not json",
      "[]",
      null,
      42,
      { email: uniqueEmail(), password: "correct-horse-9" },
      { email: uniqueEmail(), name: "Ann" },
      { password: "correct-horse-9", name: "Ann" },
      { email: 42, password: "correct-horse-9", name: "Ann" },
      { email: uniqueEmail(), password: 12345678, name: "Ann" },
      { email: uniqueEmail(), password: "correct-horse-9", name: ["Ann"] },
      { email: uniqueEmail(), password: "short", name: "Ann" },
      { email: "not-an-email", password: "correct-horse-9", name: "Ann" },
      { email: sqlish, password: "correct-horse-9", name: "Ann" },
      { email: `${long(250)}@example.com`, password: "correct-horse-9", name: "Ann" },
      { email: uniqueEmail(), password: long(129), name: "Ann" },
      { email: uniqueEmail(), password: "correct-horse-9", name: long(101) },
      { email: uniqueEmail(), password: "correct-horse-9", name: "" },
      { email: uniqueEmail(), password: "correct-horse-9", name: "   " },
      { email: uniqueEmail(), password: "correct-horse-9", name: "Ann\u0000" },
    ],
  },
  {
    method: "POST",
    path: "/auth/login",
    bodies: [
      {},
      "nope",
      { email: uniqueEmail() },
      { password: "x" },
      { email: sqlish, password: "x" },
      { email: uniqueEmail(), password: "" },
      { email: uniqueEmail(), password: long(129) },
      { email: [], password: "x" },
    ],
  },
  {
    method: "POST",
    path: "/auth/refresh",
    bodies: [
      {},
      { refresh_token: 7 },
      { refresh_token: "short" },
      { refresh_token: long(129) },
      { refresh_token: `${token43.slice(1)}'` },
      { refresh_token: "' OR '1'='1' -- padding" },
    ],
  },
  {
    method: "POST",
    path: "/auth/logout",
    auth: "user",
    bodies: [{}, { refresh_token: null }, { refresh_token: long(200) }, { refresh_token: "<script>alert(1)</script>" }],
  },
  {
    method: "POST",
    path: "/auth/forgot-password",
    bodies: [{}, { email: "nope" }, { email: 1 }, { email: `${long(260)}@example.com` }, { email: sqlish }],
  },
  {
    method: "POST",
    path: "/auth/reset-password",
    bodies: [
      {},
      { token: token43 },
      { password: "brand-new-pass-1" },
      { token: token43, password: "short" },
      { token: 5, password: "brand-new-pass-1" },
      { token: sqlish, password: "brand-new-pass-1" },
      { token: token43, password: long(129) },
    ],
  },
  {
    method: "PUT",
    path: "/auth/me",
    auth: "user",
    bodies: [
      {},
      { name: 5 },
      { name: long(101) },
      { name: "" },
      { password: "new-password-1" },
      { password: "short", current_password: "correct-horse-9" },
      { current_password: long(129), password: "new-password-1" },
    ],
  },
  {
    method: "PUT",
    path: "/admin/users/:id/role",
    auth: "admin",
    bodies: [{}, { role: "superuser" }, { role: 1 }, { role: ["admin"] }, { role: "ADMIN" }, { role: sqlish }],
  },
];

describe("bad input on every auth endpoint: 400 VALIDATION_ERROR, nothing written", () => {
  for (const { method, path, auth, bodies } of cases) {
    test(`${method} ${path}`, async () => {
      const target = path.replace(":id", session.id);
      const token = auth === "admin" ? admin.token : auth === "user" ? session.tokens.access_token : null;
      const before = await fixture.counts();
      for (const body of bodies) {
        const answer = await fixture.request(method, target, { token, body: typeof body === "string" ? body : JSON.stringify(body) });
        expect(answer.status, JSON.stringify(body)).toBe(400);
        expect(answer.body.success).toBe(false);
        expect(answer.body.error.code).toBe("VALIDATION_ERROR");
        expect(Array.isArray(answer.body.error.details.fields)).toBe(true);
      }
      expect(await fixture.counts()).toEqual(before);
    });
  }

  test("a malformed user id in the admin path is 400", async () => {
    for (const id of ["not-a-uuid", "1' OR '1'='1", "00000000-0000-0000-0000-00000000000g"]) {
      const answer = await fixture.request("PUT", `/admin/users/${encodeURIComponent(id)}/role`, {
        token: admin.token,
        body: { role: "user" },
      });
      expect(answer.status).toBe(400);
      expect(answer.body.error.code).toBe("VALIDATION_ERROR");
    }
  });

  test("a body over the size limit is 413 PAYLOAD_TOO_LARGE before it is read", async () => {
    const answer = await fixture.request("POST", "/auth/register", {
      body: { email: uniqueEmail(), password: "correct-horse-9", name: long(70_000) },
    });
    expect(answer.status).toBe(413);
  });
});

describe("text is stored exactly as given", () => {
  test("HTML and SQL metacharacters in the name come back byte for byte and do nothing", async () => {
    const name = `<img src=x onerror="alert('x')"> Robert'); DROP TABLE users;-- & "quotes" ü 🎟`;
    const created = await fixture.register({ name, password: "pass'word\"; --" });
    const stored = await fixture.db.select({ name: users.name }).from(users).where(eq(users.id, created.id));
    expect(stored[0]!.name).toBe(name);
    const me = await fixture.request("GET", "/auth/me", { token: created.tokens.access_token });
    expect(me.body.data.name).toBe(name);
    expect(me.headers.get("content-type")).toContain("application/json");
    // The quoted password works as a password, nothing else.
    expect((await fixture.post("/auth/login", { email: created.email, password: "pass'word\"; --" })).status).toBe(200);
    expect((await fixture.post("/auth/login", { email: created.email, password: "' OR '1'='1" })).status).toBe(401);
  });
});
