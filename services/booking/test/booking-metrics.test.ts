import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { type BookingFixture, bookingFixture, post, tokenFor } from "@booking-rush/test-support/booking-fixture";
import { seriesValue } from "@booking-rush/test-support/metrics-text";

let fixture: BookingFixture;

beforeAll(async () => {
  fixture = await bookingFixture();
});

afterAll(async () => {
  await fixture.close();
});

/** The /metrics text of the service, as Prometheus scrapes it. */
async function scrape() {
  const response = await fixture.app.handle(new Request("http://localhost/metrics"));
  expect(response.status).toBe(200);
  return response.text();
}

describe("booking metrics on /metrics", () => {
  test("reservations by result, failures by code, script durations and live holds", async () => {
    const sale = await fixture.publish([{ kind: "general", total: 2, price: 1_000 }]);
    const zoneId = sale.zones[0]!.id;
    const winner = await tokenFor(crypto.randomUUID());
    const key = crypto.randomUUID();
    expect((await post(fixture, "/bookings/reserve", winner, { show_id: sale.showId, zone_id: zoneId, quantity: 2 }, key)).status).toBe(
      201,
    );
    expect((await post(fixture, "/bookings/reserve", winner, { show_id: sale.showId, zone_id: zoneId, quantity: 2 }, key)).status).toBe(
      201,
    );
    const loser = await post(fixture, "/bookings/reserve", await tokenFor(crypto.randomUUID()), {
      show_id: sale.showId,
      zone_id: zoneId,
      quantity: 1,
    });
    expect(loser.body.error.code).toBe("INSUFFICIENT_STOCK");

    // Live holds are sampled in the background; sample now rather than wait for the timer.
    expect(await fixture.metrics.refreshSamples()).toBe(true);
    const text = await scrape();
    expect(seriesValue(text, "booking_reservations_total", 'result="reserved"')).toBe(1);
    expect(seriesValue(text, "booking_reservations_total", 'result="replayed"')).toBe(1);
    expect(seriesValue(text, "booking_reservations_total", 'result="rejected"')).toBe(1);
    expect(seriesValue(text, "booking_reservation_failures", 'code="INSUFFICIENT_STOCK"')).toBe(1);
    expect(seriesValue(text, "redis_operation_duration_seconds_count", 'script="reserve"')).toBe(3);
    // Every live hold of every loaded event: at least this sale's.
    expect(seriesValue(text, "active_reservations", "service=")).toBeGreaterThanOrEqual(1);
    const live = await fixture.redis.zcard(sale.keys.expiry);
    expect(live).toBe(1);
  });
});
