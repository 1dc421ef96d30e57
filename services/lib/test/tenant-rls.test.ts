/**
 * Row-level security on the catalog tables, straight through the database role the services use
 * (the tables' owner): what one tenant's session can see and change of another's, without any
 * service code in between.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import * as schema from "@booking-rush/db/schema";
import { createFreshDatabase, type FreshDatabase } from "@booking-rush/test-support/fresh-database";
import { stackConfig, testLogger } from "@booking-rush/test-support/stack-config";
import { eq } from "drizzle-orm";
import { createPostgres, type Postgres } from "../src/clients/postgres";
import { inScope, systemScope } from "../src/data/tenant-scope";

let fresh: FreshDatabase;
let postgres: Postgres;

const hoursFromNow = (hours: number) => new Date(Date.now() + hours * 3_600_000);

async function seedTenant(label: string) {
  return inScope(postgres.db, systemScope, async (tx) => {
    const [tenant] = await tx
      .insert(schema.tenants)
      .values({ name: label, slug: `${label}-${crypto.randomUUID().slice(0, 8)}` })
      .returning();
    const [organizer] = await tx
      .insert(schema.users)
      .values({
        tenantId: tenant!.id,
        email: `${label}-${crypto.randomUUID()}@example.com`,
        passwordHash: "x",
        name: label,
        role: "organizer",
      })
      .returning();
    const event = (status: "draft" | "published") =>
      tx
        .insert(schema.events)
        .values({
          tenantId: tenant!.id,
          organizerId: organizer!.id,
          title: `${label} ${status}`,
          venue: "Hall",
          status,
          publishedAt: status === "published" ? new Date() : null,
          bookingOpensAt: hoursFromNow(-1),
          bookingClosesAt: hoursFromNow(24),
        })
        .returning()
        .then((rows) => rows[0]!);
    const draft = await event("draft");
    const published = await event("published");
    const [show] = await tx
      .insert(schema.shows)
      .values({ eventId: draft.id, startsAt: hoursFromNow(48), endsAt: hoursFromNow(50) })
      .returning();
    const [zone] = await tx
      .insert(schema.seatZones)
      .values({ showId: show!.id, name: "A", kind: "assigned", price: 100, totalSeats: 1, availableSeats: 1 })
      .returning();
    await tx.insert(schema.seats).values({ zoneId: zone!.id, rowLabel: "A", seatNumber: 1 });
    return { tenantId: tenant!.id, organizerId: organizer!.id, draft, published, showId: show!.id, zoneId: zone!.id };
  });
}

let tenantA: Awaited<ReturnType<typeof seedTenant>>;
let tenantB: Awaited<ReturnType<typeof seedTenant>>;

beforeAll(async () => {
  fresh = await createFreshDatabase("tenant_rls");
  postgres = createPostgres({ ...stackConfig.postgres, url: fresh.url }, testLogger);
  tenantA = await seedTenant("alpha");
  tenantB = await seedTenant("beta");
});

afterAll(async () => {
  await postgres?.close();
  await fresh?.drop();
});

const asTenant = (tenantId: string | null) => ({ access: "tenant" as const, tenantId });

describe("row-level security on the catalog tables", () => {
  test("a tenant sees its own drafts and everyone's published events, never another tenant's drafts", async () => {
    const visible = await inScope(postgres.db, asTenant(tenantA.tenantId), (tx) => tx.select({ id: schema.events.id }).from(schema.events));
    const ids = visible.map((row) => row.id);
    expect(ids).toContain(tenantA.draft.id);
    expect(ids).toContain(tenantA.published.id);
    expect(ids).toContain(tenantB.published.id);
    expect(ids).not.toContain(tenantB.draft.id);
  });

  test("the public sees published events only; shows, zones and seats of a draft stay hidden with it", async () => {
    const counts = await inScope(postgres.db, asTenant(null), async (tx) => ({
      events: (await tx.select().from(schema.events)).map((row) => row.status),
      shows: await tx.select().from(schema.shows).where(eq(schema.shows.id, tenantB.showId)),
      zones: await tx.select().from(schema.seatZones).where(eq(schema.seatZones.id, tenantB.zoneId)),
      seats: await tx.select().from(schema.seats).where(eq(schema.seats.zoneId, tenantB.zoneId)),
    }));
    expect(new Set(counts.events)).toEqual(new Set(["published"]));
    expect(counts.shows).toHaveLength(0);
    expect(counts.zones).toHaveLength(0);
    expect(counts.seats).toHaveLength(0);
    const own = await inScope(postgres.db, asTenant(tenantB.tenantId), (tx) =>
      tx.select().from(schema.seats).where(eq(schema.seats.zoneId, tenantB.zoneId)),
    );
    expect(own).toHaveLength(1);
  });

  test("another tenant's rows cannot be changed, deleted or created, even where they are visible", async () => {
    const updated = await inScope(postgres.db, asTenant(tenantA.tenantId), (tx) =>
      tx.update(schema.events).set({ title: "hijacked" }).where(eq(schema.events.id, tenantB.published.id)).returning(),
    );
    expect(updated).toHaveLength(0);
    const deleted = await inScope(postgres.db, asTenant(tenantA.tenantId), (tx) =>
      tx.delete(schema.events).where(eq(schema.events.id, tenantB.draft.id)).returning(),
    );
    expect(deleted).toHaveLength(0);
    const zoneUpdate = await inScope(postgres.db, asTenant(tenantA.tenantId), (tx) =>
      tx.update(schema.seatZones).set({ price: 1 }).where(eq(schema.seatZones.id, tenantB.zoneId)).returning(),
    );
    expect(zoneUpdate).toHaveLength(0);

    const planted = inScope(postgres.db, asTenant(tenantA.tenantId), (tx) =>
      tx.insert(schema.events).values({
        tenantId: tenantB.tenantId,
        organizerId: tenantB.organizerId,
        title: "planted",
        venue: "x",
        bookingOpensAt: hoursFromNow(1),
        bookingClosesAt: hoursFromNow(2),
      }),
    );
    await expect(planted).rejects.toMatchObject({ cause: { code: "42501" } });
    const showPlanted = inScope(postgres.db, asTenant(tenantA.tenantId), (tx) =>
      tx.insert(schema.shows).values({ eventId: tenantB.published.id, startsAt: hoursFromNow(3), endsAt: hoursFromNow(4) }),
    );
    await expect(showPlanted).rejects.toMatchObject({ cause: { code: "42501" } });

    const [event] = await inScope(postgres.db, systemScope, (tx) =>
      tx.select().from(schema.events).where(eq(schema.events.id, tenantB.published.id)),
    );
    expect(event!.title).toBe("beta published");
    const [draft] = await inScope(postgres.db, systemScope, (tx) =>
      tx.select().from(schema.events).where(eq(schema.events.id, tenantB.draft.id)),
    );
    expect(draft).toBeDefined();
  });

  test("a session with no scope at all (a plain connection of the same role) sees no drafts and changes nothing", async () => {
    const drafts = await postgres.sql`select id from events where status = 'draft'`;
    expect(drafts).toHaveLength(0);
    const changed = await postgres.sql`update events set title = 'x' returning id`;
    expect(changed).toHaveLength(0);
  });

  test("a tenant's logo: everyone reads it, only its tenant writes it", async () => {
    const logo = { contentType: "image/png", bytes: new Uint8Array([0x89, 0x50, 0x4e, 0x47]), sha256: "a".repeat(64) };
    await inScope(postgres.db, asTenant(tenantB.tenantId), (tx) =>
      tx.insert(schema.tenantLogos).values({ tenantId: tenantB.tenantId, ...logo }),
    );
    const seen = await inScope(postgres.db, asTenant(null), (tx) =>
      tx
        .select({ tenantId: schema.tenantLogos.tenantId })
        .from(schema.tenantLogos)
        .where(eq(schema.tenantLogos.tenantId, tenantB.tenantId)),
    );
    expect(seen).toHaveLength(1);
    const replaced = await inScope(postgres.db, asTenant(tenantA.tenantId), (tx) =>
      tx
        .update(schema.tenantLogos)
        .set({ sha256: "b".repeat(64) })
        .where(eq(schema.tenantLogos.tenantId, tenantB.tenantId))
        .returning(),
    );
    expect(replaced).toHaveLength(0);
    const removed = await inScope(postgres.db, asTenant(tenantA.tenantId), (tx) =>
      tx.delete(schema.tenantLogos).where(eq(schema.tenantLogos.tenantId, tenantB.tenantId)).returning(),
    );
    expect(removed).toHaveLength(0);
    const planted = inScope(postgres.db, asTenant(tenantB.tenantId), (tx) =>
      tx.insert(schema.tenantLogos).values({ tenantId: tenantA.tenantId, ...logo }),
    );
    await expect(planted).rejects.toMatchObject({ cause: { code: "42501" } });
    const [kept] = await postgres.sql`select sha256 from tenant_logos where tenant_id = ${tenantB.tenantId}`;
    expect(kept!.sha256).toBe("a".repeat(64));
    expect(await postgres.sql`select 1 from tenant_logos where tenant_id = ${tenantA.tenantId}`).toHaveLength(0);
  });
});
