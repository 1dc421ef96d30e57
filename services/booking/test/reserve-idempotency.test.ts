import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { type BookingFixture, bookingFixture, post, tokenFor, zoneCounts } from "@booking-rush/test-support/booking-fixture";

let fixture: BookingFixture;
beforeAll(async () => {
  fixture = await bookingFixture();
});
afterAll(() => fixture.close());

describe("idempotency of reserve", () => {
  test("a retried request returns the same booking and holds nothing more", async () => {
    const sale = await fixture.publish([{ kind: "general", total: 10, price: 1 }]);
    const zone = sale.zones[0]!;
    const token = await tokenFor(crypto.randomUUID());
    const body = { show_id: sale.showId, zone_id: zone.id, quantity: 2 };
    const first = await post(fixture, "/bookings/reserve", token, body, "key-retry-1");
    const retry = await post(fixture, "/bookings/reserve", token, { quantity: 2, zone_id: zone.id, show_id: sale.showId }, "key-retry-1");
    expect(first.status).toBe(201);
    expect(retry.status).toBe(201);
    expect(retry.body).toEqual(first.body);
    expect(await zoneCounts(fixture, sale.keys.zone(zone.id))).toMatchObject({ reserved: 2, seq: 1 });
    expect(await fixture.redis.xlen(sale.keys.outbox)).toBe(1);
  });

  test("the same key with another body is 422 IDEMPOTENCY_KEY_REUSED and changes nothing", async () => {
    const sale = await fixture.publish([{ kind: "general", total: 10, price: 1 }]);
    const zone = sale.zones[0]!;
    const token = await tokenFor(crypto.randomUUID());
    expect(
      (await post(fixture, "/bookings/reserve", token, { show_id: sale.showId, zone_id: zone.id, quantity: 1 }, "key-reuse")).status,
    ).toBe(201);
    const reused = await post(fixture, "/bookings/reserve", token, { show_id: sale.showId, zone_id: zone.id, quantity: 3 }, "key-reuse");
    expect(reused.status).toBe(422);
    expect(reused.body.error.code).toBe("IDEMPOTENCY_KEY_REUSED");
    expect(await zoneCounts(fixture, sale.keys.zone(zone.id))).toMatchObject({ reserved: 1, seq: 1 });
  });

  test("keys are per user: another user's identical key is an independent request", async () => {
    const sale = await fixture.publish([{ kind: "general", total: 10, price: 1 }]);
    const zone = sale.zones[0]!;
    const body = { show_id: sale.showId, zone_id: zone.id, quantity: 1 };
    const first = await post(fixture, "/bookings/reserve", await tokenFor(crypto.randomUUID()), body, "shared-key");
    const second = await post(fixture, "/bookings/reserve", await tokenFor(crypto.randomUUID()), body, "shared-key");
    expect(second.status).toBe(201);
    expect(second.body.data.booking_id).not.toBe(first.body.data.booking_id);
  });

  test("fifty concurrent duplicates produce one booking", async () => {
    const sale = await fixture.publish([{ kind: "general", total: 10, price: 1 }]);
    const zone = sale.zones[0]!;
    const token = await tokenFor(crypto.randomUUID());
    const results = await Promise.all(
      Array.from({ length: 50 }, () =>
        post(fixture, "/bookings/reserve", token, { show_id: sale.showId, zone_id: zone.id, quantity: 2 }, "key-concurrent"),
      ),
    );
    expect(results.every((result) => result.status === 201)).toBe(true);
    expect(new Set(results.map((result) => result.body.data.booking_id)).size).toBe(1);
    expect(await zoneCounts(fixture, sale.keys.zone(zone.id))).toMatchObject({ reserved: 2, seq: 1 });
    expect(await fixture.redis.zcard(sale.keys.expiry)).toBe(1);
  });

  test("a POST without Idempotency-Key is a VALIDATION_ERROR naming the header", async () => {
    const sale = await fixture.publish([{ kind: "general", total: 10, price: 1 }]);
    const result = await post(
      fixture,
      "/bookings/reserve",
      await tokenFor(crypto.randomUUID()),
      { show_id: sale.showId, zone_id: sale.zones[0]!.id, quantity: 1 },
      null,
    );
    expect(result.status).toBe(400);
    expect(result.body.error.details.fields[0]).toMatchObject({ in: "headers", field: "idempotency-key" });
  });
});
