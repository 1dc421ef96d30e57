import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { signAccessToken } from "@booking-rush/lib/auth";
import { closeRedis } from "@booking-rush/lib/clients";
import { loadConfig } from "@booking-rush/lib/config";
import { createHttpApp } from "@booking-rush/lib/http";
import { createLogger, createMetrics } from "@booking-rush/lib/observability";
import {
  type BookingFixture,
  bookingFixture,
  confirmPaid,
  get,
  post,
  testAuth,
  tokenFor,
  zoneCounts,
} from "@booking-rush/test-support/booking-fixture";
import { eventually } from "@booking-rush/test-support/eventually";
import { stackConfig } from "@booking-rush/test-support/stack-config";
import { createBookingService } from "../src/app";
import { bookingSettings } from "../src/settings";

let fixture: BookingFixture;
let shortHold: BookingFixture;
beforeAll(async () => {
  fixture = await bookingFixture();
  shortHold = await bookingFixture({ holdMs: 1_000 });
});
afterAll(async () => {
  await fixture.close();
  await shortHold.close();
});

async function reserve(target: BookingFixture, quantity = 2) {
  const sale = await target.publish([{ kind: "general", total: 10, price: 1 }]);
  const zone = sale.zones[0]!;
  const user = crypto.randomUUID();
  const token = await tokenFor(user);
  const reserved = await post(target, "/bookings/reserve", token, { show_id: sale.showId, zone_id: zone.id, quantity });
  expect(reserved.status).toBe(201);
  return { sale, zone, user, token, bookingId: reserved.body.data.booking_id as string, reserved: reserved.body.data };
}

async function outboxTypes(target: BookingFixture, stream: string) {
  const entries = await target.redis.xrange(stream, "-", "+");
  return entries.map(([, fields]) => fields[fields.indexOf("type") + 1]);
}

describe("booking lifecycle", () => {
  test("reserve answers the contract's shape", async () => {
    const { reserved } = await reserve(fixture);
    expect(reserved).toMatchObject({ status: "reserved", quantity: 2, remaining: 8 });
    expect(Date.parse(reserved.expires_at) - Date.now()).toBeGreaterThan(590_000);
    expect(reserved.expires_at).toMatch(/Z$/);
  });

  test("confirm turns the hold into sold; confirming again with the same payment changes nothing", async () => {
    const { sale, zone, bookingId } = await reserve(fixture);
    const paymentId = crypto.randomUUID();
    const confirmed = await confirmPaid(fixture, bookingId, paymentId);
    expect(confirmed.status).toBe(200);
    expect(confirmed.body.data).toMatchObject({ status: "confirmed", payment_id: paymentId });
    expect(await zoneCounts(fixture, sale.keys.zone(zone.id))).toMatchObject({ reserved: 0, sold: 2, seq: 2 });
    const again = await confirmPaid(fixture, bookingId, paymentId);
    expect(again.status).toBe(200);
    const otherPayment = await confirmPaid(fixture, bookingId, crypto.randomUUID());
    expect(otherPayment.status).toBe(409);
    expect(await zoneCounts(fixture, sale.keys.zone(zone.id))).toMatchObject({ reserved: 0, sold: 2, seq: 2 });
    expect(await fixture.redis.zcard(sale.keys.expiry)).toBe(0);
    expect(await outboxTypes(fixture, sale.keys.outbox)).toEqual(["booking.created", "booking.confirmed"]);
  });

  test("cancel puts the seats back on sale at once", async () => {
    const { sale, zone, token, bookingId } = await reserve(fixture, 3);
    const cancelled = await post(fixture, `/bookings/${bookingId}/cancel`, token, {});
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.data.status).toBe("cancelled");
    expect(await zoneCounts(fixture, sale.keys.zone(zone.id))).toMatchObject({ reserved: 0, sold: 0, seq: 2 });
    expect(await fixture.redis.hlen(sale.keys.userTickets)).toBe(0);
    expect((await post(fixture, `/bookings/${bookingId}/cancel`, token, {})).status).toBe(200);
    expect(await outboxTypes(fixture, sale.keys.outbox)).toEqual(["booking.created", "booking.cancelled"]);
    const confirmCancelled = await confirmPaid(fixture, bookingId, crypto.randomUUID());
    expect(confirmCancelled.status).toBe(409);
  });

  test("another user's booking is NOT_FOUND for reading, confirming and cancelling", async () => {
    const { bookingId } = await reserve(fixture);
    const stranger = await tokenFor(crypto.randomUUID());
    expect((await get(fixture, `/bookings/${bookingId}`, stranger)).status).toBe(404);
    expect((await post(fixture, `/bookings/${bookingId}/confirm`, stranger, { payment_id: crypto.randomUUID() })).status).toBe(404);
    expect((await post(fixture, `/bookings/${bookingId}/cancel`, stranger, {})).status).toBe(404);
  });

  test("an admin of the event's tenant can read any of its bookings; an admin of another tenant cannot", async () => {
    const sale = await fixture.publish([{ kind: "general", total: 10, price: 1 }], { tenantId: "6c1e9a1e-7d3b-4a55-9f0e-2b8d4c6a1f30" });
    const reserved = await post(fixture, "/bookings/reserve", await tokenFor(crypto.randomUUID()), {
      show_id: sale.showId,
      zone_id: sale.zones[0]!.id,
      quantity: 1,
    });
    const path = `/bookings/${reserved.body.data.booking_id}`;
    expect((await get(fixture, path, await tokenFor(crypto.randomUUID(), "admin", "6c1e9a1e-7d3b-4a55-9f0e-2b8d4c6a1f30"))).status).toBe(
      200,
    );
    expect((await get(fixture, path, await tokenFor(crypto.randomUUID(), "admin", crypto.randomUUID()))).status).toBe(404);
  });

  test("list (newest first, paginated), pending and get", async () => {
    const sale = await fixture.publish([{ kind: "general", total: 20, price: 1 }], { maxTicketsPerUser: 10 });
    const token = await tokenFor(crypto.randomUUID());
    const ids: string[] = [];
    for (let index = 0; index < 3; index += 1) {
      const result = await post(fixture, "/bookings/reserve", token, { show_id: sale.showId, zone_id: sale.zones[0]!.id, quantity: 1 });
      ids.push(result.body.data.booking_id);
      await eventually(async () => expect(Date.now()).toBeGreaterThan(Date.parse(result.body.data.created_at)), { timeoutMs: 1_000 });
    }
    await post(fixture, `/bookings/${ids[0]}/cancel`, token, {});
    const firstPage = await get(fixture, "/bookings?page=1&per_page=2", token);
    expect(firstPage.status).toBe(200);
    expect(firstPage.body.meta).toEqual({ page: 1, per_page: 2, total: 3 });
    expect(firstPage.body.data.map((booking: { booking_id: string }) => booking.booking_id)).toEqual([ids[2], ids[1]]);
    const secondPage = await get(fixture, "/bookings?page=2&per_page=2", token);
    expect(secondPage.body.data.map((booking: { booking_id: string }) => booking.booking_id)).toEqual([ids[0]]);
    const pending = await get(fixture, "/bookings/pending", token);
    expect(pending.body.data.map((booking: { booking_id: string }) => booking.booking_id).sort()).toEqual([ids[1], ids[2]].sort());
    const one = await get(fixture, `/bookings/${ids[0]}`, token);
    expect(one.body.data).toMatchObject({ booking_id: ids[0], status: "cancelled" });
    expect((await get(fixture, "/bookings?per_page=1000", token)).status).toBe(400);
  });

  test("a hold past its time cannot be confirmed: 410, seats back, booking.expired written", async () => {
    const { sale, zone, token, bookingId } = await reserve(shortHold, 2);
    await eventually(
      async () => expect(Date.now()).toBeGreaterThan(Number(await shortHold.redis.hget(sale.keys.booking(bookingId), "expires_at_ms"))),
      { timeoutMs: 3_000 },
    );
    const late = await confirmPaid(shortHold, bookingId, crypto.randomUUID());
    expect(late.status).toBe(410);
    expect(late.body.error.code).toBe("RESERVATION_EXPIRED");
    expect(await zoneCounts(shortHold, sale.keys.zone(zone.id))).toMatchObject({ reserved: 0, sold: 0, seq: 2 });
    expect(await outboxTypes(shortHold, sale.keys.outbox)).toEqual(["booking.created", "booking.expired"]);
    const again = await confirmPaid(shortHold, bookingId, crypto.randomUUID());
    expect(again.status).toBe(410);
    expect((await get(shortHold, `/bookings/${bookingId}`, token)).body.data.status).toBe("expired");
  });
});

describe("tokens that prove nothing", () => {
  test("a well-signed token for a user that does not exist is 401 on reserve and on reading, and nothing changes", async () => {
    const sale = await fixture.publish([{ kind: "general", total: 10, price: 1 }]);
    const zoneKey = sale.keys.zone(sale.zones[0]!.id);
    const before = await fixture.redis.hgetall(zoneKey);
    // Signed with the service's secret, but no such user: no auth state, no row to fill it from.
    const ghost = await signAccessToken(
      { id: crypto.randomUUID(), email: "ghost@example.com", role: "user", tenant_id: null },
      { secret: testAuth.jwtSecret, ttlSeconds: 900 },
    );
    const reserved = await post(fixture, "/bookings/reserve", ghost, { show_id: sale.showId, zone_id: sale.zones[0]!.id, quantity: 1 });
    expect(reserved.status).toBe(401);
    expect(reserved.body.error.code).toBe("UNAUTHORIZED");
    expect((await get(fixture, "/bookings", ghost)).status).toBe(401);
    expect(await fixture.redis.hgetall(zoneKey)).toEqual(before);
    expect(await fixture.redis.hlen(sale.keys.userTickets)).toBe(0);
  });
});

describe("Redis unreachable", () => {
  test("reserve answers 503 SERVICE_UNAVAILABLE and nothing changes", async () => {
    const sale = await fixture.publish([{ kind: "general", total: 10, price: 1 }]);
    const logger = createLogger({ service: "down-test", level: "error", write: () => {} });
    const metrics = createMetrics("down-test");
    // Sentinels nobody listens on: the master cannot be found.
    const unreachable = { ...stackConfig.redis, sentinels: [{ host: "127.0.0.1", port: 1 }], commandTimeoutMs: 300 };
    const service = createBookingService(
      { redis: unreachable, postgres: stackConfig.postgres, auth: testAuth, booking: loadConfig({ booking: bookingSettings }, {}).booking },
      logger,
      metrics,
    );
    const app = createHttpApp(
      { service: { name: "down-test", corsOrigins: "*" }, logger, metrics, readiness: { checks: {}, draining: false } },
      [service.routes],
    );
    try {
      const response = await app.handle(
        new Request("http://localhost/api/v1/bookings/reserve", {
          method: "POST",
          headers: {
            authorization: `Bearer ${await tokenFor(crypto.randomUUID())}`,
            "content-type": "application/json",
            "idempotency-key": "down-1",
          },
          body: JSON.stringify({ show_id: sale.showId, zone_id: sale.zones[0]!.id, quantity: 1 }),
        }),
      );
      expect(response.status).toBe(503);
      const body = (await response.json()) as { error: { code: string } };
      expect(body.error.code).toBe("SERVICE_UNAVAILABLE");
      expect(await zoneCounts(fixture, sale.keys.zone(sale.zones[0]!.id))).toMatchObject({ reserved: 0, seq: 0 });
    } finally {
      // closeRedis, not disconnect(): a client that ends otherwise is connected again (keepConnected).
      await closeRedis(service.store.redis);
      for (const connection of service.store.scripts.connections) await closeRedis(connection);
      await service.postgres.close();
    }
  });
});
