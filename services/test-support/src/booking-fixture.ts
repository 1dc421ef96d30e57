/**
 * A booking service on the real local stack, wrapped in the production kernel, plus a freshly
 * published event of its own (unique ids, so tests never see each other's inventory).
 */

import { createBookingService } from "@booking-rush/booking/app";
import { bookingView } from "@booking-rush/booking/booking-view";
import { confirmBooking } from "@booking-rush/booking/reservations";
import {
  type BookingConfig,
  bookingSettings,
  type QueueConfig,
  queueSettings,
  type SalesConfig,
  salesSettings,
} from "@booking-rush/booking/settings";
import { authSettings, loadConfig } from "@booking-rush/lib/config";
import { AppError, errorStatus } from "@booking-rush/lib/errors";
import { createHttpApp } from "@booking-rush/lib/http";
import { type EventInventory, eventKeys, type ZoneInventory } from "@booking-rush/lib/inventory";
import { createLogger, createMetrics } from "@booking-rush/lib/observability";
import { signedInToken } from "./signed-in";
import { stackConfig } from "./stack-config";
import { forgetEvents, loadTestSale } from "./test-inventory";

export const jwtSecret = "booking-tests-signing-secret-0123456789";
const defaults = loadConfig({ booking: bookingSettings }, {}).booking;
export const queuePassSecret = "booking-tests-queue-pass-secret-0123456789";
const queueDefaults = loadConfig({ queue: queueSettings }, { QUEUE_PASS_SECRET: queuePassSecret }).queue;
const salesDefaults = loadConfig({ sales: salesSettings }, {}).sales;
export const testAuth = loadConfig({ auth: authSettings }, { JWT_SECRET: jwtSecret }).auth;

/** `databaseUrl`: where payments and users are read (a catalog fixture's fresh database, when the test has one). */
export async function bookingFixture(
  overrides: Partial<BookingConfig> = {},
  options: { databaseUrl?: string; queue?: Partial<QueueConfig>; sales?: Partial<SalesConfig> } = {},
) {
  const logger = createLogger({ service: "booking-test", level: "error", write: () => {} });
  const metrics = createMetrics("booking-test");
  const service = createBookingService(
    {
      redis: stackConfig.redis,
      postgres: { ...stackConfig.postgres, url: options.databaseUrl ?? stackConfig.postgres.url },
      auth: testAuth,
      booking: { ...defaults, ...overrides },
      queue: { ...queueDefaults, ...options.queue },
      sales: { ...salesDefaults, ...options.sales },
    },
    logger,
    metrics,
  );
  const app = createHttpApp(
    { service: { name: "booking-test", corsOrigins: "*" }, logger, metrics, readiness: { checks: {}, draining: false } },
    [service.routes],
  );
  const loaded: string[] = [];
  return {
    app,
    service,
    redis: service.store.redis,
    metrics,
    async publish(zones: Omit<ZoneInventory, "id">[], event: Partial<Omit<EventInventory, "id" | "shows">> = {}) {
      const inventory = await loadTestSale(service.store.redis, zones, event);
      loaded.push(inventory.id);
      const show = inventory.shows[0]!;
      return { eventId: inventory.id, showId: show.id, zones: show.zones, keys: eventKeys(inventory.id) };
    },
    async close() {
      await forgetEvents(service.store.redis, loaded);
      await service.close();
    },
  };
}

export type BookingFixture = Awaited<ReturnType<typeof bookingFixture>>;

/** A response body as the loosely typed JSON the assertions inspect. */
// biome-ignore lint/suspicious/noExplicitAny: assertions inspect the shape
type AnswerBody = any;

export const tokenFor = (userId: string, role: "user" | "admin" = "user", tenantId: string | null = null) =>
  signedInToken({ id: userId, role, tenantId }, jwtSecret);

export async function post(
  fixture: BookingFixture,
  path: string,
  token: string,
  body: unknown,
  idempotencyKey: string | null = crypto.randomUUID(),
) {
  const headers: Record<string, string> = { authorization: `Bearer ${token}`, "content-type": "application/json" };
  if (idempotencyKey !== null) headers["idempotency-key"] = idempotencyKey;
  const response = await fixture.app.handle(
    new Request(`http://localhost/api/v1${path}`, {
      method: "POST",
      headers,
      body: typeof body === "string" ? body : JSON.stringify(body),
    }),
  );
  return { status: response.status, body: (await response.json()) as AnswerBody, headers: response.headers };
}

export async function get(fixture: BookingFixture, path: string, token: string) {
  const response = await fixture.app.handle(
    new Request(`http://localhost/api/v1${path}`, { headers: { authorization: `Bearer ${token}` } }),
  );
  return { status: response.status, body: (await response.json()) as AnswerBody };
}

/**
 * Confirms as the payment saga does on `payment.succeeded`: no buyer, so no payment row is looked
 * up. For tests about what follows a paid confirmation; a buyer's own confirm, which must name a
 * real succeeded payment, is covered by confirm-payment.test.ts. Answers like the API would.
 */
export async function confirmPaid(fixture: BookingFixture, bookingId: string, paymentId: string = crypto.randomUUID()) {
  try {
    const booking = await confirmBooking(fixture.service.store, { bookingId, userId: "", paymentId });
    return { status: 200, body: { success: true, data: bookingView(booking) } as AnswerBody };
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
    return {
      status: errorStatus[error.code] as number,
      body: { success: false, error: { code: error.code, details: error.details } } as AnswerBody,
    };
  }
}

/** Total / reserved / sold / seq of a zone, straight from Redis. */
export async function zoneCounts(fixture: BookingFixture, key: string) {
  const [total, reserved, sold, seq] = await fixture.redis.hmget(key, "total", "reserved", "sold", "seq");
  return { total: Number(total), reserved: Number(reserved), sold: Number(sold), seq: Number(seq) };
}
