/**
 * The buyer's side of the platform in one process, as services/all mounts it: the auth, catalog and
 * booking routes over one fresh database and one signing key, on the real local stack. Organizers
 * build and publish events through the catalog API, buyers register and log in through the auth
 * API and reserve through the booking API: nothing is signed or loaded behind the API's back.
 */
import { createAuthService } from "@booking-rush/auth/app";
import { authServiceSettings } from "@booking-rush/auth/settings";
import { createBookingService } from "@booking-rush/booking/app";
import { bookingSettings, salesSettings } from "@booking-rush/booking/settings";
import type { Redis } from "@booking-rush/lib/clients";
import { authSettings, loadConfig, smtpSettings } from "@booking-rush/lib/config";
import { createHttpApp } from "@booking-rush/lib/http";
import { eventKeys, userBookingsKey } from "@booking-rush/lib/inventory";
import { createLogger, createMetrics } from "@booking-rush/lib/observability";
import { catalogFixture, draftWithZones, jwtSecret } from "@booking-rush/test-support/catalog-fixture";
import { stackConfig } from "@booking-rush/test-support/stack-config";

// biome-ignore lint/suspicious/noExplicitAny: assertions inspect the shape
type AnswerBody = any;

/** `salesStreamMaxSeconds`: how long a GET /admin/sales/stream lasts before the screen must connect again. */
export async function platformFixture(label: string, { salesStreamMaxSeconds = 600 } = {}) {
  const catalog = await catalogFixture(label);
  const logger = createLogger({ service: `${label}-test`, level: "error", write: () => {} });
  const metrics = createMetrics(`${label}-test`);
  const postgres = { ...stackConfig.postgres, url: catalog.database.url };
  const auth = loadConfig({ auth: authSettings }, { JWT_SECRET: jwtSecret }).auth;
  const noLimits = { perMinute: 60_000, burst: 1_000 };
  const authService = createAuthService(
    {
      service: { trustProxy: false },
      redis: stackConfig.redis,
      postgres,
      smtp: loadConfig({ smtp: smtpSettings }, process.env).smtp,
      auth,
      authService: {
        ...loadConfig({ authService: authServiceSettings }, {}).authService,
        passwordHashCost: 4,
        loginRate: noLimits,
        registerRate: noLimits,
      },
    },
    logger,
    metrics,
  );
  const booking = createBookingService(
    {
      redis: stackConfig.redis,
      postgres,
      auth,
      booking: loadConfig({ booking: bookingSettings }, {}).booking,
      sales: loadConfig({ sales: salesSettings }, { SALES_STREAM_MAX_SECONDS: String(salesStreamMaxSeconds) }).sales,
    },
    logger,
    metrics,
  );
  const app = createHttpApp(
    { service: { name: `${label}-test`, corsOrigins: "*" }, logger, metrics, readiness: { checks: {}, draining: false } },
    [authService.routes, catalog.service.routes, booking.routes],
  );
  const organizer = await catalog.tenant("organizer");
  const redis: Redis = booking.store.redis;

  async function call(method: string, path: string, token: string | null, body?: unknown) {
    const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
    if (body !== undefined) headers["content-type"] = "application/json";
    // Every POST that creates or changes a booking needs one (API.md).
    if (method === "POST" && path.startsWith("/bookings/")) headers["idempotency-key"] = crypto.randomUUID();
    const response = await app.handle(
      new Request(`http://localhost/api/v1${path}`, { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) }),
    );
    return { status: response.status, body: (await response.json()) as AnswerBody };
  }

  return {
    app,
    redis,
    call,
    organizerToken: organizer.organizerToken,
    /** A buyer registered through the API (with a date of birth when given); their login's access token. */
    async buyer(dateOfBirth?: string) {
      const email = `buyer-${crypto.randomUUID().slice(0, 12)}@example.com`;
      const registered = await call("POST", "/auth/register", null, {
        email,
        password: "correct-horse-9",
        name: "Buyer",
        ...(dateOfBirth === undefined ? {} : { date_of_birth: dateOfBirth }),
      });
      if (registered.status !== 201) throw new Error(`register: ${registered.status} ${JSON.stringify(registered.body)}`);
      return {
        id: registered.body.data.user.id as string,
        token: registered.body.data.tokens.access_token as string,
        refreshToken: registered.body.data.tokens.refresh_token as string,
      };
    },
    /** An event with a general-admission zone (100 seats) and an assigned zone (5 seats), published through the catalog API. */
    async publishedEvent(fields: Record<string, unknown> = {}) {
      const sale = await draftWithZones(catalog, organizer.organizerToken, fields);
      const published = await call("POST", `/events/${sale.event.id}/publish`, organizer.organizerToken);
      if (published.status !== 200) throw new Error(`publish: ${published.status} ${JSON.stringify(published.body)}`);
      const seats = await call("GET", `/shows/${sale.show.id}/seats?zone_id=${sale.assigned.id}`, null);
      return { ...sale, keys: eventKeys(sale.event.id), seatIds: seats.body.data.map((seat: { id: string }) => seat.id) as string[] };
    },
    /**
     * Every key of the event but the buyers' rate-limit buckets (each attempt that reaches the
     * sale's checks spends a token, by design: lua/reserve.lua), and the buyers' booking lists,
     * dumped: what a refused request must leave exactly as it was.
     */
    async snapshot(eventId: string, userIds: string[]) {
      const keys = (await redis.keys(`${eventKeys(eventId).tag}*`)).filter((key) => !key.includes(":rate:"));
      keys.push(...userIds.map(userBookingsKey));
      keys.sort();
      return Object.fromEntries(await Promise.all(keys.map(async (key) => [key, (await redis.dumpBuffer(key))?.toString("hex") ?? null])));
    },
    async close() {
      await booking.close();
      await authService.close();
      await catalog.close();
    },
  };
}

export type PlatformFixture = Awaited<ReturnType<typeof platformFixture>>;
