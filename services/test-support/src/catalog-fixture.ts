/**
 * A catalog service on the real local stack (Redis through Sentinel) over a fresh, migrated
 * PostgreSQL database of its own, wrapped in the production kernel; plus tenants, organizers and
 * tokens to act with.
 */

import { createCatalogService } from "@booking-rush/catalog/app";
import { type CatalogConfig, catalogSettings } from "@booking-rush/catalog/settings";
import * as schema from "@booking-rush/db/schema";
import { signAccessToken } from "@booking-rush/lib/auth";
import { type ApiRateLimitConfig, apiRateLimitSettings, authSettings, loadConfig } from "@booking-rush/lib/config";
import { inScope, systemScope } from "@booking-rush/lib/data";
import { createHttpApp } from "@booking-rush/lib/http";
import { createLogger, createMetrics } from "@booking-rush/lib/observability";
import { createFreshDatabase } from "./fresh-database";
import { signedInToken } from "./signed-in";
import { stackConfig } from "./stack-config";
import { forgetEvents } from "./test-inventory";

export const jwtSecret = "catalog-tests-signing-secret-0123456789";
export const testAuth = loadConfig({ auth: authSettings }, { JWT_SECRET: jwtSecret }).auth;
const defaults = loadConfig({ catalog: catalogSettings, rateLimit: apiRateLimitSettings }, {});

export async function catalogFixture(
  label: string,
  overrides: { catalog?: Partial<CatalogConfig>; rateLimit?: Partial<ApiRateLimitConfig> } = {},
) {
  const database = await createFreshDatabase(label);
  const logger = createLogger({ service: "catalog-test", level: "error", write: () => {} });
  const metrics = createMetrics("catalog-test");
  const service = createCatalogService(
    {
      // Behind a trusted proxy, so a test can speak for several client addresses (X-Forwarded-For).
      service: { trustProxy: true },
      rateLimit: { ...defaults.rateLimit, ...overrides.rateLimit },
      redis: stackConfig.redis,
      redlock: stackConfig.redlock,
      postgres: { ...stackConfig.postgres, url: database.url },
      auth: testAuth,
      catalog: { ...defaults.catalog, ...overrides.catalog },
    },
    logger,
    metrics,
  );
  const app = createHttpApp(
    { service: { name: "catalog-test", corsOrigins: "*" }, logger, metrics, readiness: { checks: {}, draining: false } },
    [service.routes],
  );
  const db = service.store.db;
  const asSystem = <T>(work: Parameters<typeof inScope<T>>[2]) => inScope(db, systemScope, work);
  await asSystem((tx) =>
    tx.insert(schema.categories).values([
      { name: "Concerts", slug: "concerts" },
      { name: "Sports", slug: "sports" },
    ]),
  );

  async function request(method: string, path: string, token: string | null, body?: unknown, headers: Record<string, string> = {}) {
    const init: RequestInit = { method, headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers } };
    if (body !== undefined) {
      (init.headers as Record<string, string>)["content-type"] = "application/json";
      init.body = typeof body === "string" ? body : JSON.stringify(body);
    }
    const response = await app.handle(new Request(`http://localhost/api/v1${path}`, init));
    // biome-ignore lint/suspicious/noExplicitAny: assertions inspect the shape
    return { status: response.status, body: (await response.json()) as any };
  }

  return {
    app,
    service,
    db,
    metrics,
    database,
    asSystem,
    request,
    /** A tenant with an organizer (and an admin), each with an access token. */
    async tenant(label: string) {
      const { tenant, organizer, admin } = await asSystem(async (tx) => {
        const [tenant] = await tx
          .insert(schema.tenants)
          .values({ name: label, slug: `${label}-${crypto.randomUUID().slice(0, 8)}` })
          .returning();
        const user = (role: "organizer" | "admin") =>
          tx
            .insert(schema.users)
            .values({
              tenantId: tenant!.id,
              email: `${role}-${crypto.randomUUID()}@example.com`,
              passwordHash: "x",
              name: `${label} ${role}`,
              role,
            })
            .returning()
            .then((rows) => rows[0]!);
        return { tenant: tenant!, organizer: await user("organizer"), admin: await user("admin") };
      });
      const token = (user: typeof organizer) =>
        signAccessToken({ id: user.id, email: user.email, role: user.role, tenant_id: tenant.id }, { secret: jwtSecret, ttlSeconds: 900 });
      return { tenantId: tenant.id, organizer, admin, organizerToken: await token(organizer), adminToken: await token(admin) };
    },
    /** Buyers (no tenant) straight in the database, e-mailed `<label>-<n>-<uuid>@example.com`: their rows. */
    buyers(count: number, label = "buyer", name = "Buyer") {
      return asSystem((tx) =>
        tx
          .insert(schema.users)
          .values(
            Array.from({ length: count }, (_, index) => ({
              email: `${label}-${index}-${crypto.randomUUID()}@example.com`,
              passwordHash: "x",
              name,
            })),
          )
          .returning(),
      );
    },
    /** Drops what publishing put into Redis too, so no other test's sweeper or relay meets it. */
    async close() {
      const redis = service.store.redis;
      const published = await asSystem((tx) => tx.select({ id: schema.events.id }).from(schema.events));
      await forgetEvents(
        redis,
        published.map((event) => event.id),
      );
      await service.close();
      await database.drop();
    },
  };
}

export type CatalogFixture = Awaited<ReturnType<typeof catalogFixture>>;

export const buyerToken = (userId = crypto.randomUUID()) => signedInToken({ id: userId }, jwtSecret);

const hoursFromNow = (hours: number) => new Date(Date.now() + hours * 3_600_000).toISOString();

export const eventBody = (overrides: Record<string, unknown> = {}) => ({
  title: "Flash Sale Live",
  description: "One night only",
  category: "concerts",
  venue: "Impact Arena",
  booking_opens_at: hoursFromNow(-1),
  booking_closes_at: hoursFromNow(24),
  max_tickets_per_user: 4,
  ...overrides,
});

/** A draft event with one show (in two days unless told), a general-admission zone and an assigned-seating zone. */
export async function draftWithZones(
  fixture: CatalogFixture,
  token: string,
  overrides: Record<string, unknown> = {},
  { showInHours = 48 } = {},
) {
  const event = (await fixture.request("POST", "/events", token, eventBody(overrides))).body.data;
  const show = (
    await fixture.request("POST", `/events/${event.id}/shows`, token, {
      starts_at: hoursFromNow(showInHours),
      ends_at: hoursFromNow(showInHours + 3),
    })
  ).body.data;
  const general = (await fixture.request("POST", `/shows/${show.id}/zones`, token, { name: "Standing", price: 150_000, total_seats: 100 }))
    .body.data;
  const assigned = (
    await fixture.request("POST", `/shows/${show.id}/zones`, token, {
      name: "Seated",
      price: 300_000,
      rows: [
        { label: "A", seats: 3 },
        { label: "B", seats: 2 },
      ],
    })
  ).body.data;
  return { event, show, general, assigned };
}
