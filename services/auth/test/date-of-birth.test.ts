/**
 * The buyer's date of birth (src/date-of-birth.ts): given at registration or set once later, shown
 * on the profile, carried by the access tokens issued while the profile has it (`birthdate`), never
 * changed once set, never in a log line or an audit row.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { auditLogs, users } from "@booking-rush/db/schema";
import { verifyAccessToken } from "@booking-rush/lib/auth";
import { yearsAgo } from "@booking-rush/test-support/dates";
import { eq } from "drizzle-orm";
import { type AuthFixture, authFixture, jwtSecret, uniqueEmail } from "./support/auth-fixture";

let fixture: AuthFixture;
beforeAll(async () => {
  fixture = await authFixture("date_of_birth");
});
afterAll(() => fixture?.close());

const policy = { secret: jwtSecret, ttlSeconds: 900, clockSkewSeconds: 30 };
/** What the access token says about the user (signature checked). */
const claimsOf = async (token: string) => (await verifyAccessToken(token, policy)).user;
const me = (token: string) => fixture.request("GET", "/auth/me", { token });
const storedDateOf = async (userId: string) =>
  (await fixture.db.select({ dateOfBirth: users.dateOfBirth }).from(users).where(eq(users.id, userId)))[0]!.dateOfBirth;

describe("a date of birth given at registration", () => {
  test("is on the profile and in every token issued: register, login, refresh", async () => {
    const credentials = { email: uniqueEmail(), password: "correct-horse-9", name: "Ann", date_of_birth: "2004-02-29" };
    const registered = await fixture.post("/auth/register", credentials);
    expect(registered.status).toBe(201);
    expect(registered.body.data.user.date_of_birth).toBe("2004-02-29");
    expect(await claimsOf(registered.body.data.tokens.access_token)).toMatchObject({ birthdate: "2004-02-29" });
    expect((await me(registered.body.data.tokens.access_token)).body.data.date_of_birth).toBe("2004-02-29");
    expect(await storedDateOf(registered.body.data.user.id)).toBe("2004-02-29");

    const login = await fixture.post("/auth/login", { email: credentials.email, password: credentials.password });
    expect(login.body.data.user.date_of_birth).toBe("2004-02-29");
    expect((await claimsOf(login.body.data.tokens.access_token)).birthdate).toBe("2004-02-29");
    const refreshed = await fixture.post("/auth/refresh", { refresh_token: login.body.data.tokens.refresh_token });
    expect((await claimsOf(refreshed.body.data.tokens.access_token)).birthdate).toBe("2004-02-29");
  });

  test("without one the profile says null and no token carries the claim", async () => {
    const ann = await fixture.register();
    expect((await me(ann.tokens.access_token)).body.data.date_of_birth).toBeNull();
    expect(await claimsOf(ann.tokens.access_token)).not.toHaveProperty("birthdate");
    const refreshed = await fixture.post("/auth/refresh", { refresh_token: ann.tokens.refresh_token });
    expect(await claimsOf(refreshed.body.data.tokens.access_token)).not.toHaveProperty("birthdate");
  });

  test("today and exactly 130 years ago are accepted", async () => {
    for (const date_of_birth of [yearsAgo(0), yearsAgo(130)]) {
      const answer = await fixture.post("/auth/register", {
        email: uniqueEmail(),
        password: "correct-horse-9",
        name: "Ann",
        date_of_birth,
      });
      expect({ date_of_birth, status: answer.status }).toEqual({ date_of_birth, status: 201 });
      expect(answer.body.data.user.date_of_birth).toBe(date_of_birth);
    }
  });
});

/** Dates of birth refused with VALIDATION_ERROR naming the field. */
const badDates: unknown[] = [
  "2007-02-29",
  "2004-02-30",
  "2004-13-01",
  "2004-00-10",
  "2004-1-01",
  "04-01-01",
  "2004/01/01",
  "2004-01-01T00:00:00Z",
  "",
  "yesterday",
  20040101,
  null,
  ["2004-01-01"],
  yearsAgo(0, 1), // tomorrow
  yearsAgo(-1),
  yearsAgo(130, -1), // one day more than 130 years ago
  "0001-01-01",
];

describe("a date of birth that is not a real day, in the future or over 130 years ago", () => {
  test("is 400 VALIDATION_ERROR naming date_of_birth, at registration and on PUT /auth/me, and nothing is written", async () => {
    const ann = await fixture.register();
    const before = await fixture.counts();
    for (const date_of_birth of badDates) {
      const registration = await fixture.post("/auth/register", {
        email: uniqueEmail(),
        password: "correct-horse-9",
        name: "Bo",
        date_of_birth,
      });
      const change = await fixture.request("PUT", "/auth/me", { token: ann.tokens.access_token, body: { name: "Ann B.", date_of_birth } });
      for (const answer of [registration, change]) {
        expect({ date_of_birth, status: answer.status }).toEqual({ date_of_birth, status: 400 });
        expect(answer.body.error.code).toBe("VALIDATION_ERROR");
        expect(answer.body.error.details.fields.map((field: { field: string }) => field.field)).toContain("date_of_birth");
      }
    }
    expect(await fixture.counts()).toEqual(before);
    expect((await me(ann.tokens.access_token)).body.data).toMatchObject({ name: "Ann", date_of_birth: null });
  });
});

describe("PUT /auth/me sets the date of birth once", () => {
  test("set while unset; tokens issued afterwards carry it; the same date again is no change; another date is 409", async () => {
    const ann = await fixture.register();
    const set = await fixture.request("PUT", "/auth/me", { token: ann.tokens.access_token, body: { date_of_birth: "1990-06-15" } });
    expect(set.status).toBe(200);
    expect(set.body.data).toMatchObject({ id: ann.id, name: "Ann", date_of_birth: "1990-06-15" });
    // The token in use does not change; the next one issued carries the date.
    expect(await claimsOf(ann.tokens.access_token)).not.toHaveProperty("birthdate");
    const refreshed = await fixture.post("/auth/refresh", { refresh_token: ann.tokens.refresh_token });
    expect(refreshed.body.data.user.date_of_birth).toBe("1990-06-15");
    const token = refreshed.body.data.tokens.access_token;
    expect((await claimsOf(token)).birthdate).toBe("1990-06-15");
    const audits = (await fixture.audit("auth.date_of_birth_set")).filter((row) => row.entityId === ann.id);
    expect(audits).toHaveLength(1);

    const again = await fixture.request("PUT", "/auth/me", { token, body: { date_of_birth: "1990-06-15", name: "Ann C." } });
    expect(again.status).toBe(200);
    expect(again.body.data).toMatchObject({ name: "Ann C.", date_of_birth: "1990-06-15" });

    // A different date, alone or with a name: refused, and nothing of the request is applied.
    const counts = await fixture.counts();
    for (const body of [{ date_of_birth: "1980-06-15" }, { date_of_birth: "2010-01-01", name: "Young Ann" }]) {
      const refused = await fixture.request("PUT", "/auth/me", { token, body });
      expect(refused.status).toBe(409);
      expect(refused.body.error).toMatchObject({ code: "CONFLICT", details: { field: "date_of_birth" } });
    }
    expect(await fixture.counts()).toEqual(counts);
    expect((await me(token)).body.data).toMatchObject({ name: "Ann C.", date_of_birth: "1990-06-15" });
    expect(await storedDateOf(ann.id)).toBe("1990-06-15");
  });

  test("ten different dates sent at once to an unset profile: exactly one is set, the others are 409", async () => {
    const ann = await fixture.register();
    const dates = Array.from({ length: 10 }, (_, index) => `19${80 + index}-03-0${1 + (index % 9)}`);
    const answers = await Promise.all(
      dates.map((date_of_birth) => fixture.request("PUT", "/auth/me", { token: ann.tokens.access_token, body: { date_of_birth } })),
    );
    const statuses = answers.map((answer) => answer.status).sort();
    expect(statuses).toEqual([200, ...Array(9).fill(409)]);
    const winner = answers.find((answer) => answer.status === 200)!.body.data.date_of_birth;
    expect(dates).toContain(winner);
    expect(await storedDateOf(ann.id)).toBe(winner);
    expect((await fixture.audit("auth.date_of_birth_set")).filter((row) => row.entityId === ann.id)).toHaveLength(1);
  });
});

describe("the date of birth is a buyer's data", () => {
  test("no log line and no audit row carries it; an admin's answer about the user leaves it out", async () => {
    const dateOfBirth = "1977-11-23";
    const ann = await fixture.register({ email: uniqueEmail("private") });
    await fixture.request("PUT", "/auth/me", { token: ann.tokens.access_token, body: { date_of_birth: dateOfBirth } });
    await fixture.request("PUT", "/auth/me", { token: ann.tokens.access_token, body: { date_of_birth: "1978-01-02" } });
    await fixture.post("/auth/register", { email: uniqueEmail(), password: "correct-horse-9", name: "Cy", date_of_birth: dateOfBirth });
    await fixture.post("/auth/register", { email: uniqueEmail(), password: "correct-horse-9", name: "Cy", date_of_birth: "2999-01-01" });
    await fixture.post("/auth/login", { email: ann.email, password: ann.password });
    const { admin, tenant } = await fixture.tenantWithAdmin("dob");
    const member = await fixture.member(tenant.id, "user");
    await fixture.request("PUT", "/auth/me", { token: member.token, body: { date_of_birth: dateOfBirth } });
    const promoted = await fixture.request("PUT", `/admin/users/${member.id}/role`, { token: admin.token, body: { role: "organizer" } });
    expect(promoted.status).toBe(200);
    expect(promoted.body.data).not.toHaveProperty("date_of_birth");

    expect(fixture.lines.length).toBeGreaterThan(0);
    for (const secret of [dateOfBirth, "1978-01-02", "2999-01-01"]) {
      for (const line of fixture.lines) expect(line.includes(secret)).toBe(false);
    }
    const audits = await fixture.db.select().from(auditLogs);
    expect(audits.length).toBeGreaterThan(0);
    expect(JSON.stringify(audits)).not.toContain(dateOfBirth);
  });
});
