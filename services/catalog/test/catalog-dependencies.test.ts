/**
 * The catalog with a dependency down (503, nothing changed) and its event.cancelled travelling the
 * real path to Kafka (the event's outbox, the outbox relay).
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import * as schema from "@booking-rush/db/schema";
import { closeRedis } from "@booking-rush/lib/clients";
import { apiRateLimitSettings, loadConfig } from "@booking-rush/lib/config";
import { createHttpApp } from "@booking-rush/lib/http";
import { createLogger, createMetrics } from "@booking-rush/lib/observability";
import { type CatalogFixture, catalogFixture, draftWithZones, testAuth } from "@booking-rush/test-support/catalog-fixture";
import { eventually } from "@booking-rush/test-support/eventually";
import { collectMessages } from "@booking-rush/test-support/kafka-collector";
import { startTestRelay, testKafka } from "@booking-rush/test-support/relay-fixture";
import { stackConfig } from "@booking-rush/test-support/stack-config";
import { eq } from "drizzle-orm";
import { createCatalogService } from "../src/app";
import { catalogSettings } from "../src/settings";

let fixture: CatalogFixture;
let acme: Awaited<ReturnType<CatalogFixture["tenant"]>>;

beforeAll(async () => {
  fixture = await catalogFixture("catalog_dependencies");
  acme = await fixture.tenant("acme");
});

afterAll(() => fixture.close());

/**
 * The same catalog with one dependency unreachable: Redis (Sentinels nobody listens on; the same
 * database), or PostgreSQL (an address nobody listens on; the real Redis).
 */
function catalogWithout(dependency: "redis" | "postgres") {
  const postgresDown = dependency === "postgres";
  const logger = createLogger({ service: "down-test", level: "error", write: () => {} });
  const metrics = createMetrics("down-test");
  const redisConfig = postgresDown
    ? stackConfig.redis
    : { ...stackConfig.redis, sentinels: [{ host: "127.0.0.1", port: 1 }], commandTimeoutMs: 300 };
  const databaseUrl = postgresDown ? "postgres://booking:booking@127.0.0.1:1/nowhere" : fixture.database.url;
  const service = createCatalogService(
    {
      service: { trustProxy: false },
      rateLimit: loadConfig({ rateLimit: apiRateLimitSettings }, {}).rateLimit,
      redis: redisConfig,
      redlock: { urls: [] },
      postgres: { ...stackConfig.postgres, url: databaseUrl },
      auth: testAuth,
      catalog: { ...loadConfig({ catalog: catalogSettings }, {}).catalog, publishLock: { ttlMs: 2_000, waitMs: 300 } },
    },
    logger,
    metrics,
  );
  const app = createHttpApp(
    { service: { name: "down-test", corsOrigins: "*" }, logger, metrics, readiness: { checks: {}, draining: false } },
    [service.routes],
  );
  return {
    async request(method: string, path: string, body?: unknown, token = acme.organizerToken) {
      const response = await app.handle(
        new Request(`http://localhost/api/v1${path}`, {
          method,
          headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        }),
      );
      return { status: response.status, body: (await response.json()) as { error?: { code: string } } };
    },
    async close() {
      // closeRedis, not disconnect(): a client that ends otherwise is connected again (keepConnected).
      await closeRedis(service.store.redis);
      for (const connection of service.store.scripts.connections) await closeRedis(connection);
      await service.postgres.close();
    },
  };
}

const eventRow = async (eventId: string) =>
  (await fixture.asSystem((tx) => tx.select().from(schema.events).where(eq(schema.events.id, eventId))))[0]!;

describe("catalog dependencies", () => {
  test("with Redis unreachable, publish, change, cancel and the queue controls answer 503 and change nothing", async () => {
    const { event: draft } = await draftWithZones(fixture, acme.organizerToken);
    const { event: live } = await draftWithZones(fixture, acme.organizerToken, { title: "Live Before The Outage" });
    await fixture.request("POST", `/events/${live.id}/publish`, acme.organizerToken);
    const down = catalogWithout("redis");
    try {
      for (const [method, path, body] of [
        ["POST", `/events/${draft.id}/publish`, undefined],
        ["PUT", `/events/${live.id}`, { title: "Changed During The Outage" }],
        ["DELETE", `/events/${live.id}`, undefined],
        ["POST", `/admin/events/${live.id}/queue/pause`, undefined],
        ["PUT", `/admin/events/${live.id}/queue`, { rate_per_minute: 1 }],
      ] as const) {
        const answer = await down.request(method, path, body);
        expect({ path, method, status: answer.status, code: answer.body.error?.code }).toEqual({
          path,
          method,
          status: 503,
          code: "SERVICE_UNAVAILABLE",
        });
      }
    } finally {
      await down.close();
    }
    expect(await eventRow(draft.id)).toMatchObject({ status: "draft", publishedAt: null });
    expect(await eventRow(live.id)).toMatchObject({
      status: "published",
      title: "Live Before The Outage",
      cancelledAt: null,
      queuePaused: false,
      queueRatePerMinute: 600,
    });
    const audits = await fixture.asSystem((tx) => tx.select().from(schema.auditLogs).where(eq(schema.auditLogs.entityId, live.id)));
    expect(audits.map((row) => row.action).sort()).toEqual(["event.created", "event.published"]);
  });

  test("with Redis unreachable, a branding change answers 503 and changes nothing", async () => {
    const settingsOf = async () =>
      (await fixture.asSystem((tx) => tx.select().from(schema.tenants).where(eq(schema.tenants.id, acme.tenantId))))[0]!.settings;
    const before = await settingsOf();
    const down = catalogWithout("redis");
    try {
      for (const [method, path, body] of [
        ["PUT", "/admin/tenant/branding", { primary_color: "#000000" }],
        ["DELETE", "/admin/tenant/logo", undefined],
      ] as const) {
        const answer = await down.request(method, path, body, acme.adminToken);
        expect({ path, status: answer.status, code: answer.body.error?.code }).toEqual({ path, status: 503, code: "SERVICE_UNAVAILABLE" });
      }
    } finally {
      await down.close();
    }
    expect(await settingsOf()).toEqual(before);
    const audits = await fixture.asSystem((tx) => tx.select().from(schema.auditLogs).where(eq(schema.auditLogs.entityId, acme.tenantId)));
    expect(audits).toEqual([]);
  });

  test("with PostgreSQL unreachable, the tenant's events list answers 503, not a 500", async () => {
    const down = catalogWithout("postgres");
    try {
      const answer = await down.request("GET", "/admin/events?status=draft");
      expect({ status: answer.status, code: answer.body.error?.code }).toEqual({ status: 503, code: "SERVICE_UNAVAILABLE" });
    } finally {
      await down.close();
    }
  });

  test("cancelling a published event delivers event.cancelled to Kafka through the outbox relay", async () => {
    const { event } = await draftWithZones(fixture, acme.organizerToken);
    await fixture.request("POST", `/events/${event.id}/publish`, acme.organizerToken);
    const relay = startTestRelay(fixture.service.store.redis);
    try {
      expect((await fixture.request("DELETE", `/events/${event.id}`, acme.organizerToken)).status).toBe(200);
      await eventually(async () => expect(await fixture.service.store.redis.xlen(`{ev:${event.id}}:outbox`)).toBe(0), {
        timeoutMs: 30_000,
        intervalMs: 50,
      });
    } finally {
      await relay.stop();
    }
    const collector = await collectMessages(testKafka, [event.id]);
    try {
      await collector.caughtUp();
      expect(collector.messages).toHaveLength(1);
      expect(collector.messages[0]).toMatchObject({
        topic: "event.cancelled",
        key: event.id,
        body: { event_id: `event.cancelled:${event.id}`, type: "event.cancelled", data: { event_id: event.id, tenant_id: acme.tenantId } },
      });
      expect(collector.messages[0]!.body.seq).toBeUndefined();
    } finally {
      await collector.stop();
    }
  });
});
