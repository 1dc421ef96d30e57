/**
 * The waiting room's settings, the catalog's side (issue 16): per-event settings on POST and PUT
 * /events (validated, defaulted, audited, shown), the `{ev:E}:queue` hash in Redis that the
 * booking service's queue reads (written on publish and on every change), and the operators'
 * pause, resume and rate routes under /admin/events/:id/queue (the event's tenant only; a Redis
 * that refuses writes is 503 with nothing changed). Real PostgreSQL and Redis through Sentinel.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import * as schema from "@booking-rush/db/schema";
import { eventKeys } from "@booking-rush/lib/inventory";
import { buyerToken, type CatalogFixture, catalogFixture, draftWithZones, eventBody } from "@booking-rush/test-support/catalog-fixture";
import { eventually } from "@booking-rush/test-support/eventually";
import {
  masterAddress,
  nodeClient,
  replicaPauser,
  replicasLinked,
  replicationInfo,
  sentinelClient,
} from "@booking-rush/test-support/redis-topology";
import { count, eq } from "drizzle-orm";

let fixture: CatalogFixture;
let acme: Awaited<ReturnType<CatalogFixture["tenant"]>>;
let globex: Awaited<ReturnType<CatalogFixture["tenant"]>>;

beforeAll(async () => {
  fixture = await catalogFixture("queue_settings");
  acme = await fixture.tenant("acme");
  globex = await fixture.tenant("globex");
});

afterAll(() => fixture.close());

const hours = (n: number) => new Date(Date.now() + n * 3_600_000).toISOString();
const queueHash = (eventId: string) => fixture.service.store.redis.hgetall(eventKeys(eventId).queue);

const eventRow = async (eventId: string) =>
  (await fixture.asSystem((tx) => tx.select().from(schema.events).where(eq(schema.events.id, eventId))))[0]!;

const auditOf = (eventId: string) =>
  fixture.asSystem((tx) =>
    tx.select().from(schema.auditLogs).where(eq(schema.auditLogs.entityId, eventId)).orderBy(schema.auditLogs.createdAt),
  );

const auditCount = async () => Number((await fixture.asSystem((tx) => tx.select({ n: count() }).from(schema.auditLogs)))[0]!.n);
const eventCount = async () => Number((await fixture.asSystem((tx) => tx.select({ n: count() }).from(schema.events)))[0]!.n);

/** A published event of acme's, with whatever settings given. */
async function published(overrides: Record<string, unknown> = {}) {
  const sale = await draftWithZones(fixture, acme.organizerToken, overrides);
  const answer = await fixture.request("POST", `/events/${sale.event.id}/publish`, acme.organizerToken);
  expect(answer.status).toBe(200);
  return answer.body.data;
}

const pause = (eventId: string, token: string) => fixture.request("POST", `/admin/events/${eventId}/queue/pause`, token);
const resume = (eventId: string, token: string) => fixture.request("POST", `/admin/events/${eventId}/queue/resume`, token);
const changeQueue = (eventId: string, token: string, body: unknown) =>
  fixture.request("PUT", `/admin/events/${eventId}/queue`, token, body);

describe("queue settings on events", () => {
  test("an event created without them has the defaults; publishing writes them into the queue hash", async () => {
    const { event } = await draftWithZones(fixture, acme.organizerToken);
    expect(event).toMatchObject({
      queue_enabled: false,
      queue_paused: false,
      queue_rate_per_minute: 600,
      queue_max_active: 1000,
      queue_pass_ttl_seconds: 300,
      queue_order: "random",
      queue_opens_at: null,
    });
    // A draft sells nothing: no hash until it is published.
    expect(await fixture.service.store.redis.exists(eventKeys(event.id).queue)).toBe(0);
    expect((await fixture.request("POST", `/events/${event.id}/publish`, acme.organizerToken)).status).toBe(200);
    expect(await queueHash(event.id)).toEqual({
      enabled: "0",
      paused: "0",
      rate_per_minute: "600",
      max_active: "1000",
      pass_ttl_ms: "300000",
      order: "random",
      // No pre-queue: it opens with the sale.
      prequeue_opens_at_ms: String(Date.parse(event.booking_opens_at)),
    });
  });

  test("settings given on create are stored, shown to the public once published, audited, and written on publish", async () => {
    const opensAt = hours(2);
    const queueOpensAt = hours(1.5);
    const settings = {
      queue_enabled: true,
      queue_rate_per_minute: 120,
      queue_max_active: 50,
      queue_pass_ttl_seconds: 120,
      queue_order: "fifo",
      queue_opens_at: queueOpensAt,
    };
    const { event } = await draftWithZones(fixture, acme.organizerToken, { ...settings, booking_opens_at: opensAt });
    expect(event).toMatchObject({ ...settings, queue_paused: false });
    const row = await eventRow(event.id);
    expect(row).toMatchObject({
      queueEnabled: true,
      queueRatePerMinute: 120,
      queueMaxActive: 50,
      queuePassTtlSeconds: 120,
      queueOrder: "fifo",
    });
    expect(row.queueOpensAt?.toISOString()).toBe(queueOpensAt);
    const [created] = await auditOf(event.id);
    expect(created).toMatchObject({ action: "event.created", actorId: acme.organizer.id, after: expect.objectContaining(settings) });

    expect((await fixture.request("POST", `/events/${event.id}/publish`, acme.organizerToken)).status).toBe(200);
    expect(await queueHash(event.id)).toEqual({
      enabled: "1",
      paused: "0",
      rate_per_minute: "120",
      max_active: "50",
      pass_ttl_ms: "120000",
      order: "fifo",
      prequeue_opens_at_ms: String(Date.parse(queueOpensAt)),
    });
    expect((await fixture.request("GET", `/events/${event.id}`, null)).body.data).toMatchObject(settings);
  });

  test("a published event's change through PUT rewrites the hash, audited; the rest of the event's Redis state is untouched", async () => {
    const event = await published();
    const redis = fixture.service.store.redis;
    const { tag, queue } = eventKeys(event.id);
    // Stands in for the booking side's live queue under the same hash tag: the catalog never writes it.
    const live = `${tag}:queue-live-test`;
    await redis.zadd(live, 1, "buyer-a", 2, "buyer-b");
    const others = async () => {
      const keys = (await redis.keys(`${tag}*`)).filter((key) => key !== queue).sort();
      return Object.fromEntries(await Promise.all(keys.map(async (key) => [key, (await redis.dumpBuffer(key))?.toString("hex")])));
    };
    const before = await others();

    const changed = await fixture.request("PUT", `/events/${event.id}`, acme.organizerToken, {
      queue_enabled: true,
      queue_rate_per_minute: 900,
      queue_order: "fifo",
      queue_opens_at: new Date(Date.parse(event.booking_opens_at) - 600_000).toISOString(),
    });
    expect(changed.status).toBe(200);
    expect(changed.body.data).toMatchObject({ queue_enabled: true, queue_rate_per_minute: 900, queue_order: "fifo" });
    expect(await queueHash(event.id)).toMatchObject({
      enabled: "1",
      rate_per_minute: "900",
      order: "fifo",
      max_active: "1000",
      prequeue_opens_at_ms: String(Date.parse(event.booking_opens_at) - 600_000),
    });
    expect(await others()).toEqual(before);
    const updated = (await auditOf(event.id)).find((row) => row.action === "event.updated");
    expect(updated).toMatchObject({
      before: expect.objectContaining({ queue_enabled: false, queue_rate_per_minute: 600, queue_order: "random" }),
      after: expect.objectContaining({ queue_enabled: true, queue_rate_per_minute: 900, queue_order: "fifo" }),
    });

    // Back to no pre-queue: the field follows the sale's opening again.
    expect((await fixture.request("PUT", `/events/${event.id}`, acme.organizerToken, { queue_opens_at: null })).status).toBe(200);
    expect((await queueHash(event.id)).prequeue_opens_at_ms).toBe(String(Date.parse(event.booking_opens_at)));
  });

  test("each bad setting is a 400 VALIDATION_ERROR naming its field, and nothing changes: rows, audit, hash", async () => {
    const opensAt = hours(3);
    const event = await published({ booking_opens_at: opensAt, queue_opens_at: hours(2), queue_enabled: true });
    const token = acme.organizerToken;
    const state = async () => ({
      events: await eventCount(),
      audit: await auditCount(),
      row: await eventRow(event.id),
      hash: await queueHash(event.id),
    });
    const before = await state();
    const cases: [string, string, string, unknown, string][] = [
      ["rate zero", "POST", "/events", eventBody({ queue_rate_per_minute: 0 }), "queue_rate_per_minute"],
      ["rate too high", "POST", "/events", eventBody({ queue_rate_per_minute: 100_001 }), "queue_rate_per_minute"],
      ["rate a string", "POST", "/events", eventBody({ queue_rate_per_minute: "600" }), "queue_rate_per_minute"],
      ["rate a fraction", "POST", "/events", eventBody({ queue_rate_per_minute: 1.5 }), "queue_rate_per_minute"],
      ["max active zero", "POST", "/events", eventBody({ queue_max_active: 0 }), "queue_max_active"],
      ["max active negative", "POST", "/events", eventBody({ queue_max_active: -5 }), "queue_max_active"],
      ["pass lifetime too short", "POST", "/events", eventBody({ queue_pass_ttl_seconds: 29 }), "queue_pass_ttl_seconds"],
      ["pass lifetime too long", "POST", "/events", eventBody({ queue_pass_ttl_seconds: 3_601 }), "queue_pass_ttl_seconds"],
      ["order unknown", "POST", "/events", eventBody({ queue_order: "lifo" }), "queue_order"],
      ["order null", "POST", "/events", eventBody({ queue_order: null }), "queue_order"],
      ["pre-queue not a date", "POST", "/events", eventBody({ queue_opens_at: "soon" }), "queue_opens_at"],
      [
        "pre-queue at the opening",
        "POST",
        "/events",
        eventBody({ booking_opens_at: opensAt, booking_closes_at: hours(24), queue_opens_at: opensAt }),
        "queue_opens_at",
      ],
      [
        "pre-queue after the opening",
        "POST",
        "/events",
        eventBody({ booking_opens_at: opensAt, booking_closes_at: hours(24), queue_opens_at: hours(4) }),
        "queue_opens_at",
      ],
      ["update rate zero", "PUT", `/events/${event.id}`, { queue_rate_per_minute: 0 }, "queue_rate_per_minute"],
      ["update order unknown", "PUT", `/events/${event.id}`, { queue_order: "vip" }, "queue_order"],
      ["update pre-queue after the opening", "PUT", `/events/${event.id}`, { queue_opens_at: hours(3.5) }, "queue_opens_at"],
      // The opening moved before the stored pre-queue opening: the field sent is the one named.
      ["update opening before the pre-queue", "PUT", `/events/${event.id}`, { booking_opens_at: hours(1) }, "booking_opens_at"],
      ["admin change with nothing", "PUT", `/admin/events/${event.id}/queue`, {}, ""],
      ["admin rate zero", "PUT", `/admin/events/${event.id}/queue`, { rate_per_minute: 0 }, "rate_per_minute"],
      ["admin max active a string", "PUT", `/admin/events/${event.id}/queue`, { max_active: "10" }, "max_active"],
      ["admin unknown field", "PUT", `/admin/events/${event.id}/queue`, { paused: true }, ""],
      ["admin id not a uuid", "POST", "/admin/events/not-a-uuid/queue/pause", undefined, "id"],
    ];
    for (const [name, method, path, body, field] of cases) {
      const answer = await fixture.request(method, path, token, body);
      expect({ name, status: answer.status, code: answer.body.error?.code }).toEqual({ name, status: 400, code: "VALIDATION_ERROR" });
      if (field)
        expect({ name, fields: answer.body.error.details.fields.map((f: { field: string }) => f.field) }).toEqual({
          name,
          fields: expect.arrayContaining([field]),
        });
      expect(JSON.stringify(answer.body)).not.toMatch(/\bat \S+:\d+:\d+|\.ts:\d+|insert into|update "events"/i);
    }
    expect(await state()).toEqual(before);
  });
});

describe("the operators' pause, resume and rate", () => {
  test("pause, change the rate and cap, resume: the row, an audit entry each, the hash; the public page follows at once", async () => {
    const event = await published({ queue_enabled: true });
    const token = acme.organizerToken;
    // Cached before the change, so a stale page would show.
    expect((await fixture.request("GET", `/events/${event.id}`, null)).body.data.queue_paused).toBe(false);

    const paused = await pause(event.id, token);
    expect(paused.status).toBe(200);
    expect(paused.body.data).toMatchObject({ id: event.id, queue_paused: true, queue_rate_per_minute: 600 });
    expect(await queueHash(event.id)).toMatchObject({ enabled: "1", paused: "1", rate_per_minute: "600", max_active: "1000" });
    expect((await eventRow(event.id)).queuePaused).toBe(true);
    expect((await fixture.request("GET", `/events/${event.id}`, null)).body.data.queue_paused).toBe(true);

    const rate = await changeQueue(event.id, token, { rate_per_minute: 1_200 });
    expect(rate.status).toBe(200);
    expect(rate.body.data).toMatchObject({ queue_paused: true, queue_rate_per_minute: 1_200, queue_max_active: 1000 });
    expect(await queueHash(event.id)).toMatchObject({ paused: "1", rate_per_minute: "1200", max_active: "1000" });
    const both = await changeQueue(event.id, acme.adminToken, { rate_per_minute: 30, max_active: 10 });
    expect(both.body.data).toMatchObject({ queue_rate_per_minute: 30, queue_max_active: 10 });
    expect(await queueHash(event.id)).toMatchObject({ rate_per_minute: "30", max_active: "10" });

    const resumed = await resume(event.id, token);
    expect(resumed.status).toBe(200);
    expect(resumed.body.data.queue_paused).toBe(false);
    expect(await queueHash(event.id)).toMatchObject({ paused: "0", rate_per_minute: "30", max_active: "10" });

    const audit = (await auditOf(event.id)).filter((row) => row.action.startsWith("event.queue_"));
    expect(audit.map((row) => [row.action, row.actorId])).toEqual([
      ["event.queue_paused", acme.organizer.id],
      ["event.queue_changed", acme.organizer.id],
      ["event.queue_changed", acme.admin.id],
      ["event.queue_resumed", acme.organizer.id],
    ]);
    expect(audit[0]).toMatchObject({
      tenantId: acme.tenantId,
      entityType: "event",
      before: expect.objectContaining({ queue_paused: false }),
      after: expect.objectContaining({ queue_paused: true }),
    });
    expect(audit[2]).toMatchObject({
      before: expect.objectContaining({ queue_rate_per_minute: 1_200, queue_max_active: 1000 }),
      after: expect.objectContaining({ queue_rate_per_minute: 30, queue_max_active: 10 }),
    });
    expect(audit.every((row) => typeof row.requestId === "string" && row.requestId.length > 0)).toBe(true);
  });

  test("a change to what already is writes no row and no audit entry, and repairs a lost hash", async () => {
    const event = await published({ queue_enabled: true });
    expect((await resume(event.id, acme.organizerToken)).status).toBe(200);
    expect((await changeQueue(event.id, acme.organizerToken, { rate_per_minute: 600, max_active: 1000 })).status).toBe(200);
    expect((await auditOf(event.id)).map((row) => row.action)).toEqual(["event.created", "event.published"]);

    // Redis lost the hash (a failover before replication, a flush): the next pause writes it whole.
    await fixture.service.store.redis.del(eventKeys(event.id).queue);
    expect((await resume(event.id, acme.organizerToken)).status).toBe(200);
    expect(await queueHash(event.id)).toMatchObject({ enabled: "1", paused: "0", rate_per_minute: "600", pass_ttl_ms: "300000" });
  });

  test("a draft keeps the pause for its publication (no hash before); a cancelled event is 409 with nothing changed", async () => {
    const { event: draft } = await draftWithZones(fixture, acme.organizerToken, { queue_enabled: true });
    expect((await pause(draft.id, acme.organizerToken)).body.data.queue_paused).toBe(true);
    expect(await fixture.service.store.redis.exists(eventKeys(draft.id).queue)).toBe(0);
    expect((await fixture.request("POST", `/events/${draft.id}/publish`, acme.organizerToken)).status).toBe(200);
    expect(await queueHash(draft.id)).toMatchObject({ enabled: "1", paused: "1" });

    const cancelled = await published({ queue_enabled: true });
    expect((await fixture.request("DELETE", `/events/${cancelled.id}`, acme.organizerToken)).status).toBe(200);
    const before = { row: await eventRow(cancelled.id), hash: await queueHash(cancelled.id), audit: await auditCount() };
    for (const answer of [
      await pause(cancelled.id, acme.organizerToken),
      await resume(cancelled.id, acme.organizerToken),
      await changeQueue(cancelled.id, acme.organizerToken, { rate_per_minute: 5 }),
    ]) {
      expect({ status: answer.status, code: answer.body.error?.code }).toEqual({ status: 409, code: "CONFLICT" });
    }
    expect({ row: await eventRow(cancelled.id), hash: await queueHash(cancelled.id), audit: await auditCount() }).toEqual(before);
  });

  test("only the event's tenant: another tenant's organizer or admin 403 (404 for a draft it cannot see), a buyer 403, no token 401", async () => {
    const event = await published({ queue_enabled: true });
    const { event: draft } = await draftWithZones(fixture, acme.organizerToken, { queue_enabled: true });
    const buyer = await buyerToken();
    const before = {
      live: await eventRow(event.id),
      draft: await eventRow(draft.id),
      hash: await queueHash(event.id),
      audit: await auditCount(),
    };
    const calls = [
      (id: string, token: string) => pause(id, token),
      (id: string, token: string) => resume(id, token),
      (id: string, token: string) => changeQueue(id, token, { rate_per_minute: 1 }),
    ];
    for (const call of calls) {
      for (const token of [globex.organizerToken, globex.adminToken]) {
        const live = await call(event.id, token);
        expect({ status: live.status, code: live.body.error?.code }).toEqual({ status: 403, code: "FORBIDDEN" });
        const hidden = await call(draft.id, token);
        expect({ status: hidden.status, code: hidden.body.error?.code }).toEqual({ status: 404, code: "NOT_FOUND" });
      }
      const asBuyer = await call(event.id, buyer);
      expect({ status: asBuyer.status, code: asBuyer.body.error?.code }).toEqual({ status: 403, code: "FORBIDDEN" });
      const anonymous = await fixture.request("POST", `/admin/events/${event.id}/queue/pause`, null);
      expect({ status: anonymous.status, code: anonymous.body.error?.code }).toEqual({ status: 401, code: "UNAUTHORIZED" });
      const missing = await call(crypto.randomUUID(), acme.organizerToken);
      expect({ status: missing.status, code: missing.body.error?.code }).toEqual({ status: 404, code: "NOT_FOUND" });
    }
    expect({
      live: await eventRow(event.id),
      draft: await eventRow(draft.id),
      hash: await queueHash(event.id),
      audit: await auditCount(),
    }).toEqual(before);
    // And the tenant's own admin may.
    expect((await pause(event.id, acme.adminToken)).status).toBe(200);
  });
});

describe("Redis refusing writes", () => {
  const sentinel = sentinelClient();
  const pauser = replicaPauser();
  afterAll(async () => {
    pauser.resumeAll();
    await eventually(() => replicasLinked(sentinel), { timeoutMs: 60_000, intervalMs: 200 });
    sentinel.disconnect();
  });

  test("no replica in sync: pause, a rate change and a PUT of the settings answer 503, and PostgreSQL, the audit and the hash are unchanged", async () => {
    await eventually(() => replicasLinked(sentinel), { timeoutMs: 30_000, intervalMs: 200 });
    const event = await published({ queue_enabled: true });
    const token = acme.organizerToken;
    // The organizer's auth state is cached before the outage (a read then, as in production).
    expect((await changeQueue(event.id, token, { rate_per_minute: 700 })).status).toBe(200);
    const before = { row: await eventRow(event.id), audit: await auditCount(), hash: await queueHash(event.id) };
    const master = nodeClient(await masterAddress(sentinel));
    try {
      for (const replica of await replicasLinked(sentinel)) pauser.pause(replica);
      // min-replicas-to-write 1: the master refuses writes once no replica is within the lag.
      await eventually(async () => expect(Number((await replicationInfo(master)).min_slaves_good_slaves)).toBe(0), {
        timeoutMs: 30_000,
        intervalMs: 250,
      });
      for (const [name, answer] of [
        ["pause", await pause(event.id, token)],
        ["rate", await changeQueue(event.id, token, { rate_per_minute: 60, max_active: 5 })],
        ["put", await fixture.request("PUT", `/events/${event.id}`, token, { queue_rate_per_minute: 60 })],
      ] as const) {
        expect({ name, status: answer.status, code: answer.body.error?.code }).toEqual({ name, status: 503, code: "SERVICE_UNAVAILABLE" });
      }
      // Read from the master while it refuses writes: nothing reached it.
      expect(await master.hgetall(eventKeys(event.id).queue)).toEqual(before.hash);
      expect({ row: await eventRow(event.id), audit: await auditCount() }).toEqual({ row: before.row, audit: before.audit });
    } finally {
      pauser.resumeAll();
    }
    // Writes are taken again once a replica is back in sync: the same process, no restart.
    await eventually(
      async () => {
        expect((await pause(event.id, token)).status).toBe(200);
      },
      { timeoutMs: 30_000, intervalMs: 250 },
    );
    expect(await queueHash(event.id)).toMatchObject({ paused: "1", rate_per_minute: "700" });
    master.disconnect();
  }, 120_000);
});
