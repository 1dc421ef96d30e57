/**
 * A write outage is not a read outage. The Redis master refuses every write while no replica is in
 * sync (min-replicas-to-write 1, min-replicas-max-lag 10 s); here the stack's two replicas are
 * paused with SIGSTOP past that lag, on the real topology (Sentinels, master, replicas). One
 * replica lost: holds go on. Both: browsing answers from Redis reads and PostgreSQL (the cache and
 * rate-limit writes skipped), a hold answers 503 with nothing changed, login counts its attempts
 * per process. Resumed: holds work again, same processes, no restart. And the master lost: after
 * the failover the new master still has a replica, so holds work before the dead node is back.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createAuthService } from "@booking-rush/auth/app";
import { authServiceSettings } from "@booking-rush/auth/settings";
import { createBookingService } from "@booking-rush/booking/app";
import { bookingSettings } from "@booking-rush/booking/settings";
import * as schema from "@booking-rush/db/schema";
import { createReplicaTarget, type Redis } from "@booking-rush/lib/clients";
import { authSettings, loadConfig, smtpSettings } from "@booking-rush/lib/config";
import { createHttpApp, rateLimitKey } from "@booking-rush/lib/http";
import { eventKeys, userBookingsKey } from "@booking-rush/lib/inventory";
import { createLogger, createMetrics } from "@booking-rush/lib/observability";
import { type CatalogFixture, catalogFixture, draftWithZones, eventBody, jwtSecret } from "@booking-rush/test-support/catalog-fixture";
import { eventually } from "@booking-rush/test-support/eventually";
import {
  masterAddress,
  nodeClient,
  replicaPauser,
  replicasLinked,
  replicationInfo,
  sentinelClient,
  stackRedisAt,
} from "@booking-rush/test-support/redis-topology";
import { stack } from "@booking-rush/test-support/stack";
import { stackConfig } from "@booking-rush/test-support/stack-config";

const sentinel = sentinelClient();
const pauser = replicaPauser();
const logger = createLogger({ service: "write-outage-test", level: "error", write: () => {} });
// What every durable write waits for (services/lib/src/clients/replica-target.ts).
const replicaTarget = createReplicaTarget(stackConfig.redis, logger, 1, 200);
// Login as in production (5 a minute, burst 3), so the per-process bucket's refusal is seen.
const loginRate = { perMinute: 5, burst: 3 };

let fixture: CatalogFixture;
let auth: ReturnType<typeof createAuthService>;
let booking: ReturnType<typeof createBookingService>;
let app: ReturnType<typeof createHttpApp>;
const authMetrics = createMetrics("write-outage-test");
let sale: Awaited<ReturnType<typeof draftWithZones>>;
let organizerToken: string;
let buyer: { id: string; email: string; password: string; token: string };

const randomAddress = () => `203.0.${Math.floor(Math.random() * 256)}.${1 + Math.floor(Math.random() * 254)}`;

async function call(method: string, path: string, init: { token?: string; body?: unknown; address?: string } = {}) {
  const headers: Record<string, string> = { "x-forwarded-for": init.address ?? randomAddress() };
  if (init.token) headers.authorization = `Bearer ${init.token}`;
  if (init.body !== undefined) headers["content-type"] = "application/json";
  if (path === "/bookings/reserve") headers["idempotency-key"] = crypto.randomUUID();
  const response = await app.handle(
    new Request(`http://localhost/api/v1${path}`, {
      method,
      headers,
      ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
    }),
  );
  // biome-ignore lint/suspicious/noExplicitAny: assertions inspect the shape
  return { status: response.status, body: (await response.json()) as any, headers: response.headers };
}

const readPaths = () => [
  "/events",
  `/events/${sale.event.id}`,
  `/events/${sale.event.id}/shows`,
  `/shows/${sale.show.id}/zones`,
  `/shows/${sale.show.id}/seats?zone_id=${sale.assigned.id}`,
  "/categories",
];

/** Every read endpoint, anonymous, each from its own address (so its rate-limit bucket would be written). */
async function readAll() {
  const paths = readPaths();
  const answers = await Promise.all(
    paths.map(async (path) => ({
      path,
      answer: await fixture.request("GET", path, null, undefined, { "x-forwarded-for": randomAddress() }),
    })),
  );
  expect(answers.map(({ path, answer }) => ({ path, status: answer.status }))).toEqual(paths.map((path) => ({ path, status: 200 })));
  return answers.map(({ answer }) => answer.body.data);
}

const reserve = () =>
  call("POST", "/bookings/reserve", { token: buyer.token, body: { show_id: sale.show.id, zone_id: sale.general.id, quantity: 1 } });

/** Every Redis client of the three services (each reconnects through the Sentinels on its own). */
const serviceClients = () => [
  fixture.service.store.redis,
  ...fixture.service.store.scripts.connections,
  auth.redis,
  booking.store.redis,
  ...booking.store.scripts.connections,
];
/** Answers once every client is connected to a master again (a command waits for its reconnect, or fails after its timeout). */
const everyClientConnected = () =>
  eventually(
    async () => expect(await Promise.all(serviceClients().map((client) => client.ping()))).toEqual(serviceClients().map(() => "PONG")),
    {
      timeoutMs: 30_000,
      intervalMs: 200,
    },
  );

/** Replicas the master counts as in sync (lag within min-replicas-max-lag); 0 means writes are refused. */
const goodReplicas = async (master: Redis) => Number((await replicationInfo(master)).min_slaves_good_slaves);

/** Every key of the event and the buyer's booking index, dumped: a byte-for-byte picture. */
async function snapshot() {
  const redis = fixture.service.store.redis;
  const keys = [...(await redis.keys(`${eventKeys(sale.event.id).tag}*`)), userBookingsKey(buyer.id)].sort();
  return Object.fromEntries(await Promise.all(keys.map(async (key) => [key, (await redis.dumpBuffer(key))?.toString("hex") ?? null])));
}

beforeAll(async () => {
  await eventually(() => replicasLinked(sentinel), { timeoutMs: 30_000, intervalMs: 200 });
  fixture = await catalogFixture("write_outage");
  const acme = await fixture.tenant("acme");
  organizerToken = acme.organizerToken;
  // Room for every hold the tests take with one buyer (holds answered 503 may still count, see reserve-failover).
  sale = await draftWithZones(fixture, acme.organizerToken, { max_tickets_per_user: 20 });
  expect((await fixture.request("POST", `/events/${sale.event.id}/publish`, acme.organizerToken)).status).toBe(200);
  // Auth and booking over the catalog's database and signing key, as one platform.
  const postgres = { ...stackConfig.postgres, url: fixture.database.url };
  const authConfig = loadConfig({ auth: authSettings }, { JWT_SECRET: jwtSecret }).auth;
  auth = createAuthService(
    {
      service: { trustProxy: true },
      redis: stackConfig.redis,
      postgres,
      smtp: loadConfig({ smtp: smtpSettings }, process.env).smtp,
      auth: authConfig,
      authService: { ...loadConfig({ authService: authServiceSettings }, {}).authService, passwordHashCost: 4, loginRate },
    },
    logger,
    authMetrics,
  );
  const bookingConfig = {
    redis: stackConfig.redis,
    postgres,
    auth: authConfig,
    booking: loadConfig({ booking: bookingSettings }, {}).booking,
  };
  booking = createBookingService(bookingConfig, logger, authMetrics);
  app = createHttpApp(
    { service: { name: "write-outage-test", corsOrigins: "*" }, logger, metrics: authMetrics, readiness: { checks: {}, draining: false } },
    [auth.routes, booking.routes],
  );
  const credentials = { email: `buyer-${crypto.randomUUID().slice(0, 8)}@example.com`, password: "correct-horse-9", name: "Ann" };
  const registered = await call("POST", "/auth/register", { body: credentials });
  expect(registered.status).toBe(201);
  buyer = { ...credentials, id: registered.body.data.user.id, token: registered.body.data.tokens.access_token };
});

afterAll(async () => {
  pauser.resumeAll();
  await eventually(() => replicasLinked(sentinel), { timeoutMs: 60_000, intervalMs: 200 });
  // Closed only once connected: a client closed in the middle of its Sentinel lookup rejects unhandled (ioredis).
  if (booking) await everyClientConnected();
  await booking?.close();
  await auth?.close();
  await fixture?.close();
  replicaTarget.close();
  sentinel.disconnect();
});

describe("a write outage is not a read outage", () => {
  test("replicas paused past the lag: reads 200, a hold 503 with nothing changed, login per process; resumed: holds again", async () => {
    const master = nodeClient(await masterAddress(sentinel));
    const [first, second] = await replicasLinked(sentinel);
    try {
      expect(await replicaTarget.required()).toBe(2);
      // One replica lost: once the Sentinels mark it down, writes wait for the other one alone and
      // are still accepted and acknowledged.
      pauser.pause(first!);
      await eventually(async () => expect(await replicaTarget.required()).toBe(1), { timeoutMs: 30_000, intervalMs: 100 });
      await eventually(async () => expect(await goodReplicas(master)).toBe(1), { timeoutMs: 30_000, intervalMs: 250 });
      expect((await reserve()).status).toBe(201);

      // Both lost: the master refuses writes.
      pauser.pause(second!);
      await eventually(async () => expect(await goodReplicas(master)).toBe(0), { timeoutMs: 30_000, intervalMs: 250 });
      await expect(master.set(`{test:write-outage}:${crypto.randomUUID()}`, "x")).rejects.toThrow(/^NOREPLICAS/);
      const before = await snapshot();

      const [list, detail, shows, zones, seats] = await readAll();
      expect(list.map((event: { id: string }) => event.id)).toContain(sale.event.id);
      expect(detail.shows.map((show: { id: string }) => show.id)).toEqual([sale.show.id]);
      expect(shows).toHaveLength(1);
      // Live counts, read from Redis: the hold taken while one replica was down is there.
      expect(zones.find((zone: { id: string }) => zone.id === sale.general.id)).toMatchObject({ reserved: 1, available: 99 });
      expect(seats).toHaveLength(5);

      // A hold cannot be acknowledged: 503, and nothing changed.
      const refused = await reserve();
      expect({ status: refused.status, code: refused.body.error?.code }).toEqual({ status: 503, code: "SERVICE_UNAVAILABLE" });
      // Changes keep their limit closed: 503, no event created.
      const events = async () => (await fixture.asSystem((tx) => tx.select({ id: schema.events.id }).from(schema.events))).length;
      const eventCount = await events();
      const draft = await fixture.request("POST", "/events", organizerToken, eventBody(), { "x-forwarded-for": randomAddress() });
      expect({ status: draft.status, code: draft.body.error?.code }).toEqual({ status: 503, code: "SERVICE_UNAVAILABLE" });
      expect(await events()).toBe(eventCount);

      // Login: counted in this process's bucket (burst 3), not let through uncounted.
      const address = randomAddress();
      const login = (password: string) => call("POST", "/auth/login", { body: { email: buyer.email, password }, address });
      expect((await login(buyer.password)).status).toBe(200);
      expect((await login("wrong-password")).status).toBe(401);
      expect((await login(buyer.password)).status).toBe(200);
      const limited = await login(buyer.password);
      expect({ status: limited.status, code: limited.body.error?.code }).toEqual({ status: 429, code: "RATE_LIMITED" });
      expect(Number(limited.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);

      expect(await snapshot()).toEqual(before);
      const redis = fixture.service.store.redis;
      expect(
        await redis.exists(
          rateLimitKey("login", { kind: "ip", value: address }),
          rateLimitKey("login", { kind: "email", value: buyer.email }),
        ),
      ).toBe(0);
      expect(await authMetrics.registry.metrics()).toMatch(/auth_rate_limit_local_total\{rule="login"[^}]*\} 4\n/);
      expect(await fixture.metrics.registry.metrics()).toMatch(/catalog_rate_limit_unwritable_total\{rule="api"[^}]*\} [1-9]/);
      await eventually(async () =>
        expect(await fixture.metrics.registry.metrics()).toMatch(/catalog_cache_writes_failed_total\{[^}]*\} [1-9]/),
      );
    } finally {
      pauser.resumeAll();
    }

    // Resumed: once a replica is in sync again, the same processes take holds again (polled: the
    // replicas catch up and the Sentinels see them up again within a second or two).
    await eventually(async () => expect(await goodReplicas(master)).toBeGreaterThanOrEqual(1), { timeoutMs: 30_000, intervalMs: 100 });
    const again = await eventually(
      async () => {
        const answer = await reserve();
        expect(answer.status).toBe(201);
        return answer;
      },
      { timeoutMs: 15_000, intervalMs: 200 },
    );
    expect(again.body.data.quantity).toBe(1);
    master.disconnect();
  }, 120_000);

  test("the master lost: after the failover, holds are acknowledged and reads answer before the dead node is back", async () => {
    await eventually(() => replicasLinked(sentinel), { timeoutMs: 30_000, intervalMs: 200 });
    const before = await masterAddress(sentinel);
    const { name } = stackRedisAt(before);
    try {
      // Until the Sentinels promote a replica (seconds) there is no master to read live counts from.
      stack("down", name);
      await eventually(async () => expect(await masterAddress(sentinel)).not.toBe(before), { timeoutMs: 30_000, intervalMs: 100 });
      // The new master has the other replica: writes are acknowledged while the old master is still down.
      await eventually(async () => expect((await reserve()).status).toBe(201), { timeoutMs: 30_000, intervalMs: 200 });
      expect(() => stackRedisAt(before)).toThrow();
      await readAll();
      await everyClientConnected();
    } finally {
      stack("up");
    }
    await eventually(() => replicasLinked(sentinel), { timeoutMs: 60_000, intervalMs: 200 });
  }, 120_000);
});
