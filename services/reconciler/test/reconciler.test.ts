/**
 * The reconciler on the real pipeline: catalog publishes, buyers reserve and confirm through the
 * booking service, the relay and the projector bring it to PostgreSQL; then the reconciler compares
 * every zone at the same sequence and repairs or rebuilds Redis under the lock's fencing token.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { inventoryAdminRoutes } from "@booking-rush/booking/admin-routes";
import * as schema from "@booking-rush/db/schema";
import { createAccessControl, signAccessToken } from "@booking-rush/lib/auth";
import { StaleLockError } from "@booking-rush/lib/clients";
import { loadConfig } from "@booking-rush/lib/config";
import { bookingTopics, inventoryDiscrepancyTopic } from "@booking-rush/lib/contracts";
import { createHttpApp } from "@booking-rush/lib/http";
import {
  bookingEventKey,
  eventKeys,
  reconcilerDiscrepancyKey,
  reconcilerLastSuccessKey,
  userBookingsKey,
} from "@booking-rush/lib/inventory";
import { createLogger, createMetrics } from "@booking-rush/lib/observability";
import { createProjector } from "@booking-rush/projector/projector-consumer";
import { createProjectorMetrics } from "@booking-rush/projector/projector-metrics";
import { type BookingFixture, bookingFixture, confirmPaid, post, tokenFor } from "@booking-rush/test-support/booking-fixture";
import { type CatalogFixture, catalogFixture, draftWithZones, testAuth } from "@booking-rush/test-support/catalog-fixture";
import { groupAtEnd } from "@booking-rush/test-support/fresh-group";
import { collectMessages } from "@booking-rush/test-support/kafka-collector";
import { seriesValue } from "@booking-rush/test-support/metrics-text";
import { commandsOnKeys } from "@booking-rush/test-support/redis-monitor";
import { startTestRelay, testKafka } from "@booking-rush/test-support/relay-fixture";
import { countRowsRead } from "@booking-rush/test-support/rows-read";
import { stackConfig, testLogger } from "@booking-rush/test-support/stack-config";
import { zoneCaughtUp } from "@booking-rush/test-support/zone-sides";
import { eq } from "drizzle-orm";
import { reconcileEvent, type ZoneReport } from "../src/reconcile";
import { createReconciler } from "../src/reconciler-clients";
import { reconcilerSettings } from "../src/reconciler-settings";
import { reconcileAll } from "../src/run";

let catalog: CatalogFixture;
let booking: BookingFixture;
let reconciler: ReturnType<typeof createReconciler>;
let projectorGroupId: string;
const warnings: string[] = [];
const stops: (() => Promise<unknown>)[] = [];

beforeAll(async () => {
  catalog = await catalogFixture("reconciler");
  // The booking service reads the same database, where its stock sampler finds the events' zones.
  booking = await bookingFixture({}, { databaseUrl: catalog.database.url });
  const relay = startTestRelay(booking.redis);
  projectorGroupId = await groupAtEnd(testKafka, "reconciler-projector", bookingTopics);
  const projector = createProjector(
    { kafka: testKafka, db: catalog.db, logger: testLogger, metrics: createProjectorMetrics(createMetrics("reconciler-projector")) },
    {
      groupId: projectorGroupId,
      batchSize: 500,
      flushIntervalMs: 50,
      reorderWaitMs: 2_000,
      deadLetterTopic: `projector.dead-letter.test-${crypto.randomUUID()}`,
      topics: stackConfig.kafka.topics,
    },
  );
  await projector.start();
  const logger = createLogger({ service: "reconciler-test", level: "warn", write: (line) => warnings.push(line) });
  reconciler = createReconciler(
    {
      redis: stackConfig.redis,
      redlock: stackConfig.redlock,
      postgres: { ...stackConfig.postgres, url: catalog.database.url },
      kafka: stackConfig.kafka,
      reconciler: { ...loadConfig({ reconciler: reconcilerSettings }, {}).reconciler, lagWaitMs: 20_000, lagPollMs: 100, projectorGroupId },
      booking: { recordTtlSeconds: 600, holdMs: 600_000 },
    },
    logger,
  );
  stops.push(
    () => relay.stop(),
    () => projector.stop(),
  );
});

afterAll(async () => {
  for (const stop of stops) await stop();
  await reconciler.close();
  await booking.close();
  await catalog.close();
});

async function buyer() {
  const [user] = await catalog.buyers(1, "rec");
  return { id: user!.id, token: await tokenFor(user!.id) };
}

/** A published sale with some holds and some sold, PostgreSQL caught up with Redis. */
async function settledSale(holds: number, confirmed: number, eventFields: Record<string, unknown> = {}) {
  const acme = await catalog.tenant("acme");
  const sale = await draftWithZones(catalog, acme.organizerToken, eventFields);
  expect((await catalog.request("POST", `/events/${sale.event.id}/publish`, acme.organizerToken)).status).toBe(200);
  const made: { bookingId: string; token: string; seq: number }[] = [];
  for (let index = 0; index < holds; index += 1) {
    const who = await buyer();
    const hold = await post(booking, "/bookings/reserve", who.token, { show_id: sale.show.id, zone_id: sale.general.id, quantity: 1 });
    expect(hold.status).toBe(201);
    made.push({ bookingId: hold.body.data.booking_id, token: who.token, seq: 0 });
  }
  for (const hold of made.slice(0, confirmed)) expect((await confirmPaid(booking, hold.bookingId, crypto.randomUUID())).status).toBe(200);
  const seated = await post(booking, "/bookings/reserve", (await buyer()).token, {
    show_id: sale.show.id,
    seat_ids: [(await seatIds(sale.assigned.id))[0]],
  });
  expect(seated.status).toBe(201);
  await zoneCaughtUp(booking.redis, catalog, sale.event.id, sale.general.id);
  await zoneCaughtUp(booking.redis, catalog, sale.event.id, sale.assigned.id);
  return { ...sale, holds: made, tenant: acme };
}

async function seatIds(zoneId: string) {
  const rows = await catalog.asSystem((tx) => tx.select({ id: schema.seats.id }).from(schema.seats).where(eq(schema.seats.zoneId, zoneId)));
  return rows.map((row) => row.id).sort();
}

type Sale = Awaited<ReturnType<typeof settledSale>>;

/**
 * Buyers waiting in one zone of the sale (the general one unless told), on both sides as the
 * booking service's reserve with join_waitlist and the projector leave them, at the zone's current
 * seq (both sides stay at it): in Redis each place's record, the zone's waitlist (ticket =
 * position), waitlisters, waitlisted, waitlist_seq and the buyer's tickets; in PostgreSQL a
 * waitlisted row with its position.
 */
async function waitingPlaces(sale: Sale, quantities: number[], zone: { id: string; price: number } = sale.general) {
  const keys = eventKeys(sale.event.id);
  const zoneId = zone.id;
  const seq = Number(await booking.redis.hget(keys.zone(zoneId), "seq"));
  const closesAtMs = Number(await booking.redis.hget(keys.event, "closes_at_ms"));
  const places: { bookingId: string; userId: string; token: string; quantity: number; position: number; createdAtMs: number }[] = [];
  for (const [index, quantity] of quantities.entries()) {
    const who = await buyer();
    const place = {
      bookingId: crypto.randomUUID(),
      userId: who.id,
      token: who.token,
      quantity,
      position: index + 1,
      createdAtMs: Date.now(),
    };
    await booking.redis
      .multi()
      .hset(keys.booking(place.bookingId), {
        booking_id: place.bookingId,
        user_id: who.id,
        event_id: sale.event.id,
        show_id: sale.show.id,
        zone_id: zoneId,
        quantity,
        status: "waitlisted",
        created_at_ms: place.createdAtMs,
        expires_at_ms: closesAtMs,
        waitlist_position: place.position,
        hold_ms: reconciler.options.holdMs,
        seq,
        seat_ids: "",
      })
      .zadd(keys.zoneWaitlist(zoneId), place.position, place.bookingId)
      .hset(keys.zoneWaitlisters(zoneId), who.id, place.bookingId)
      .hincrby(keys.userTickets, who.id, quantity)
      .hset(keys.zone(zoneId), "waitlisted", index + 1, "waitlist_seq", place.position)
      .exec();
    await catalog.asSystem((tx) =>
      tx.insert(schema.bookings).values({
        reservationId: place.bookingId,
        userId: who.id,
        tenantId: sale.tenant.tenantId,
        eventId: sale.event.id,
        showId: sale.show.id,
        zoneId,
        status: "waitlisted",
        quantity,
        unitPrice: zone.price,
        totalAmount: zone.price * quantity,
        currency: "THB",
        expiresAt: new Date(closesAtMs),
        waitlistPosition: place.position,
        seq,
        createdAt: new Date(place.createdAtMs),
      }),
    );
    places.push(place);
  }
  return places;
}

/** The sale's assigned zone (5 seats, 1 held by settledSale) full: one more buyer holds the other 4; PostgreSQL caught up. */
async function fillAssigned(sale: Sale) {
  const seats = await seatIds(sale.assigned.id);
  const free = [];
  for (const seat of seats)
    if ((await booking.redis.hget(eventKeys(sale.event.id).zoneSeats(sale.assigned.id), seat)) === "") free.push(seat);
  expect(free.length).toBe(4);
  const full = await post(booking, "/bookings/reserve", (await buyer()).token, { show_id: sale.show.id, seat_ids: free });
  expect(full.status).toBe(201);
  await zoneCaughtUp(booking.redis, catalog, sale.event.id, sale.assigned.id);
  return sale.assigned.id as string;
}

/** The booking service's admin endpoints (inventory-status, sync-inventory) on the test's reconciler. */
function adminClient() {
  const app = createHttpApp(
    {
      service: { name: "admin-test", corsOrigins: "*" },
      logger: testLogger,
      metrics: createMetrics("admin-test"),
      readiness: { checks: {}, draining: false },
    },
    [inventoryAdminRoutes(reconciler, createAccessControl(testAuth, { redis: booking.redis, db: catalog.db, logger: testLogger }))],
  );
  return async (method: string, path: string, token: string, body?: unknown) => {
    const response = await app.handle(
      new Request(`http://localhost/api/v1${path}`, {
        method,
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
        ...(body ? { body: JSON.stringify(body) } : {}),
      }),
    );
    // biome-ignore lint/suspicious/noExplicitAny: assertions inspect the shape
    return { status: response.status, body: (await response.json()) as any };
  };
}

/** Every key of the event, dumped: a byte-for-byte picture of its Redis state. */
async function eventDump(eventId: string) {
  const keys = (await booking.redis.keys(`${eventKeys(eventId).tag.replace("{", "\\{").replace("}", "\\}")}*`)).sort();
  const dumps = await Promise.all(keys.map((key) => booking.redis.dumpBuffer(key)));
  return keys.map((key, index) => `${key}=${dumps[index]?.toString("hex")}`);
}

const zoneRows = (zoneId: string) => catalog.asSystem((tx) => tx.select().from(schema.seatZones).where(eq(schema.seatZones.id, zoneId)));
const run = (eventId: string, extra: Partial<typeof reconciler.options> = {}) =>
  reconcileEvent(reconciler.dependencies, eventId, { ...reconciler.options, ...extra });
const outcomeOf = (reports: ZoneReport[], zoneId: string) => reports.find((report) => report.zoneId === zoneId)?.outcome;

/** The booking service's /metrics, as Prometheus scrapes it, once its background samples are fresh. */
async function bookingExport() {
  expect(await booking.metrics.refreshSamples()).toBe(true);
  const response = await booking.app.handle(new Request("http://localhost/metrics"));
  expect(response.status).toBe(200);
  return response.text();
}

describe("reconciler", () => {
  test("a run that does not fail leaves its time in Redis, exported by the booking service as reconciler_last_success_timestamp_seconds; a failed run leaves it as it was", async () => {
    const sale = await settledSale(2, 1);
    await booking.redis.del(reconcilerLastSuccessKey);
    const lastSuccess = async () => seriesValue(await bookingExport(), "reconciler_last_success_timestamp_seconds", "");
    const runs = async (result: string) => seriesValue(await bookingExport(), "reconciler_runs_total", `result="${result}"`);
    expect(await lastSuccess()).toBe(0);

    const before = Math.floor(Date.now() / 1000);
    const cleanBefore = await runs("clean");
    expect((await reconcileAll(reconciler.dependencies, { ...reconciler.options, eventIds: [sale.event.id] })).result).toBe("clean");
    expect(await runs("clean")).toBe(cleanBefore! + 1);
    const recorded = Number(await booking.redis.get(reconcilerLastSuccessKey));
    expect(recorded).toBeGreaterThanOrEqual(before);
    expect(recorded).toBeLessThanOrEqual(Math.ceil(Date.now() / 1000));
    expect(await lastSuccess()).toBe(recorded);

    // An event id PostgreSQL refuses: the run fails, is counted, and the last success stays.
    await booking.redis.set(reconcilerLastSuccessKey, "1000");
    const failedBefore = await runs("failed");
    expect((await reconcileAll(reconciler.dependencies, { ...reconciler.options, eventIds: ["not-a-uuid"] })).result).toBe("failed");
    expect(await runs("failed")).toBe(failedBefore! + 1);
    expect(await booking.redis.get(reconcilerLastSuccessKey)).toBe("1000");
    expect(await lastSuccess()).toBe(1000);
  }, 120_000);

  test("clean: every zone equal at the same sequence, reported clean, nothing written (byte for byte)", async () => {
    const sale = await settledSale(4, 2);
    const before = await eventDump(sale.event.id);
    const reports = await run(sale.event.id);
    expect(reports.map((report) => report.outcome)).toEqual(["clean", "clean"]);
    expect(await eventDump(sale.event.id)).toEqual(before);
    expect(await booking.redis.exists(eventKeys(sale.event.id).fence)).toBe(0);
  }, 120_000);

  test("cost: a pass over zones that agree reads no booking but the waiting ones, no seat or hold, in PostgreSQL or in Redis", async () => {
    const sale = await settledSale(6, 2);
    const keys = eventKeys(sale.event.id);
    await waitingPlaces(sale, [1, 2]);
    const counter = await countRowsRead(catalog.db, ["bookings", "booking_seats", "processed_events"]);
    try {
      const { value: pass, rows } = await counter.during(() => commandsOnKeys(booking.redis, keys.tag, () => run(sale.event.id)));
      expect(pass.value.map((report) => report.outcome)).toEqual(["clean", "clean"]);
      // PostgreSQL: the zones' counters and watermarks, per zone the one row of its highest seq, and
      // its waiting bookings (counted in their partial index: none of the holds and sales).
      expect(rows.bookings).toBeLessThanOrEqual(2);
      expect(rows.booking_seats).toBe(0);
      expect(rows.processed_events).toBeLessThanOrEqual(2);
      // Redis: the event and each zone's counters; no booking record, not the expiry set.
      const holdReads = pass.commands.filter((command) =>
        command.some((arg) => arg.startsWith(`${keys.tag}:booking:`) || arg === keys.expiry),
      );
      expect(holdReads).toEqual([]);
      expect(pass.commands.filter(([name]) => name === "hmget").map(([, key]) => key)).toEqual(
        expect.arrayContaining([keys.zone(sale.general.id), keys.zone(sale.assigned.id)]),
      );
    } finally {
      await counter.stop();
    }
  }, 120_000);

  test("drift (a counter edited by hand): detected, alerted, repaired in Redis; PostgreSQL untouched", async () => {
    const sale = await settledSale(5, 2);
    const keys = eventKeys(sale.event.id);
    await booking.redis.hincrby(keys.zone(sale.general.id), "sold", 3);
    await booking.redis.hincrby(keys.zone(sale.general.id), "reserved", -1);
    const postgresBefore = await zoneRows(sale.general.id);

    // A general-admission zone's repair needs PostgreSQL's counts only: no booking row is read.
    const counter = await countRowsRead(catalog.db, ["bookings"]);
    const { value: reports, rows } = await counter.during(() => run(sale.event.id)).finally(() => counter.stop());
    expect(rows.bookings).toBe(0);
    const general = reports.find((report) => report.zoneId === sale.general.id)!;
    expect(general).toMatchObject({
      verdict: "drift",
      outcome: "repaired",
      redis: { sold: 5, reserved: 2 },
      postgres: { sold: 2, reserved: 3 },
    });
    expect(outcomeOf(reports, sale.assigned.id)).toBe("clean");
    expect(await booking.redis.hmget(keys.zone(sale.general.id), "sold", "reserved")).toEqual(["2", "3"]);
    expect(await zoneRows(sale.general.id)).toEqual(postgresBefore);

    // Alerted three ways: the log, the gauge (recorded in Redis, exported by the booking service), the event.
    expect(warnings.some((line) => line.includes("inventory discrepancy") && line.includes(sale.general.id))).toBe(true);
    expect(seriesValue(await bookingExport(), "inventory_discrepancy", `zone="${sale.general.id}"`)).toBe(4);
    expect(seriesValue(await bookingExport(), "inventory_discrepancy", `zone="${sale.assigned.id}"`)).toBe(0);
    const collector = await collectMessages(testKafka, [sale.event.id], [inventoryDiscrepancyTopic]);
    try {
      const alerts = await collector.caughtUp();
      expect(alerts.map((alert) => alert.body.data)).toEqual([
        expect.objectContaining({ zone_id: sale.general.id, verdict: "drift", outcome: "repaired" }),
      ]);
    } finally {
      await collector.stop();
    }
    // The next run finds it clean.
    expect(outcomeOf(await run(sale.event.id), sale.general.id)).toBe("clean");
  }, 120_000);

  test("a once run as the CronJob runs it: its counts and a drifted zone's discrepancy are left in Redis and exported by the booking service", async () => {
    const sale = await settledSale(3, 1);
    const keys = eventKeys(sale.event.id);
    const once = async () => {
      const child = Bun.spawn([process.execPath, `${import.meta.dir}/../bin/reconciler.ts`], {
        env: {
          ...process.env,
          DATABASE_URL: catalog.database.url,
          RECONCILER_MODE: "once",
          RECONCILER_EVENT_IDS: sale.event.id,
          RECONCILER_LAG_WAIT_MS: "0",
          RECONCILER_PROJECTOR_GROUP_ID: projectorGroupId,
          LOG_LEVEL: "warn",
        },
        stdout: "ignore",
        stderr: "pipe",
      });
      const [code, stderr] = await Promise.race([
        Promise.all([child.exited, new Response(child.stderr).text()]),
        Bun.sleep(60_000).then(() => {
          child.kill();
          throw new Error("the once run did not end within 60 s");
        }),
      ]);
      return { code, stderr };
    };
    const runs = async (result: string) => seriesValue(await bookingExport(), "reconciler_runs_total", `result="${result}"`)!;
    const zones = async (outcome: string) => seriesValue(await bookingExport(), "reconciler_zones_total", `outcome="${outcome}"`)!;

    const cleanBefore = await runs("clean");
    const cleanZonesBefore = await zones("clean");
    const clean = await once();
    expect(clean.code, clean.stderr).toBe(0);
    expect(await runs("clean")).toBe(cleanBefore + 1);
    expect(await zones("clean")).toBeGreaterThanOrEqual(cleanZonesBefore + 2);
    expect(seriesValue(await bookingExport(), "inventory_discrepancy", `zone="${sale.general.id}"`)).toBe(0);

    // Drift: 2 seats sold that PostgreSQL never saw.
    await booking.redis.hincrby(keys.zone(sale.general.id), "sold", 2);
    const repairedBefore = await runs("repaired");
    const repaired = await once();
    expect(repaired.code, repaired.stderr).toBe(2);
    expect(await runs("repaired")).toBe(repairedBefore + 1);
    expect(seriesValue(await bookingExport(), "inventory_discrepancy", `zone="${sale.general.id}"`)).toBe(2);
    expect(seriesValue(await bookingExport(), "inventory_discrepancy", `zone="${sale.assigned.id}"`)).toBe(0);
    // The record expires unless a later reconciliation replaces it.
    const ttl = await booking.redis.ttl(reconcilerDiscrepancyKey(sale.event.id));
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(reconciler.options.discrepancyTtlSeconds);

    // The next run finds it repaired: clean again, and the discrepancy back to 0.
    const again = await once();
    expect(again.code, again.stderr).toBe(0);
    expect(await runs("clean")).toBe(cleanBefore + 2);
    expect(seriesValue(await bookingExport(), "inventory_discrepancy", `zone="${sale.general.id}"`)).toBe(0);
  }, 180_000);

  test("concurrent runs on a drifted zone: one repairs, the others wait and find it clean", async () => {
    const sale = await settledSale(3, 1);
    const keys = eventKeys(sale.event.id);
    await booking.redis.hincrby(keys.zone(sale.general.id), "sold", 2);
    const runs = await Promise.all([run(sale.event.id), run(sale.event.id), run(sale.event.id)]);
    const outcomes = runs.map((reports) => outcomeOf(reports, sale.general.id)).sort();
    expect(outcomes).toEqual(["clean", "clean", "repaired"]);
    expect(await booking.redis.hget(keys.zone(sale.general.id), "sold")).toBe("1");
  }, 120_000);

  test("a holder paused past its lock's TTL cannot write: its fencing token is refused, the new holder's repair stands", async () => {
    const sale = await settledSale(3, 1);
    const keys = eventKeys(sale.event.id);
    await booking.redis.hincrby(keys.zone(sale.general.id), "sold", 5);
    let second: { exitCode: number; stderr: string } | undefined;
    const paused = run(sale.event.id, {
      lock: { ttlMs: 1_000, waitMs: 5_000 },
      beforeWrite: () => {
        // A stop-the-world pause: this process's event loop cannot extend its lock while another
        // reconciler process waits for it, takes it over and repairs. (spawnSync blocks the loop.)
        const child = Bun.spawnSync([process.execPath, `${import.meta.dir}/../bin/reconciler.ts`], {
          env: {
            ...process.env,
            DATABASE_URL: catalog.database.url,
            RECONCILER_EVENT_IDS: sale.event.id,
            RECONCILER_LAG_WAIT_MS: "0",
            RECONCILER_PROJECTOR_GROUP_ID: projectorGroupId,
            LOG_LEVEL: "warn",
          },
          stdout: "pipe",
          stderr: "pipe",
        });
        second = { exitCode: child.exitCode, stderr: child.stderr.toString() };
      },
    });
    const pausedError = await paused.then(
      () => undefined,
      (error) => error,
    );
    expect(pausedError).toBeInstanceOf(StaleLockError);
    expect(second?.exitCode).toBe(2); // repaired
    expect(Number(await booking.redis.get(keys.fence))).toBe(2);
    expect(await booking.redis.hget(keys.zone(sale.general.id), "sold")).toBe("1");
  }, 120_000);

  test("FLUSHALL in the middle of a sale: rebuilt from PostgreSQL, no hold that reached Kafka dropped, never more seats sold than exist", async () => {
    const sale = await settledSale(6, 3);
    const keys = eventKeys(sale.event.id);
    // The sale goes on while Redis loses everything.
    const acknowledged: { bookingId: string; seq: number }[] = [];
    const attempts = Array.from({ length: 12 }, async (_, index) => {
      if (index === 6) await booking.redis.flushall();
      const who = await buyer();
      const response = await post(booking, "/bookings/reserve", who.token, {
        show_id: sale.show.id,
        zone_id: sale.general.id,
        quantity: 1,
      });
      if (response.status === 201) acknowledged.push({ bookingId: response.body.data.booking_id, seq: 0 });
    });
    for (const attempt of attempts) await attempt;
    expect(await booking.redis.exists(keys.event)).toBe(0);

    const reports = await run(sale.event.id);
    const general = reports.find((report) => report.zoneId === sale.general.id)!;
    expect(general).toMatchObject({ verdict: "lost", outcome: "rebuilt" });
    expect(outcomeOf(reports, sale.assigned.id)).toBe("rebuilt");
    expect(general.restoredBookings).toBeGreaterThanOrEqual(6 + 1);

    // Redis now agrees with PostgreSQL, sold from PostgreSQL, and within the zone's size.
    const [zone] = await zoneRows(sale.general.id);
    const [sold, reserved, total] = (await booking.redis.hmget(keys.zone(sale.general.id), "sold", "reserved", "total")).map(Number);
    expect(sold).toBe(zone!.soldSeats);
    expect(sold! + reserved!).toBeLessThanOrEqual(total!);
    // Every acknowledged hold is back in Redis, or reported lost (its seq after the rebuild point or in a gap).
    const projected = await catalog.asSystem((tx) => tx.select().from(schema.bookings).where(eq(schema.bookings.zoneId, sale.general.id)));
    for (const hold of [...sale.holds, ...acknowledged]) {
      const row = projected.find((candidate) => candidate.reservationId === hold.bookingId);
      if (row) expect(await booking.redis.hget(keys.booking(hold.bookingId), "status")).toBe(row.status);
      else expect(general.lostAfterSeq).toBeDefined();
    }
    // The sale goes on from the rebuilt state: confirm a restored hold, and sell out without overselling.
    const restored = sale.holds[4]!;
    expect((await confirmPaid(booking, restored.bookingId, crypto.randomUUID())).status).toBe(200);
    for (let index = 0; index < 30; index += 1) {
      const response = await post(booking, "/bookings/reserve", (await buyer()).token, {
        show_id: sale.show.id,
        zone_id: sale.general.id,
        quantity: 4,
      });
      if (response.status !== 201) {
        expect(response.body.error.code).toBe("INSUFFICIENT_STOCK");
        break;
      }
    }
    const [afterSold, afterReserved, afterTotal] = (await booking.redis.hmget(keys.zone(sale.general.id), "sold", "reserved", "total")).map(
      Number,
    );
    expect(afterSold! + afterReserved!).toBeLessThanOrEqual(afterTotal!);
    await zoneCaughtUp(booking.redis, catalog, sale.event.id, sale.general.id);
    expect(outcomeOf(await run(sale.event.id), sale.general.id)).toBe("clean");
  }, 180_000);

  test("waitlisted drift: Redis' counter apart from PostgreSQL's waiting bookings is found, shown, alerted and recounted from the waitlist", async () => {
    const sale = await settledSale(2, 1);
    const keys = eventKeys(sale.event.id);
    const zoneId = await fillAssigned(sale);
    await waitingPlaces(sale, [1, 2, 1], sale.assigned);
    // Both sides know the same three waiting bookings at the same seq.
    expect(outcomeOf(await run(sale.event.id), zoneId)).toBe("clean");

    await booking.redis.hincrby(keys.zone(zoneId), "waitlisted", 4);
    const call = adminClient();
    const status = await call("GET", `/admin/inventory-status?show_id=${sale.show.id}`, sale.tenant.adminToken);
    expect(status.status).toBe(200);
    expect(status.body.data.find((zone: { zone_id: string }) => zone.zone_id === zoneId)).toMatchObject({
      verdict: "drift",
      redis: { waitlisted: 7, sold: 0, reserved: 5 },
      postgres: { waitlisted: 3, sold: 0, reserved: 5 },
      difference: { waitlisted: 4, sold: 0, reserved: 0, seq: 0 },
    });

    const reports = await run(sale.event.id);
    expect(reports.find((report) => report.zoneId === zoneId)).toMatchObject({
      verdict: "drift",
      outcome: "repaired",
      redis: { waitlisted: 7 },
      postgres: { waitlisted: 3 },
    });
    expect(outcomeOf(reports, sale.general.id)).toBe("clean");
    expect(await booking.redis.hget(keys.zone(zoneId), "waitlisted")).toBe("3");
    expect(await booking.redis.zcard(keys.zoneWaitlist(zoneId))).toBe(3);
    expect(seriesValue(await bookingExport(), "inventory_discrepancy", `zone="${zoneId}"`)).toBe(4);
    const collector = await collectMessages(testKafka, [sale.event.id], [inventoryDiscrepancyTopic]);
    try {
      const alerts = await collector.caughtUp();
      expect(alerts.map((alert) => alert.body.data)).toEqual([
        expect.objectContaining({
          zone_id: zoneId,
          verdict: "drift",
          outcome: "repaired",
          redis: expect.objectContaining({ waitlisted: 7 }),
          postgres: expect.objectContaining({ waitlisted: 3 }),
        }),
      ]);
    } finally {
      await collector.stop();
    }
    expect(outcomeOf(await run(sale.event.id), zoneId)).toBe("clean");

    // A waiting booking PostgreSQL has and Redis does not know is found too; Redis' waitlist stays
    // what it is (Redis is the truth for who waits), so it is found again until someone looks.
    const ghost = await buyer();
    await catalog.asSystem((tx) =>
      tx.insert(schema.bookings).values({
        reservationId: crypto.randomUUID(),
        userId: ghost.id,
        tenantId: sale.tenant.tenantId,
        eventId: sale.event.id,
        showId: sale.show.id,
        zoneId: zoneId,
        status: "waitlisted",
        quantity: 1,
        unitPrice: sale.assigned.price,
        totalAmount: sale.assigned.price,
        currency: "THB",
        waitlistPosition: 4,
      }),
    );
    const again = await run(sale.event.id);
    expect(again.find((report) => report.zoneId === zoneId)).toMatchObject({
      verdict: "drift",
      redis: { waitlisted: 3 },
      postgres: { waitlisted: 4 },
    });
    expect(await booking.redis.zcard(keys.zoneWaitlist(zoneId))).toBe(3);
    expect(await booking.redis.hget(keys.zone(zoneId), "waitlisted")).toBe("3");
  }, 120_000);

  test("a repair that frees seats promotes the head of the waitlist, each whose quantity fits, into free seats; PostgreSQL hears of it", async () => {
    const sale = await settledSale(2, 1);
    const keys = eventKeys(sale.event.id);
    const zoneId = sale.assigned.id;
    // The assigned zone (5 seats, 1 held) seen as full by 4 sold that PostgreSQL does not have.
    await booking.redis.hincrby(keys.zone(zoneId), "sold", 4);
    const places = await waitingPlaces(sale, [2, 3, 1], sale.assigned);

    const before = Date.now();
    const reports = await run(sale.event.id);
    expect(reports.find((report) => report.zoneId === zoneId)).toMatchObject({
      verdict: "drift",
      outcome: "repaired",
      redis: { sold: 4, reserved: 1, waitlisted: 3 },
      postgres: { sold: 0, reserved: 1, waitlisted: 3 },
    });
    // 4 seats free: the head (2) fits, the second (3) no longer does and keeps its place, the third (1) fits.
    const [head, second, third] = places;
    const heldSeats = new Set<string>();
    for (const promoted of [head!, third!]) {
      const record = await booking.redis.hgetall(keys.booking(promoted.bookingId));
      expect(record).toMatchObject({ status: "reserved", waitlist_position: String(promoted.position) });
      expect(Number(record.promoted_at_ms)).toBeGreaterThanOrEqual(before - 1_000);
      expect(Number(record.expires_at_ms) - Number(record.promoted_at_ms)).toBe(reconciler.options.holdMs);
      const seats = record.seat_ids!.split(",");
      expect(seats.length).toBe(promoted.quantity);
      for (const seat of seats) {
        expect(await booking.redis.hget(keys.zoneSeats(zoneId), seat)).toBe(`held:${promoted.bookingId}`);
        heldSeats.add(seat);
      }
      expect(await booking.redis.zscore(keys.expiry, promoted.bookingId)).toBe(record.expires_at_ms!);
    }
    expect(heldSeats.size).toBe(3);
    expect(await booking.redis.hget(keys.booking(second!.bookingId), "status")).toBe("waitlisted");
    expect(await booking.redis.zrange(keys.zoneWaitlist(zoneId), "0", "-1")).toEqual([second!.bookingId]);
    expect(await booking.redis.hmget(keys.zone(zoneId), "reserved", "sold", "waitlisted")).toEqual(["4", "0", "1"]);
    expect(await booking.redis.hget(keys.booking(head!.bookingId), "seq")).toBe(
      String(Number(await booking.redis.hget(keys.booking(third!.bookingId), "seq")) - 1),
    );

    // booking.promoted went through the outbox: PostgreSQL has the holds, and the next run agrees.
    await zoneCaughtUp(booking.redis, catalog, sale.event.id, zoneId);
    const rows = await catalog.asSystem((tx) => tx.select().from(schema.bookings).where(eq(schema.bookings.zoneId, zoneId)));
    for (const promoted of [head!, third!]) {
      expect(rows.find((row) => row.reservationId === promoted.bookingId)?.status).toBe("reserved");
    }
    expect(outcomeOf(await run(sale.event.id), zoneId)).toBe("clean");
  }, 120_000);

  test("on the real pipeline (reserve with join_waitlist, a cancel that promotes, the projector) both sides count the same waiting bookings", async () => {
    const sale = await settledSale(1, 0, { waitlist_limit: 5 });
    const keys = eventKeys(sale.event.id);
    const zoneId = await fillAssigned(sale);
    const seats = await seatIds(zoneId);
    const waiting = [];
    for (let index = 0; index < 3; index += 1) {
      const who = await buyer();
      // An assigned zone is asked for by seat: a taken one, so the buyer joins the waitlist for one seat.
      const place = await post(booking, "/bookings/reserve", who.token, {
        show_id: sale.show.id,
        seat_ids: [seats[index]],
        join_waitlist: true,
      });
      expect(place.status, JSON.stringify(place.body)).toBe(201);
      expect(place.body.data).toMatchObject({ status: "waitlisted", waitlist_position: index + 1 });
      waiting.push(place.body.data.booking_id as string);
    }
    await zoneCaughtUp(booking.redis, catalog, sale.event.id, zoneId);
    const clean = (await run(sale.event.id)).find((report) => report.zoneId === zoneId)!;
    expect(clean.outcome).toBe("clean");
    expect(clean.postgres.waitlisted).toBe(3);
    expect(await booking.redis.hget(keys.zone(zoneId), "waitlisted")).toBe("3");

    // The first seat holder cancels: the head is promoted in the same step; both sides follow.
    const [firstHold] = (
      await catalog.asSystem((tx) => tx.select().from(schema.bookings).where(eq(schema.bookings.zoneId, zoneId)))
    ).filter((row) => row.status === "reserved" && row.quantity === 1);
    const holder = await tokenFor(firstHold!.userId);
    expect((await post(booking, `/bookings/${firstHold!.reservationId}/cancel`, holder, {})).status).toBe(200);
    expect(await booking.redis.hget(keys.booking(waiting[0]!), "status")).toBe("reserved");
    await zoneCaughtUp(booking.redis, catalog, sale.event.id, zoneId);
    const after = (await run(sale.event.id)).find((report) => report.zoneId === zoneId)!;
    expect(after.outcome).toBe("clean");
    expect(after.postgres.waitlisted).toBe(2);
  }, 120_000);

  test("an event Redis lost with buyers waiting: rebuilt with the same waitlist, positions, counters and tickets; free seats promote", async () => {
    const sale = await settledSale(3, 1);
    const keys = eventKeys(sale.event.id);
    // The assigned zone full, three buyers waiting.
    const zoneId = await fillAssigned(sale);
    const places = await waitingPlaces(sale, [2, 1, 1], sale.assigned);
    // And two waiting in the general zone, which has seats free (as if a lost hold had left them).
    const promotable = await waitingPlaces(sale, [1, 2]);
    const waitlistBefore = await booking.redis.zrange(keys.zoneWaitlist(zoneId), "0", "-1", "WITHSCORES");
    const countersBefore = await booking.redis.hmget(keys.zone(zoneId), "waitlisted", "waitlist_seq");
    const recordsBefore = await Promise.all(places.map((place) => booking.redis.hgetall(keys.booking(place.bookingId))));
    expect(countersBefore).toEqual(["3", "3"]);

    const eventKeysNow = await booking.redis.keys(`${keys.tag.replace("{", "\\{").replace("}", "\\}")}*`);
    expect(eventKeysNow.length).toBeGreaterThan(0);
    await booking.redis.del(...eventKeysNow);

    const reports = await run(sale.event.id);
    expect(reports.find((report) => report.zoneId === zoneId)).toMatchObject({ verdict: "lost", outcome: "rebuilt" });
    expect(await booking.redis.zrange(keys.zoneWaitlist(zoneId), "0", "-1", "WITHSCORES")).toEqual(waitlistBefore);
    expect(await booking.redis.hmget(keys.zone(zoneId), "waitlisted", "waitlist_seq", "reserved", "sold")).toEqual([
      ...countersBefore,
      "5",
      "0",
    ]);
    for (const [index, place] of places.entries()) {
      expect(await booking.redis.zrank(keys.zoneWaitlist(zoneId), place.bookingId)).toBe(place.position - 1);
      expect(await booking.redis.hget(keys.zoneWaitlisters(zoneId), place.userId)).toBe(place.bookingId);
      expect(await booking.redis.hget(keys.userTickets, place.userId)).toBe(String(place.quantity));
      expect(await booking.redis.hgetall(keys.booking(place.bookingId))).toEqual(recordsBefore[index]!);
      // Found by id and in the buyer's list again; the lookup lasts while the place may wait (the
      // booking window closes in a day), not only the record TTL of a closed booking.
      expect(await booking.redis.get(bookingEventKey(place.bookingId))).toBe(sale.event.id);
      expect(await booking.redis.ttl(bookingEventKey(place.bookingId))).toBeGreaterThan(reconciler.options.recordTtlSeconds + 23 * 3600);
      expect(await booking.redis.zscore(userBookingsKey(place.userId), `${sale.event.id}:${place.bookingId}`)).toBe(
        String(place.createdAtMs),
      );
    }
    // The holds came back too.
    for (const hold of sale.holds) expect(await booking.redis.exists(keys.booking(hold.bookingId))).toBe(1);
    // The general zone's waiting buyers got its free seats at once, in join order.
    for (const place of promotable) {
      expect(await booking.redis.hget(keys.booking(place.bookingId), "status")).toBe("reserved");
      expect(await booking.redis.hget(keys.userTickets, place.userId)).toBe(String(place.quantity));
    }
    expect(Number(await booking.redis.hget(keys.booking(promotable[0]!.bookingId), "seq"))).toBeLessThan(
      Number(await booking.redis.hget(keys.booking(promotable[1]!.bookingId), "seq")),
    );
    expect(await booking.redis.hget(keys.zone(sale.general.id), "waitlisted")).toBe("0");

    await zoneCaughtUp(booking.redis, catalog, sale.event.id, sale.general.id);
    const next = await run(sale.event.id);
    expect(outcomeOf(next, zoneId)).toBe("clean");
    expect(outcomeOf(next, sale.general.id)).toBe("clean");
  }, 120_000);

  test("admin endpoints: inventory-status shows both sides and the difference; sync-inventory repairs and is audit-logged; admins of the tenant only", async () => {
    const sale = await settledSale(3, 1);
    const keys = eventKeys(sale.event.id);
    await booking.redis.hincrby(keys.zone(sale.general.id), "sold", 2);
    const call = adminClient();
    const acme = sale.tenant;
    const other = await catalog.tenant("other");

    const status = await call("GET", `/admin/inventory-status?show_id=${sale.show.id}`, acme.adminToken);
    expect(status.status).toBe(200);
    const general = status.body.data.find((zone: { zone_id: string }) => zone.zone_id === sale.general.id);
    expect(general).toMatchObject({
      verdict: "drift",
      redis: { sold: 3, reserved: 2, waitlisted: 0 },
      postgres: { sold: 1, reserved: 2, waitlisted: 0 },
      difference: { sold: 2, reserved: 0, waitlisted: 0, seq: 0 },
    });
    expect((await call("GET", `/admin/inventory-status?show_id=${sale.show.id}`, acme.organizerToken)).status).toBe(403);
    expect((await call("GET", `/admin/inventory-status?show_id=${sale.show.id}`, other.adminToken)).status).toBe(403);
    expect((await call("GET", "/admin/inventory-status?show_id=nope", acme.adminToken)).body.error.code).toBe("VALIDATION_ERROR");
    expect((await call("POST", "/admin/sync-inventory", other.adminToken, { show_id: sale.show.id })).status).toBe(403);
    // A well-signed admin token of the tenant for a user that does not exist proves nothing.
    const ghost = await signAccessToken(
      { id: crypto.randomUUID(), email: "ghost@example.com", role: "admin", tenant_id: acme.tenantId },
      { secret: testAuth.jwtSecret, ttlSeconds: 900 },
    );
    expect((await call("GET", `/admin/inventory-status?show_id=${sale.show.id}`, ghost)).status).toBe(401);
    expect((await call("POST", "/admin/sync-inventory", ghost, { show_id: sale.show.id })).status).toBe(401);
    expect(await booking.redis.hget(keys.zone(sale.general.id), "sold")).toBe("3");

    const synced = await call("POST", "/admin/sync-inventory", acme.adminToken, { show_id: sale.show.id });
    expect(synced.status).toBe(200);
    expect(synced.body.data).toContainEqual({ event_id: sale.event.id, zone_id: sale.general.id, verdict: "drift", outcome: "repaired" });
    expect(await booking.redis.hget(keys.zone(sale.general.id), "sold")).toBe("1");
    const audit = await catalog.asSystem((tx) => tx.select().from(schema.auditLogs).where(eq(schema.auditLogs.action, "inventory.synced")));
    expect(audit.some((row) => row.entityId === sale.show.id && row.actorId === acme.admin.id)).toBe(true);
  }, 120_000);
});
