/**
 * The booking window holds wherever a hold can be created, through the public API: before
 * booking_opens_at and from booking_closes_at on, a reserve (a number of seats, chosen seats, each
 * also asking for a waitlist place) is 409 BOOKING_NOT_OPEN and changes nothing in Redis; an
 * organizer moving the window of a live sale closes or opens it at once, and seats that come back
 * after it closed promote nobody (lua/_waitlist.lua: the waiting buyers are told instead).
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { type PlatformFixture, platformFixture } from "./support/platform";

let platform: PlatformFixture;
beforeAll(async () => {
  platform = await platformFixture("booking_window");
});
afterAll(() => platform?.close());

const hoursFromNow = (hours: number) => new Date(Date.now() + hours * 3_600_000).toISOString();

type Sale = Awaited<ReturnType<PlatformFixture["publishedEvent"]>>;

/** Every way of asking for a hold in the sale, or for a waitlist place when it cannot be served. */
const holdRequests = (sale: Sale) =>
  [
    { show_id: sale.show.id, zone_id: sale.general.id, quantity: 2 },
    { show_id: sale.show.id, seat_ids: sale.seatIds.slice(0, 2) },
  ].flatMap((request) => [request, { ...request, join_waitlist: true }]);

/** Each request is BOOKING_NOT_OPEN with the window in its details, and the sale's keys are as they were. */
async function expectRefused(sale: Sale, buyer: { id: string; token: string }) {
  const before = await platform.snapshot(sale.event.id, [buyer.id]);
  for (const body of holdRequests(sale)) {
    const refused = await platform.call("POST", "/bookings/reserve", buyer.token, body);
    expect({ body, status: refused.status }).toEqual({ body, status: 409 });
    expect(refused.body.error).toMatchObject({
      code: "BOOKING_NOT_OPEN",
      details: { opens_at_ms: Date.parse(sale.event.booking_opens_at), closes_at_ms: Date.parse(sale.event.booking_closes_at) },
    });
  }
  expect(await platform.snapshot(sale.event.id, [buyer.id])).toEqual(before);
  const zones = (await platform.call("GET", `/shows/${sale.show.id}/zones`, null)).body.data;
  for (const zone of zones) expect(zone).toMatchObject({ reserved: 0, sold: 0 });
  expect((await platform.call("GET", "/bookings", buyer.token)).body.data).toEqual([]);
}

describe("the booking window, through the API", () => {
  test("before booking_opens_at: every hold request is BOOKING_NOT_OPEN and nothing changes", async () => {
    const sale = await platform.publishedEvent({
      booking_opens_at: hoursFromNow(1),
      booking_closes_at: hoursFromNow(5),
      waitlist_limit: 10,
    });
    await expectRefused(sale, await platform.buyer("1990-01-01"));
  });

  test("after booking_closes_at: every hold request is BOOKING_NOT_OPEN and nothing changes", async () => {
    const sale = await platform.publishedEvent({
      booking_opens_at: hoursFromNow(-5),
      booking_closes_at: hoursFromNow(-1),
      waitlist_limit: 10,
    });
    await expectRefused(sale, await platform.buyer("1990-01-01"));
  });

  test("an organizer closing a live sale closes it at once; opening it again opens it", async () => {
    const sale = await platform.publishedEvent();
    const buyer = await platform.buyer();
    const general = { show_id: sale.show.id, zone_id: sale.general.id, quantity: 1 };
    expect((await platform.call("POST", "/bookings/reserve", buyer.token, general)).status).toBe(201);

    const closed = await platform.call("PUT", `/events/${sale.event.id}`, platform.organizerToken, {
      booking_opens_at: hoursFromNow(-5),
      booking_closes_at: hoursFromNow(-1),
    });
    expect(closed.status).toBe(200);
    const before = await platform.snapshot(sale.event.id, [buyer.id]);
    for (const body of holdRequests(sale)) {
      const refused = await platform.call("POST", "/bookings/reserve", buyer.token, body);
      expect({ body, code: refused.body.error?.code }).toEqual({ body, code: "BOOKING_NOT_OPEN" });
    }
    expect(await platform.snapshot(sale.event.id, [buyer.id])).toEqual(before);

    const reopened = await platform.call("PUT", `/events/${sale.event.id}`, platform.organizerToken, {
      booking_closes_at: hoursFromNow(5),
    });
    expect(reopened.status).toBe(200);
    expect((await platform.call("POST", "/bookings/reserve", buyer.token, general)).status).toBe(201);
    const zones = (await platform.call("GET", `/shows/${sale.show.id}/zones`, null)).body.data;
    expect(zones.find((zone: { id: string }) => zone.id === sale.general.id)).toMatchObject({ reserved: 2 });
  });

  test("a sold-out zone closed by its organizer: no waitlist place, and a cancelled hold's seats promote nobody", async () => {
    const sale = await platform.publishedEvent({ waitlist_limit: 10, max_tickets_per_user: 5 });
    const [holder, waiting, late] = [await platform.buyer(), await platform.buyer(), await platform.buyer()];
    const everySeat = { show_id: sale.show.id, seat_ids: sale.seatIds };
    const hold = await platform.call("POST", "/bookings/reserve", holder.token, everySeat);
    expect(hold.status).toBe(201);
    const oneSeat = { show_id: sale.show.id, seat_ids: [sale.seatIds[0]], join_waitlist: true };
    const place = await platform.call("POST", "/bookings/reserve", waiting.token, oneSeat);
    expect(place.body.data).toMatchObject({ status: "waitlisted", waitlist_position: 1 });

    await platform.call("PUT", `/events/${sale.event.id}`, platform.organizerToken, {
      booking_opens_at: hoursFromNow(-5),
      booking_closes_at: hoursFromNow(-1),
    });
    const before = await platform.snapshot(sale.event.id, [late.id]);
    const refused = await platform.call("POST", "/bookings/reserve", late.token, oneSeat);
    expect(refused.body.error?.code).toBe("BOOKING_NOT_OPEN");
    expect(await platform.snapshot(sale.event.id, [late.id])).toEqual(before);

    // The holder cancels after the close: the seats are free again, the waiting buyer is not promoted.
    const cancelled = await platform.call("POST", `/bookings/${hold.body.data.booking_id}/cancel`, holder.token);
    expect(cancelled.body.data?.status).toBe("cancelled");
    const stillWaiting = await platform.call("GET", `/bookings/${place.body.data.booking_id}`, waiting.token);
    expect(stillWaiting.body.data.status).toBe("waitlisted");
    const assigned = (await platform.call("GET", `/shows/${sale.show.id}/zones`, null)).body.data.find(
      (zone: { id: string }) => zone.id === sale.assigned.id,
    );
    expect(assigned).toMatchObject({ available: 5, reserved: 0, sold: 0 });
    expect(await platform.redis.zscore(sale.keys.expiry, place.body.data.booking_id)).toBeNull();
  });
});
