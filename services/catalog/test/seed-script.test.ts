/** scripts/seed.ts as scripts/run runs it (the README's quick start): a real process against a fresh database and the stack's Redis. */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { eventKeys, eventRegistryKey } from "@booking-rush/lib/inventory";
import { type CatalogFixture, catalogFixture } from "@booking-rush/test-support/catalog-fixture";
import { createFreshDatabase, type FreshDatabase } from "@booking-rush/test-support/fresh-database";
import postgres from "postgres";
import { contrastWithWhite } from "../src/branding";

let database: FreshDatabase;
let fixture: CatalogFixture;

beforeAll(async () => {
  database = await createFreshDatabase("seed");
  fixture = await catalogFixture("seed_reader");
});

afterAll(async () => {
  await fixture.close();
  await database.drop();
});

function runSeed() {
  const result = Bun.spawnSync([process.execPath, "run", `${import.meta.dir}/../../../scripts/seed.ts`], {
    env: {
      ...process.env,
      DATABASE_URL: database.url,
      JWT_SECRET: "seed-test-signing-secret-0123456789abcdef",
      DEMO_PASSWORD: "seed-test-password",
    },
    stdout: "pipe",
    stderr: "pipe",
  });
  expect({ exitCode: result.exitCode, stderr: result.stderr.toString() }).toEqual({ exitCode: 0, stderr: "" });
  return JSON.parse(result.stdout.toString());
}

describe("scripts/seed", () => {
  test("creates a tenant, an organizer, an admin and a published event with both kinds of zone; a second run changes nothing", async () => {
    const first = runSeed();
    expect(first).toMatchObject({
      tenant: { slug: "demo-live" },
      organizer: { email: "organizer@demo.local", password: "seed-test-password" },
      admin: { email: "admin@demo.local", password: "seed-test-password" },
    });
    expect(Object.keys(first.zones).sort()).toEqual(["Front Row", "Seated", "Standing"]);
    const redis = fixture.service.store.redis;
    const keys = eventKeys(first.event_id);
    expect(await redis.hget(keys.event, "status")).toBe("published");
    expect(await redis.hmget(keys.zone(first.zones.Standing), "kind", "total")).toEqual(["general", "1000"]);
    expect(await redis.hmget(keys.zone(first.zones.Seated), "kind", "total")).toEqual(["assigned", "30"]);
    expect(await redis.hmget(keys.zone(first.zones["Front Row"]), "kind", "total")).toEqual(["general", "2"]);
    expect(await redis.hget(keys.event, "waitlist_limit")).toBe("50");

    // The demo tenant's colours, readable under white text.
    const sql = postgres(database.url, { max: 1 });
    const [row] = await sql`select name, settings from tenants where slug = 'demo-live'`;
    await sql.end();
    expect(row).toEqual({ name: "Demo Live", settings: { branding: { primary_color: "#6d28d9", accent_color: "#f59e0b" } } });
    expect(contrastWithWhite(row!.settings.branding.primary_color)).toBeGreaterThanOrEqual(4.5);

    const second = runSeed();
    expect(second).toEqual(first);
    await redis.del(...(await redis.keys(`${keys.tag}*`)));
    await redis.srem(eventRegistryKey, first.event_id);
  }, 60_000);
});
