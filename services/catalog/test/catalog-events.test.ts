import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import * as schema from "@booking-rush/db/schema";
import { eventKeys } from "@booking-rush/lib/inventory";
import {
  type BookingFixture,
  bookingFixture,
  post as bookingPost,
  tokenFor as bookingToken,
} from "@booking-rush/test-support/booking-fixture";
import { buyerToken, type CatalogFixture, catalogFixture, draftWithZones, eventBody } from "@booking-rush/test-support/catalog-fixture";
import { eq } from "drizzle-orm";

let fixture: CatalogFixture;
let booking: BookingFixture;
let acme: Awaited<ReturnType<CatalogFixture["tenant"]>>;

beforeAll(async () => {
  fixture = await catalogFixture("catalog_events");
  booking = await bookingFixture();
  acme = await fixture.tenant("acme");
});

afterAll(async () => {
  await booking.close();
  await fixture.close();
});

describe("catalog: from draft to a published sale", () => {
  test("an organizer builds a draft; the public cannot see it; publishing makes it browsable with live availability", async () => {
    const { event, show, general, assigned } = await draftWithZones(fixture, acme.organizerToken, { title: "Draft Then Live" });
    expect(event).toMatchObject({
      status: "draft",
      tenant_id: acme.tenantId,
      category: "concerts",
      max_tickets_per_user: 4,
      published_at: null,
    });
    expect(general).toMatchObject({ kind: "general_admission", total_seats: 100, available: 100 });
    expect(assigned).toMatchObject({
      kind: "assigned",
      total_seats: 5,
      rows: [
        { label: "A", seats: 3 },
        { label: "B", seats: 2 },
      ],
    });

    expect((await fixture.request("GET", `/events/${event.id}`, null)).status).toBe(404);
    expect((await fixture.request("GET", `/events/${event.id}`, await buyerToken())).status).toBe(404);
    expect((await fixture.request("GET", `/shows/${show.id}/zones`, null)).status).toBe(404);
    expect((await fixture.request("GET", `/events/${event.id}`, acme.organizerToken)).body.data.status).toBe("draft");

    const published = await fixture.request("POST", `/events/${event.id}/publish`, acme.organizerToken);
    expect(published.status).toBe(200);
    expect(published.body.data.status).toBe("published");
    expect(Date.parse(published.body.data.published_at)).toBeGreaterThan(0);

    const detail = await fixture.request("GET", `/events/${event.id}`, null);
    expect(detail.status).toBe(200);
    expect(detail.body.data.shows).toEqual([show]);
    const list = await fixture.request("GET", "/events?per_page=100", null);
    expect(list.body.data.map((item: { id: string }) => item.id)).toContain(event.id);

    // A buyer holds seats through the booking service; the catalog shows it at once.
    const buyer = await bookingToken(crypto.randomUUID());
    expect((await bookingPost(booking, "/bookings/reserve", buyer, { show_id: show.id, zone_id: general.id, quantity: 3 })).status).toBe(
      201,
    );
    const seats = await fixture.request("GET", `/shows/${show.id}/seats?zone_id=${assigned.id}`, null);
    const seatA1 = seats.body.data.find(
      (seat: { row_label: string; seat_number: number }) => seat.row_label === "A" && seat.seat_number === 1,
    );
    expect((await bookingPost(booking, "/bookings/reserve", buyer, { show_id: show.id, seat_ids: [seatA1.id] })).status).toBe(201);

    const zones = await fixture.request("GET", `/shows/${show.id}/zones`, null);
    expect(zones.status).toBe(200);
    const byName = Object.fromEntries(zones.body.data.map((zone: { name: string }) => [zone.name, zone]));
    expect(byName.Standing).toMatchObject({ total_seats: 100, available: 97, reserved: 3, sold: 0, price: 150_000 });
    expect(byName.Seated).toMatchObject({ total_seats: 5, available: 4, reserved: 1, sold: 0 });
    const seatStates = (await fixture.request("GET", `/shows/${show.id}/seats?zone_id=${assigned.id}`, null)).body.data;
    expect(seatStates).toHaveLength(5);
    expect(seatStates.filter((seat: { state: string }) => seat.state === "held").map((seat: { id: string }) => seat.id)).toEqual([
      seatA1.id,
    ]);
  });

  test("a zone whose free seats are kept for its waitlist shows none available, and how many wait", async () => {
    const { event, show, assigned } = await draftWithZones(fixture, acme.organizerToken, { waitlist_limit: 5 });
    expect((await fixture.request("POST", `/events/${event.id}/publish`, acme.organizerToken)).status).toBe(200);
    const seatIds = (await fixture.request("GET", `/shows/${show.id}/seats?zone_id=${assigned.id}`, null)).body.data.map(
      (seat: { id: string }) => seat.id,
    );
    const holder = await bookingToken(crypto.randomUUID());
    const hold = await bookingPost(booking, "/bookings/reserve", holder, { show_id: show.id, seat_ids: seatIds.slice(0, 4) });
    await bookingPost(booking, "/bookings/reserve", await bookingToken(crypto.randomUUID()), { show_id: show.id, seat_ids: [seatIds[4]] });
    // Two buyers wait for three seats each.
    for (let index = 0; index < 2; index += 1) {
      const place = await bookingPost(booking, "/bookings/reserve", await bookingToken(crypto.randomUUID()), {
        show_id: show.id,
        seat_ids: seatIds.slice(0, 3),
        join_waitlist: true,
      });
      expect(place.body.data.status).toBe("waitlisted");
    }
    expect((await bookingPost(booking, `/bookings/${hold.body.data.booking_id}/cancel`, holder, {})).status).toBe(200);
    const seated = (await fixture.request("GET", `/shows/${show.id}/zones`, null)).body.data.find(
      (zone: { id: string }) => zone.id === assigned.id,
    );
    // 4 seats back: the first (3) holds them; 1 is free, kept for the second (3), who still waits.
    expect(seated).toMatchObject({ total_seats: 5, available: 0, reserved: 4, sold: 0, waitlisted: 1 });
  });

  test("publishing again changes nothing: counts are never reset, the inventory is not reloaded", async () => {
    const { event, show, general } = await draftWithZones(fixture, acme.organizerToken);
    const first = await fixture.request("POST", `/events/${event.id}/publish`, acme.organizerToken);
    const buyer = await bookingToken(crypto.randomUUID());
    expect((await bookingPost(booking, "/bookings/reserve", buyer, { show_id: show.id, zone_id: general.id, quantity: 2 })).status).toBe(
      201,
    );
    const again = await fixture.request("POST", `/events/${event.id}/publish`, acme.organizerToken);
    expect(again.status).toBe(200);
    expect(again.body.data.published_at).toBe(first.body.data.published_at);
    const [reserved] = await fixture.service.store.redis.hmget(eventKeys(event.id).zone(general.id), "reserved");
    expect(Number(reserved)).toBe(2);
  });

  test("a published event's window, limits, min age and waitlist limit reach the sale in Redis at once; a draft's do not", async () => {
    const { event } = await draftWithZones(fixture, acme.organizerToken);
    expect(event).toMatchObject({ min_age: null, waitlist_limit: 0 });
    const eventHash = eventKeys(event.id).event;
    const redis = fixture.service.store.redis;
    const sale = async () => {
      const [minAge, waitlistLimit, maxPerUser, opensAt, closesAt] = await redis.hmget(
        eventHash,
        "min_age",
        "waitlist_limit",
        "max_per_user",
        "opens_at_ms",
        "closes_at_ms",
      );
      return { minAge, waitlistLimit, maxPerUser, opensAt: Number(opensAt), closesAt: Number(closesAt) };
    };
    const draftChange = await fixture.request("PUT", `/events/${event.id}`, acme.organizerToken, { min_age: 20, waitlist_limit: 7 });
    expect(draftChange.body.data).toMatchObject({ min_age: 20, waitlist_limit: 7 });
    expect(await redis.exists(eventHash)).toBe(0);

    await fixture.request("POST", `/events/${event.id}/publish`, acme.organizerToken);
    expect(await sale()).toMatchObject({ minAge: "20", waitlistLimit: "7", maxPerUser: "4" });

    const closesAt = new Date(Date.now() + 5 * 3_600_000);
    const changed = await fixture.request("PUT", `/events/${event.id}`, acme.organizerToken, {
      min_age: 18,
      waitlist_limit: 50,
      max_tickets_per_user: 6,
      booking_closes_at: closesAt.toISOString(),
    });
    expect(changed.status).toBe(200);
    expect(changed.body.data).toMatchObject({ min_age: 18, waitlist_limit: 50, max_tickets_per_user: 6 });
    expect(await sale()).toMatchObject({ minAge: "18", waitlistLimit: "50", maxPerUser: "6", closesAt: closesAt.getTime() });

    // Each alone, and min_age back to none (null is 0 in the sale: no limit).
    await fixture.request("PUT", `/events/${event.id}`, acme.organizerToken, { waitlist_limit: 0 });
    expect(await sale()).toMatchObject({ minAge: "18", waitlistLimit: "0", maxPerUser: "6" });
    const cleared = await fixture.request("PUT", `/events/${event.id}`, acme.organizerToken, { min_age: null });
    expect(cleared.body.data.min_age).toBeNull();
    expect(await sale()).toMatchObject({ minAge: "0", waitlistLimit: "0", maxPerUser: "6", closesAt: closesAt.getTime() });

    // Refused changes reach neither PostgreSQL nor Redis.
    for (const body of [{ min_age: 131 }, { min_age: -1 }, { min_age: "18" }, { waitlist_limit: -1 }, { waitlist_limit: 1.5 }]) {
      const refused = await fixture.request("PUT", `/events/${event.id}`, acme.organizerToken, body);
      expect({ body, status: refused.status }).toEqual({ body, status: 400 });
    }
    expect((await fixture.request("GET", `/events/${event.id}`, null)).body.data).toMatchObject({ min_age: null, waitlist_limit: 0 });
    expect(await sale()).toMatchObject({ minAge: "0", waitlistLimit: "0" });
  });

  test("changes invalidate the cached event page at once; list filters by category, text and show dates", async () => {
    const { event } = await draftWithZones(fixture, acme.organizerToken, {
      title: "Cache Me 100% Live",
      category: "sports",
      venue: "Rajamangala",
    });
    await fixture.request("POST", `/events/${event.id}/publish`, acme.organizerToken);
    expect((await fixture.request("GET", `/events/${event.id}`, null)).body.data.title).toBe("Cache Me 100% Live");
    expect((await fixture.request("GET", `/events/${event.id}`, null)).body.data.title).toBe("Cache Me 100% Live");
    const renamed = await fixture.request("PUT", `/events/${event.id}`, acme.organizerToken, { title: "Renamed Live" });
    expect(renamed.status).toBe(200);
    expect((await fixture.request("GET", `/events/${event.id}`, null)).body.data.title).toBe("Renamed Live");

    const ids = async (query: string) =>
      (await fixture.request("GET", `/events?per_page=100&${query}`, null)).body.data.map((item: { id: string }) => item.id);
    expect(await ids("category=sports")).toContain(event.id);
    expect(await ids("category=concerts")).not.toContain(event.id);
    expect(await ids("q=rajamangala")).toContain(event.id);
    expect(await ids(`q=${encodeURIComponent("100%")}`)).not.toContain(event.id);
    expect(await ids("q=renamed")).toContain(event.id);
    const inTwoDays = new Date(Date.now() + 47 * 3_600_000).toISOString();
    const inThreeDays = new Date(Date.now() + 72 * 3_600_000).toISOString();
    expect(await ids(`from=${encodeURIComponent(inTwoDays)}&to=${encodeURIComponent(inThreeDays)}`)).toContain(event.id);
    expect(await ids(`from=${encodeURIComponent(inThreeDays)}`)).not.toContain(event.id);

    const page = await fixture.request("GET", "/events?page=1&per_page=1", null);
    expect(page.body.data).toHaveLength(1);
    expect(page.body.meta).toMatchObject({ page: 1, per_page: 1 });
    expect(page.body.meta.total).toBeGreaterThanOrEqual(2);
  });

  test("cancelling a published event closes its sale and tells the payment saga; a draft is deleted outright", async () => {
    const { event, show, general } = await draftWithZones(fixture, acme.organizerToken);
    await fixture.request("POST", `/events/${event.id}/publish`, acme.organizerToken);
    const cancelled = await fixture.request("DELETE", `/events/${event.id}`, acme.organizerToken);
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.data).toMatchObject({ status: "cancelled", deleted: false });
    const refused = await bookingPost(booking, "/bookings/reserve", await bookingToken(crypto.randomUUID()), {
      show_id: show.id,
      zone_id: general.id,
      quantity: 1,
    });
    expect(refused.body.error.code).toBe("BOOKING_NOT_OPEN");
    const outbox = await fixture.service.store.redis.xrange(eventKeys(event.id).outbox, "-", "+");
    const types = outbox.map(([, fields]) => fields[fields.indexOf("type") + 1]);
    expect(types).toEqual(["event.cancelled"]);
    expect((await fixture.request("DELETE", `/events/${event.id}`, acme.organizerToken)).status).toBe(409);
    expect((await fixture.request("PUT", `/events/${event.id}`, acme.organizerToken, { title: "x" })).status).toBe(409);

    const draft = (await fixture.request("POST", "/events", acme.organizerToken, eventBody())).body.data;
    const deleted = await fixture.request("DELETE", `/events/${draft.id}`, acme.organizerToken);
    expect(deleted.body.data).toMatchObject({ id: draft.id, deleted: true });
    expect(await fixture.asSystem((tx) => tx.select().from(schema.events).where(eq(schema.events.id, draft.id)))).toHaveLength(0);

    const audit = await fixture.asSystem((tx) => tx.select().from(schema.auditLogs).where(eq(schema.auditLogs.entityId, event.id)));
    expect(audit.map((row) => row.action).sort()).toEqual(["event.cancelled", "event.created", "event.published"]);
    const cancelRow = audit.find((row) => row.action === "event.cancelled")!;
    expect(cancelRow).toMatchObject({ actorId: acme.organizer.id, tenantId: acme.tenantId });
    expect(cancelRow.before).toMatchObject({ status: "published" });
    expect(cancelRow.after).toMatchObject({ status: "cancelled" });
  });

  test("a published event cannot get new shows or zones; an event without zones cannot be published", async () => {
    const empty = (await fixture.request("POST", "/events", acme.organizerToken, eventBody())).body.data;
    const refused = await fixture.request("POST", `/events/${empty.id}/publish`, acme.organizerToken);
    expect(refused.status).toBe(409);
    const { event, show } = await draftWithZones(fixture, acme.organizerToken);
    await fixture.request("POST", `/events/${event.id}/publish`, acme.organizerToken);
    expect(
      (
        await fixture.request("POST", `/events/${event.id}/shows`, acme.organizerToken, {
          starts_at: new Date().toISOString(),
          ends_at: new Date(Date.now() + 1000).toISOString(),
        })
      ).status,
    ).toBe(409);
    expect(
      (await fixture.request("POST", `/shows/${show.id}/zones`, acme.organizerToken, { name: "Late", price: 1, total_seats: 1 })).status,
    ).toBe(409);
  });

  test("categories are listed; a buyer cannot create events", async () => {
    const categories = await fixture.request("GET", "/categories", null);
    expect(categories.body.data.map((category: { slug: string }) => category.slug)).toEqual(["concerts", "sports"]);
    const refused = await fixture.request("POST", "/events", await buyerToken(), eventBody());
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe("FORBIDDEN");
  });
});
