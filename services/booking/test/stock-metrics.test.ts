/**
 * What the booking service exports from Redis for the dashboards and alerts (stock-metrics.ts,
 * reconciler-outcome-metrics.ts): the live stock of a published event's zones, following the sale
 * by its background sampler alone; and every such value in a scrape that does no I/O.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import * as schema from "@booking-rush/db/schema";
import { eventKeys } from "@booking-rush/lib/inventory";
import { reconcilerRunResults, zoneOutcomes } from "@booking-rush/reconciler";
import { type BookingFixture, bookingFixture, post, tokenFor } from "@booking-rush/test-support/booking-fixture";
import { type CatalogFixture, catalogFixture, draftWithZones } from "@booking-rush/test-support/catalog-fixture";
import { eventually } from "@booking-rush/test-support/eventually";
import { seriesValue, timedScrape } from "@booking-rush/test-support/metrics-text";
import { eq } from "drizzle-orm";

let catalog: CatalogFixture;
let booking: BookingFixture;

beforeAll(async () => {
  catalog = await catalogFixture("stock-metrics");
  // The booking service reads the catalog's database: that is where its sampler finds the zones.
  booking = await bookingFixture({}, { databaseUrl: catalog.database.url });
});

afterAll(async () => {
  await booking.close();
  await catalog.close();
});

/** The booking service's /metrics, as Prometheus scrapes it. */
async function scrape(fixture: BookingFixture = booking) {
  const response = await fixture.app.handle(new Request("http://localhost/metrics"));
  expect(response.status).toBe(200);
  return response.text();
}

const seats = (text: string, zoneId: string, state: string) => seriesValue(text, "inventory_seats", `zone="${zoneId}",state="${state}"`);

async function publishedSale(overrides: Record<string, unknown> = {}) {
  const acme = await catalog.tenant("acme");
  const sale = await draftWithZones(catalog, acme.organizerToken, overrides);
  expect((await catalog.request("POST", `/events/${sale.event.id}/publish`, acme.organizerToken)).status).toBe(200);
  return sale;
}

async function buyerToken() {
  const [user] = await catalog.buyers(1, "stock");
  return tokenFor(user!.id);
}

/** The sampler's default interval is 10 s; the deadline leaves a loaded machine room for one more. */
const withinASample = { timeoutMs: 25_000, intervalMs: 250 };

describe("inventory_seats, exported by the booking service", () => {
  test("shows every zone of a published event and follows a reservation on the sampler's own timer", async () => {
    const sale = await publishedSale();
    // No refreshSamples(): the background timer alone brings the new event's zones.
    const first = await eventually(async () => {
      const text = await scrape();
      expect(seats(text, sale.general.id, "total")).toBe(100);
      expect(seats(text, sale.assigned.id, "total")).toBe(5);
      return text;
    }, withinASample);
    expect(seats(first, sale.general.id, "available")).toBe(100);
    expect(seats(first, sale.general.id, "reserved")).toBe(0);
    expect(seats(first, sale.general.id, "sold")).toBe(0);
    expect(seats(first, sale.assigned.id, "available")).toBe(5);
    // Nobody waits yet: 0, so the waitlist panel has its series before the first waiting booking.
    expect(seats(first, sale.general.id, "waitlisted")).toBe(0);

    const hold = await post(booking, "/bookings/reserve", await buyerToken(), {
      show_id: sale.show.id,
      zone_id: sale.general.id,
      quantity: 3,
    });
    expect(hold.status).toBe(201);
    await eventually(async () => {
      const text = await scrape();
      expect(seats(text, sale.general.id, "available")).toBe(97);
      expect(seats(text, sale.general.id, "reserved")).toBe(3);
    }, withinASample);
    // What Redis holds, exactly.
    expect(await booking.redis.hmget(eventKeys(sale.event.id).zone(sale.general.id), "total", "reserved", "sold")).toEqual([
      "100",
      "3",
      "0",
    ]);
  }, 90_000);

  test("state waitlisted is the zone's count of bookings waiting for seats", async () => {
    const sale = await publishedSale({ waitlist_limit: 5 });
    const seatIds = (
      await catalog.asSystem((tx) => tx.select({ id: schema.seats.id }).from(schema.seats).where(eq(schema.seats.zoneId, sale.assigned.id)))
    ).map((row) => row.id);
    // Seated (5 seats) taken by two buyers, then three more wait for a taken seat.
    for (const chosen of [seatIds.slice(0, 4), seatIds.slice(4)])
      expect((await post(booking, "/bookings/reserve", await buyerToken(), { show_id: sale.show.id, seat_ids: chosen })).status).toBe(201);
    for (let index = 0; index < 3; index++) {
      const joined = await post(booking, "/bookings/reserve", await buyerToken(), {
        show_id: sale.show.id,
        seat_ids: [seatIds[index]!],
        join_waitlist: true,
      });
      expect([joined.status, joined.body.data.status]).toEqual([201, "waitlisted"]);
    }
    expect(await booking.metrics.refreshSamples()).toBe(true);
    const text = await scrape();
    expect(seats(text, sale.assigned.id, "waitlisted")).toBe(3);
    expect(seats(text, sale.assigned.id, "available")).toBe(0);
    expect(seats(text, sale.general.id, "waitlisted")).toBe(0);
  }, 60_000);

  test("a zone that leaves Redis leaves the metric with the next sample", async () => {
    const sale = await publishedSale();
    expect(await booking.metrics.refreshSamples()).toBe(true);
    expect(seats(await scrape(), sale.general.id, "total")).toBe(100);
    await booking.redis.del(eventKeys(sale.event.id).zone(sale.general.id));
    expect(await booking.metrics.refreshSamples()).toBe(true);
    const text = await scrape();
    expect(seats(text, sale.general.id, "total")).toBeUndefined();
    expect(seats(text, sale.assigned.id, "total")).toBe(5);
  }, 60_000);
});

describe("a scrape of the Redis-sourced values", () => {
  test("does no Redis or PostgreSQL I/O: with both clients closed it still answers with the last sample, whose age grows", async () => {
    const sale = await publishedSale();
    const service = await bookingFixture({}, { databaseUrl: catalog.database.url });
    try {
      expect(await service.metrics.refreshSamples()).toBe(true);
      const before = await scrape(service);
      expect(seats(before, sale.general.id, "available")).toBe(100);
      // Every known result and outcome is exported once sampled (0 when none was counted).
      for (const result of reconcilerRunResults)
        expect(seriesValue(before, "reconciler_runs_total", `result="${result}"`)).toBeGreaterThanOrEqual(0);
      for (const outcome of zoneOutcomes)
        expect(seriesValue(before, "reconciler_zones_total", `outcome="${outcome}"`)).toBeGreaterThanOrEqual(0);

      // Redis and PostgreSQL out of reach for this service: a read of either now fails at once (the
      // sampler's refresh says so), so a scrape that read either would fail too. (No time bound: the
      // suite runs on a loaded machine.)
      await service.service.close();
      expect(await service.metrics.refreshSamples()).toBe(false);
      const after = await timedScrape(service.metrics);
      for (const [name, labels] of [
        ["inventory_seats", `zone="${sale.general.id}",state="available"`],
        ["inventory_seats", `zone="${sale.assigned.id}",state="total"`],
        ["reconciler_runs_total", 'result="clean"'],
        ["reconciler_zones_total", 'outcome="clean"'],
        ["reconciler_last_success_timestamp_seconds", ""],
      ] as const) {
        expect(seriesValue(before, name, labels)).toBeDefined();
        expect(seriesValue(after.text, name, labels)).toBe(seriesValue(before, name, labels)!);
      }
      await eventually(
        async () => {
          const text = (await timedScrape(service.metrics)).text;
          expect(seriesValue(text, "metrics_sample_age_seconds", 'source="inventory_seats"')).toBeGreaterThan(0.5);
          expect(seriesValue(text, "metrics_sample_age_seconds", 'source="reconciler"')).toBeGreaterThan(0.5);
        },
        { timeoutMs: 10_000, intervalMs: 100 },
      );
    } finally {
      service.metrics.stopSampling();
    }
  }, 60_000);
});
