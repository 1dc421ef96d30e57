/**
 * The data model against a real PostgreSQL (DATABASE_URL: a role with CREATEDB). Each run migrates
 * a fresh database with the production migrator and checks what the schema promises: the tables,
 * the drizzle definitions matching the database, the inventory CHECKs, the one-live-booking-per-seat
 * index, never-charge-twice, updated_at triggers and the monthly audit_logs partitions.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { migrateDatabase, migrationsFolder } from "@booking-rush/db/migrate";
import * as schema from "@booking-rush/db/schema";
import { createFreshDatabase, type FreshDatabase } from "@booking-rush/test-support/fresh-database";
import { eq, is } from "drizzle-orm";
import { getTableConfig, PgTable } from "drizzle-orm/pg-core";
import { drizzle } from "drizzle-orm/postgres-js";
import postgres from "postgres";

const repoRoot = join(import.meta.dir, "..", "..", "..");

const EXPECTED_TABLES = [
  "audit_logs",
  "booking_seats",
  "bookings",
  "categories",
  "events",
  "idempotency_records",
  "password_reset_tokens",
  "payments",
  "processed_events",
  "refresh_tokens",
  "refunds",
  "seat_zones",
  "seats",
  "shows",
  "tenant_logos",
  "tenants",
  "users",
  "zone_sync_state",
];

let fresh: FreshDatabase;
let sql: postgres.Sql;
let db: ReturnType<typeof drizzle<typeof schema>>;

beforeAll(async () => {
  fresh = await createFreshDatabase("schema");
  // These tests exercise constraints, not tenancy: they act as the system (row-level security
  // lets a session with app.access = 'system' through; tenant-rls.test.ts covers the policies).
  sql = postgres(fresh.url, { max: 6, onnotice: () => {}, connection: { "app.access": "system" } });
  db = drizzle(sql, { schema });
});

afterAll(async () => {
  await sql?.end({ timeout: 5 });
  await fresh?.drop();
});

// ---------------------------------------------------------------------------------------------
// helpers

/** Awaits work that must fail, and returns PostgreSQL's error (unwrapping drizzle's wrapper). */
async function pgError(work: PromiseLike<unknown>): Promise<postgres.PostgresError> {
  try {
    await work;
  } catch (error) {
    let current: unknown = error;
    while (!(current instanceof postgres.PostgresError) && current instanceof Error && current.cause !== undefined) {
      current = current.cause;
    }
    if (current instanceof postgres.PostgresError) return current;
    throw error;
  }
  throw new Error("expected PostgreSQL to reject the statement, but it succeeded");
}

function first<T>(rows: T[]): T {
  const row = rows[0];
  if (row === undefined) throw new Error("expected a row");
  return row;
}

const unique = () => crypto.randomUUID().slice(0, 8);
const minutesFromNow = (minutes: number) => new Date(Date.now() + minutes * 60_000);

async function tableNames(): Promise<string[]> {
  const rows = await sql<{ relname: string }[]>`
    select c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace
    where n.nspname = 'public' and c.relkind in ('r', 'p') and not c.relispartition
    order by c.relname`;
  return rows.map((row) => row.relname);
}

async function partitionOf(auditId: string): Promise<string> {
  const row = first(await sql<{ partition: string }[]>`select tableoid::regclass::text as partition from audit_logs where id = ${auditId}`);
  return row.partition;
}

const utcMonthName = (date: Date) => `audit_logs_${date.getUTCFullYear()}_${String(date.getUTCMonth() + 1).padStart(2, "0")}`;

/** A tenant, an organizer, a published event and one show. */
async function seedShow() {
  const tenant = first(
    await db
      .insert(schema.tenants)
      .values({ name: "Acme Live", slug: `acme-${unique()}` })
      .returning(),
  );
  const organizer = first(
    await db
      .insert(schema.users)
      .values({ tenantId: tenant.id, email: `org-${unique()}@example.com`, passwordHash: "x", name: "Org", role: "organizer" })
      .returning(),
  );
  const event = first(
    await db
      .insert(schema.events)
      .values({
        tenantId: tenant.id,
        organizerId: organizer.id,
        title: "Flash Sale Live",
        venue: "Impact Arena",
        status: "published",
        publishedAt: new Date(),
        bookingOpensAt: minutesFromNow(-60),
        bookingClosesAt: minutesFromNow(60 * 24),
      })
      .returning(),
  );
  const show = first(
    await db
      .insert(schema.shows)
      .values({ eventId: event.id, startsAt: minutesFromNow(60 * 48), endsAt: minutesFromNow(60 * 51) })
      .returning(),
  );
  return { tenant, organizer, event, show };
}

type ShowContext = Awaited<ReturnType<typeof seedShow>>;

async function insertZone(context: ShowContext, values: Partial<schema.NewSeatZone> = {}) {
  return first(
    await db
      .insert(schema.seatZones)
      .values({ showId: context.show.id, name: `Zone ${unique()}`, price: 250_000, totalSeats: 10, availableSeats: 10, ...values })
      .returning(),
  );
}

async function insertBuyer() {
  return first(
    await db
      .insert(schema.users)
      .values({ email: `buyer-${unique()}@example.com`, passwordHash: "x", name: "Buyer" })
      .returning(),
  );
}

async function insertBooking(context: ShowContext, zone: schema.SeatZone, user: schema.User, values: Partial<schema.NewBooking> = {}) {
  return first(
    await db
      .insert(schema.bookings)
      .values({
        reservationId: crypto.randomUUID(),
        userId: user.id,
        tenantId: context.tenant.id,
        eventId: context.event.id,
        showId: context.show.id,
        zoneId: zone.id,
        status: "reserved",
        quantity: 1,
        unitPrice: zone.price,
        totalAmount: zone.price,
        currency: "THB",
        expiresAt: minutesFromNow(10),
        ...values,
      })
      .returning(),
  );
}

// ---------------------------------------------------------------------------------------------

describe("migrations", () => {
  test("apply on an empty database and create every expected table", async () => {
    expect(await tableNames()).toEqual(EXPECTED_TABLES);

    const journal = JSON.parse(readFileSync(join(migrationsFolder, "meta", "_journal.json"), "utf8")) as { entries: unknown[] };
    const applied = await sql`select hash from drizzle.__drizzle_migrations`;
    expect(applied.length).toBe(journal.entries.length);
    expect(applied.length).toBeGreaterThanOrEqual(2);

    const [partitioned] = await sql<{ partitioned: boolean }[]>`
      select exists (select 1 from pg_partitioned_table where partrelid = 'public.audit_logs'::regclass) as partitioned`;
    expect(partitioned?.partitioned).toBe(true);
  });

  test("applying them again is a no-op", async () => {
    const snapshot = async () => ({
      migrations: await sql`select id, hash, created_at from drizzle.__drizzle_migrations order by id`,
      relations: await sql`
        select c.relname, c.relkind from pg_class c join pg_namespace n on n.oid = c.relnamespace
        where n.nspname = 'public' order by c.relname`,
      constraints: await sql`select conname from pg_constraint where connamespace = 'public'::regnamespace order by conname`,
      triggers: await sql`select tgrelid::regclass::text as rel, tgname from pg_trigger where not tgisinternal order by 1, 2`,
    });
    const before = await snapshot();
    await migrateDatabase(fresh.url);
    expect(await snapshot()).toEqual(before);
  });

  test("two migrators started together on an empty database apply everything exactly once", async () => {
    const empty = await createFreshDatabase("concurrent", { migrate: false });
    try {
      await Promise.all([migrateDatabase(empty.url), migrateDatabase(empty.url), migrateDatabase(empty.url)]);
      const client = postgres(empty.url, { max: 1, onnotice: () => {} });
      try {
        const applied = await client`select count(*)::int as n from drizzle.__drizzle_migrations`;
        const journal = JSON.parse(readFileSync(join(migrationsFolder, "meta", "_journal.json"), "utf8")) as { entries: unknown[] };
        expect(applied[0]?.n).toBe(journal.entries.length);
      } finally {
        await client.end({ timeout: 5 });
      }
    } finally {
      await empty.drop();
    }
  });

  test("every drizzle table definition matches the database column for column", async () => {
    const tables = (Object.values(schema) as unknown[]).filter((value): value is PgTable => is(value, PgTable));
    expect(tables.map((table) => getTableConfig(table).name).sort()).toEqual(EXPECTED_TABLES);

    const rows = await sql<{ table: string; column: string; type: string; not_null: boolean }[]>`
      select c.relname as table, a.attname as column, format_type(a.atttypid, a.atttypmod) as type, a.attnotnull as not_null
      from pg_attribute a
      join pg_class c on c.oid = a.attrelid
      join pg_namespace n on n.oid = c.relnamespace
      where n.nspname = 'public' and c.relkind in ('r', 'p') and not c.relispartition and a.attnum > 0 and not a.attisdropped
      order by 1, 2`;
    const inDatabase = rows.map((row) => `${row.table}.${row.column} ${row.type}${row.not_null ? " not null" : ""}`);
    const inSchema = tables
      .flatMap((table) => {
        const config = getTableConfig(table);
        return config.columns.map((column) => {
          const type = column.getSQLType().replace(/^char\(/, "character(");
          return `${config.name}.${column.name} ${type}${column.notNull ? " not null" : ""}`;
        });
      })
      .sort();
    expect(inSchema).toEqual(inDatabase.sort());
  });

  test("db:migrate without DATABASE_URL prints one clear error and exits 1", async () => {
    const env: Record<string, string | undefined> = { ...process.env };
    delete env.DATABASE_URL;
    const child = Bun.spawn([process.execPath, "drizzle/migrate.ts"], { cwd: repoRoot, env, stdout: "pipe", stderr: "pipe" });
    const [code, stdout, stderr] = await Promise.all([child.exited, new Response(child.stdout).text(), new Response(child.stderr).text()]);
    expect(code).toBe(1);
    expect(stdout).toBe("");
    expect(stderr.trim().split("\n")).toHaveLength(1);
    expect(stderr).toContain("DATABASE_URL is not set");
  });

  test("db:migrate with DATABASE_URL migrates and prints one line", async () => {
    const child = Bun.spawn([process.execPath, "drizzle/migrate.ts"], {
      cwd: repoRoot,
      env: { ...process.env, DATABASE_URL: fresh.url },
      stdout: "pipe",
      stderr: "pipe",
    });
    const [code, stdout] = await Promise.all([child.exited, new Response(child.stdout).text()]);
    expect(code).toBe(0);
    expect(stdout.trim().split("\n")).toHaveLength(1);
    expect(stdout).not.toContain(new URL(fresh.url).password || "\u0000");
  });
});

describe("updated_at", () => {
  test("every table has created_at and updated_at, and every updated_at has the trigger", async () => {
    const missing = await sql<{ relname: string }[]>`
      select c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where n.nspname = 'public' and c.relkind in ('r', 'p') and not c.relispartition
        and c.relname <> 'audit_logs' -- append-only: created_at only, UPDATE is refused
        and (
          not exists (select 1 from pg_attribute a where a.attrelid = c.oid and a.attname = 'created_at' and not a.attisdropped)
          or not exists (select 1 from pg_attribute a where a.attrelid = c.oid and a.attname = 'updated_at' and not a.attisdropped)
          or not exists (select 1 from pg_trigger t where t.tgrelid = c.oid and t.tgname = 'set_updated_at')
        )`;
    expect(missing.map((row) => row.relname)).toEqual([]);
  });

  test("changes on update, and not on an update that changes nothing", async () => {
    const category = first(
      await db
        .insert(schema.categories)
        .values({ name: "Concert", slug: `concert-${unique()}` })
        .returning(),
    );
    expect(category.updatedAt.getTime()).toBe(category.createdAt.getTime());

    await Bun.sleep(15);
    const renamed = first(
      await db.update(schema.categories).set({ name: "Concerts" }).where(eq(schema.categories.id, category.id)).returning(),
    );
    expect(renamed.updatedAt.getTime()).toBeGreaterThan(category.updatedAt.getTime());
    expect(renamed.createdAt.getTime()).toBe(category.createdAt.getTime());

    await Bun.sleep(15);
    const unchanged = first(
      await db.update(schema.categories).set({ name: "Concerts" }).where(eq(schema.categories.id, category.id)).returning(),
    );
    expect(unchanged.updatedAt.getTime()).toBe(renamed.updatedAt.getTime());

    // a raw UPDATE that tries to set updated_at itself still gets the database's time
    // (drizzle() replaces the client's date parsers, so raw queries on it see timestamps as strings)
    const [raw] = await sql<{ updated_at: string }[]>`
      update categories set name = 'Live', updated_at = '2000-01-01' where id = ${category.id} returning updated_at`;
    expect(new Date(raw?.updated_at ?? 0).getTime()).toBeGreaterThan(renamed.updatedAt.getTime());
  });
});

describe("seat_zones inventory CHECKs", () => {
  let context: ShowContext;
  beforeAll(async () => {
    context = await seedShow();
  });

  test("accepts a zone whose counts add up", async () => {
    const zone = await insertZone(context, { totalSeats: 10, availableSeats: 5, soldSeats: 3, reservedSeats: 2 });
    expect(zone).toMatchObject({ totalSeats: 10, availableSeats: 5, soldSeats: 3, reservedSeats: 2, kind: "general_admission" });
  });

  // PostgreSQL checks a table's CHECKs in name order and reports the first failure; each row below
  // breaks the named constraint, and where the invariant forces a second violation, that one sorts later.
  const badRows: { name: string; counts: Partial<schema.NewSeatZone>; constraint: string }[] = [
    {
      name: "available_seats < 0",
      counts: { totalSeats: 10, availableSeats: -1, soldSeats: 8, reservedSeats: 3 },
      constraint: "seat_zones_available_non_negative",
    },
    {
      name: "available_seats > total_seats",
      counts: { totalSeats: 10, availableSeats: 11, soldSeats: 0, reservedSeats: 0 },
      constraint: "seat_zones_available_within_total",
    },
    {
      name: "sold_seats + reserved_seats > total_seats",
      counts: { totalSeats: 10, availableSeats: 0, soldSeats: 6, reservedSeats: 5 },
      constraint: "seat_zones_sold_reserved_within_total",
    },
    {
      name: "available != total - sold - reserved",
      counts: { totalSeats: 10, availableSeats: 5, soldSeats: 2, reservedSeats: 2 },
      constraint: "seat_zones_total_balance",
    },
    {
      name: "a negative bucket",
      counts: { totalSeats: 10, availableSeats: 10, soldSeats: -1, reservedSeats: 1 },
      constraint: "seat_zones_counts_non_negative",
    },
  ];

  for (const { name, counts, constraint } of badRows) {
    test(`rejects ${name} (23514 ${constraint})`, async () => {
      const zoneName = `Bad ${unique()}`;
      const error = await pgError(
        db
          .insert(schema.seatZones)
          .values({ showId: context.show.id, name: zoneName, price: 100, totalSeats: 0, availableSeats: 0, ...counts }),
      );
      expect(error.code).toBe("23514");
      expect(error.constraint_name).toBe(constraint);
      const stored = await db.select().from(schema.seatZones).where(eq(schema.seatZones.name, zoneName));
      expect(stored).toEqual([]);
    });
  }

  test("rejects an UPDATE that would oversell, leaving the row as it was", async () => {
    const zone = await insertZone(context, { totalSeats: 10, availableSeats: 2, soldSeats: 5, reservedSeats: 3 });
    const error = await pgError(sql`
      update seat_zones set available_seats = available_seats - 3, reserved_seats = reserved_seats + 3 where id = ${zone.id}`);
    expect(error.code).toBe("23514");
    expect(error.constraint_name).toBe("seat_zones_available_non_negative");
    const [after] = await db.select().from(schema.seatZones).where(eq(schema.seatZones.id, zone.id));
    expect(after).toMatchObject({ availableSeats: 2, soldSeats: 5, reservedSeats: 3 });

    // the same move within stock goes through
    await sql`update seat_zones set available_seats = available_seats - 2, reserved_seats = reserved_seats + 2 where id = ${zone.id}`;
    const [moved] = await db.select().from(schema.seatZones).where(eq(schema.seatZones.id, zone.id));
    expect(moved).toMatchObject({ availableSeats: 0, soldSeats: 5, reservedSeats: 5 });
  });
});

describe("booking_seats: one seat, at most one live booking", () => {
  let context: ShowContext;
  let zone: schema.SeatZone;
  let seatList: schema.Seat[];
  beforeAll(async () => {
    context = await seedShow();
    zone = await insertZone(context, { kind: "assigned", totalSeats: 20, availableSeats: 20 });
    seatList = await db
      .insert(schema.seats)
      .values(Array.from({ length: 5 }, (_, index) => ({ zoneId: zone.id, rowLabel: "A", seatNumber: index + 1 })))
      .returning();
  });
  const seat = (index: number) => {
    const found = seatList[index];
    if (!found) throw new Error(`no seat ${index}`);
    return found;
  };

  test("rejects a seat held by a reserved, then confirmed booking; allows it once that booking is cancelled", async () => {
    const holder = await insertBooking(context, zone, await insertBuyer());
    const rival = await insertBooking(context, zone, await insertBuyer());
    await db.insert(schema.bookingSeats).values({ bookingId: holder.id, seatId: seat(0).id });

    const whileReserved = await pgError(db.insert(schema.bookingSeats).values({ bookingId: rival.id, seatId: seat(0).id }));
    expect(whileReserved.code).toBe("23505");
    expect(whileReserved.constraint_name).toBe("booking_seats_live_seat_key");

    await db.update(schema.bookings).set({ status: "confirmed", confirmedAt: new Date() }).where(eq(schema.bookings.id, holder.id));
    const whileConfirmed = await pgError(db.insert(schema.bookingSeats).values({ bookingId: rival.id, seatId: seat(0).id }));
    expect(whileConfirmed.code).toBe("23505");
    expect(whileConfirmed.constraint_name).toBe("booking_seats_live_seat_key");

    await db.update(schema.bookings).set({ status: "cancelled", cancelledAt: new Date() }).where(eq(schema.bookings.id, holder.id));
    const [released] = await db.select().from(schema.bookingSeats).where(eq(schema.bookingSeats.bookingId, holder.id));
    expect(released?.releasedAt).toBeInstanceOf(Date);

    const taken = first(
      await db
        .insert(schema.bookingSeats)
        .values({ bookingId: rival.id, seatId: seat(0).id })
        .returning(),
    );
    expect(taken.releasedAt).toBeNull();
  });

  test("allows the seat again once the holding booking has expired", async () => {
    const holder = await insertBooking(context, zone, await insertBuyer());
    const rival = await insertBooking(context, zone, await insertBuyer());
    await db.insert(schema.bookingSeats).values({ bookingId: holder.id, seatId: seat(1).id });
    expect((await pgError(db.insert(schema.bookingSeats).values({ bookingId: rival.id, seatId: seat(1).id }))).code).toBe("23505");

    await sql`update bookings set status = 'expired', expired_at = now() where id = ${holder.id}`;
    await db.insert(schema.bookingSeats).values({ bookingId: rival.id, seatId: seat(1).id });
    const live = await sql`select booking_id from booking_seats where seat_id = ${seat(1).id} and released_at is null`;
    expect(live.map((row) => row.booking_id)).toEqual([rival.id]);
  });

  test("a seat added to an already expired booking (a late event) is born released and blocks nobody", async () => {
    const late = await insertBooking(context, zone, await insertBuyer(), { status: "expired", expiredAt: new Date() });
    const row = first(
      await db
        .insert(schema.bookingSeats)
        .values({ bookingId: late.id, seatId: seat(2).id })
        .returning(),
    );
    expect(row.releasedAt).toBeInstanceOf(Date);
    const buyer = await insertBooking(context, zone, await insertBuyer());
    await db.insert(schema.bookingSeats).values({ bookingId: buyer.id, seatId: seat(2).id });
  });

  test("of many concurrent bookings for one seat, exactly one gets it", async () => {
    const contenders = await Promise.all(Array.from({ length: 8 }, async () => insertBooking(context, zone, await insertBuyer())));
    const results = await Promise.allSettled(
      contenders.map((booking) => sql`insert into booking_seats (booking_id, seat_id) values (${booking.id}, ${seat(3).id})`),
    );
    expect(results.filter((result) => result.status === "fulfilled")).toHaveLength(1);
    for (const result of results) {
      if (result.status === "rejected") expect((result.reason as postgres.PostgresError).code).toBe("23505");
    }
  });
});

describe("payments: never charge twice", () => {
  let context: ShowContext;
  let zone: schema.SeatZone;
  beforeAll(async () => {
    context = await seedShow();
    zone = await insertZone(context);
  });

  const newPayment = (booking: schema.Booking, values: Partial<schema.NewPayment> = {}) =>
    db
      .insert(schema.payments)
      .values({
        bookingId: booking.id,
        userId: booking.userId,
        amount: booking.totalAmount,
        currency: booking.currency,
        method: "card",
        ...values,
      })
      .returning();

  test("a second non-failed payment for one booking is rejected; a failed one can be retried", async () => {
    const booking = await insertBooking(context, zone, await insertBuyer());
    const firstAttempt = first(await newPayment(booking, { idempotencyKey: unique() }));
    expect(firstAttempt.status).toBe("pending");

    const duplicate = await pgError(newPayment(booking, { idempotencyKey: unique() }));
    expect(duplicate.code).toBe("23505");
    expect(duplicate.constraint_name).toBe("payments_booking_id_active_key");

    await db
      .update(schema.payments)
      .set({ status: "failed", failedAt: new Date(), failureReason: "card declined" })
      .where(eq(schema.payments.id, firstAttempt.id));
    const retry = first(await newPayment(booking, { idempotencyKey: unique(), status: "processing" }));

    await db.update(schema.payments).set({ status: "succeeded", succeededAt: new Date() }).where(eq(schema.payments.id, retry.id));
    const afterSuccess = await pgError(newPayment(booking, { idempotencyKey: unique() }));
    expect(afterSuccess.constraint_name).toBe("payments_booking_id_active_key");

    await db.update(schema.payments).set({ status: "refunded", refundedAt: new Date() }).where(eq(schema.payments.id, retry.id));
    const afterRefund = await pgError(newPayment(booking, { idempotencyKey: unique() }));
    expect(afterRefund.constraint_name).toBe("payments_booking_id_active_key");

    const rows = await db.select().from(schema.payments).where(eq(schema.payments.bookingId, booking.id));
    expect(rows.map((row) => row.status).sort()).toEqual(["failed", "refunded"]);
  });

  test("of concurrent payment requests for one booking, exactly one is recorded", async () => {
    const booking = await insertBooking(context, zone, await insertBuyer());
    const results = await Promise.allSettled(Array.from({ length: 6 }, () => newPayment(booking, { idempotencyKey: unique() })));
    expect(results.filter((result) => result.status === "fulfilled")).toHaveLength(1);
  });

  test("the same Idempotency-Key from the same user names one payment", async () => {
    const buyer = await insertBuyer();
    const key = unique();
    await newPayment(await insertBooking(context, zone, buyer), { idempotencyKey: key });
    const error = await pgError(newPayment(await insertBooking(context, zone, buyer), { idempotencyKey: key }));
    expect(error.code).toBe("23505");
    expect(error.constraint_name).toBe("payments_user_id_idempotency_key_key");
  });
});

describe("audit_logs partitions", () => {
  const insertAudit = async (createdAt: Date | string) => {
    const [row] = await sql<{ id: string; partition: string }[]>`
      insert into audit_logs (created_at, action, entity_type, entity_id)
      values (${createdAt instanceof Date ? createdAt.toISOString() : createdAt}, 'test.event', 'test', ${unique()})
      returning id, tableoid::regclass::text as partition`;
    if (!row) throw new Error("no row");
    return row;
  };

  test("the migration created the current UTC month and the next three", async () => {
    const now = new Date();
    const expected = [0, 1, 2, 3].map((offset) => utcMonthName(new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + offset, 1))));
    const rows = await sql<{ name: string }[]>`
      select c.relname as name from pg_inherits i join pg_class c on c.oid = i.inhrelid
      where i.inhparent = 'public.audit_logs'::regclass order by 1`;
    expect(rows.map((row) => row.name)).toEqual([...expected, "audit_logs_default"].sort());
  });

  test("rows land in their month's partition (typed insert through drizzle too)", async () => {
    const now = new Date();
    const typed = first(
      await db
        .insert(schema.auditLogs)
        .values({
          action: "booking.created",
          entityType: "booking",
          entityId: crypto.randomUUID(),
          after: { quantity: 2 },
          ip: "203.0.113.7",
        })
        .returning(),
    );
    expect(await partitionOf(typed.id)).toBe(utcMonthName(typed.createdAt));
    expect(typed.ip).toBe("203.0.113.7");

    const nextMonth = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 15, 12));
    expect((await insertAudit(nextMonth)).partition).toBe(utcMonthName(nextMonth));
  });

  test("create_audit_log_partitions creates future months, is idempotent, and uses UTC bounds in any session time zone", async () => {
    const already = await sql<{ created: number }[]>`select create_audit_log_partitions((now() at time zone 'utc')::date, 4) as created`;
    expect(already[0]?.created).toBe(0);

    const created = await sql.begin(async (tx) => {
      await tx`set local timezone = 'America/New_York'`;
      return tx<{ created: number }[]>`select create_audit_log_partitions('2031-01-15', 3) as created`;
    });
    expect(created[0]?.created).toBe(3);
    const again = await sql<{ created: number }[]>`select create_audit_log_partitions('2031-01-01', 3) as created`;
    expect(again[0]?.created).toBe(0);

    const placed = await sql.begin(async (tx) => {
      await tx`set local timezone = 'Asia/Bangkok'`;
      const rows: string[] = [];
      for (const at of ["2031-01-31 23:59:59.999+00", "2031-02-01 00:00:00+00", "2031-02-01 06:30:00+07", "2031-03-31 23:00:00+00"]) {
        const [row] = await tx<{ partition: string }[]>`
          insert into audit_logs (created_at, action, entity_type) values (${at}, 'test.boundary', 'test')
          returning tableoid::regclass::text as partition`;
        rows.push(row?.partition ?? "");
      }
      return rows;
    });
    expect(placed).toEqual(["audit_logs_2031_01", "audit_logs_2031_02", "audit_logs_2031_01", "audit_logs_2031_03"]);
  });

  test("a row far in the future goes to the default partition instead of failing", async () => {
    expect((await insertAudit("2100-06-01T00:00:00Z")).partition).toBe("audit_logs_default");
  });

  test("creating a partition later moves the default partition's rows for that month into it", async () => {
    const early = await insertAudit("2035-06-10T08:00:00Z");
    const outside = await insertAudit("2035-07-02T08:00:00Z");
    expect(early.partition).toBe("audit_logs_default");

    const [result] = await sql<{ created: number }[]>`select create_audit_log_partitions('2035-06-01', 1) as created`;
    expect(result?.created).toBe(1);
    expect(await partitionOf(early.id)).toBe("audit_logs_2035_06");
    expect(await partitionOf(outside.id)).toBe("audit_logs_default");

    // the moved partition is a full member: indexes and the immutability trigger came along
    const indexes = await sql`select indexname from pg_indexes where tablename = 'audit_logs_2035_06'`;
    expect(indexes.length).toBe(4);
    expect((await pgError(sql`update audit_logs set action = 'x' where id = ${early.id}`)).code).toBe("55000");
  });

  test("audit rows are immutable", async () => {
    const row = await insertAudit(new Date());
    const error = await pgError(sql`update audit_logs set action = 'tampered' where id = ${row.id}`);
    expect(error.code).toBe("55000");
    expect(error.message).toContain("immutable");
  });

  test("rejects a negative month count", async () => {
    expect((await pgError(sql`select create_audit_log_partitions('2031-01-01', -1)`)).code).toBe("22023");
  });
});
