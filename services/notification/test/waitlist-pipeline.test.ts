/**
 * The waitlist end to end on the real pipeline: a sold-out zone, a buyer joins its waitlist
 * through the booking API, a hold is cancelled, the release script promotes the buyer in the same
 * step; the outbox relay brings booking.waitlisted and booking.promoted to Kafka, the projector
 * writes them to PostgreSQL and the notification worker e-mails the buyer, once; the buyer pays the
 * promoted hold and it is confirmed like any other (it could not be paid while waiting). And when
 * the organizer cancels the event, the sweeper closes its waitlists and the waiting buyer is told.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { expireDueHolds } from "@booking-rush/booking/hold-expiry";
import * as schema from "@booking-rush/db/schema";
import { createDurableScripts, luaDirectory, readLuaScripts } from "@booking-rush/lib/clients";
import { eventKeys } from "@booking-rush/lib/inventory";
import { post } from "@booking-rush/test-support/booking-fixture";
import { draftWithZones } from "@booking-rush/test-support/catalog-fixture";
import { eventually } from "@booking-rush/test-support/eventually";
import { mailsTo, theOneMailTo } from "@booking-rush/test-support/mail-sink";
import { type PaymentPipeline, paymentPipeline } from "@booking-rush/test-support/payment-pipeline";
import { stackConfig, testLogger } from "@booking-rush/test-support/stack-config";
import { zoneCaughtUp } from "@booking-rush/test-support/zone-sides";
import { and, eq, isNull } from "drizzle-orm";
import { formatTime } from "../src/format";

let world: PaymentPipeline;
const waitLong = { timeoutMs: 60_000, intervalMs: 100 };

beforeAll(async () => {
  world = await paymentPipeline({ name: "waitlist_pipeline", consumers: ["worker", "saga", "projector", "notifier"] });
});

afterAll(() => world.close());

const bookingRow = async (reservationId: string) =>
  (await world.catalog.asSystem((tx) => tx.select().from(schema.bookings).where(eq(schema.bookings.reservationId, reservationId))))[0];

describe("waitlist on the real pipeline", () => {
  test("sold out → a buyer waits → a hold is cancelled → promoted: one e-mail with the pay link, PostgreSQL a hold at its place", async () => {
    const acme = await world.catalog.tenant("acme");
    const { event, show, assigned } = await draftWithZones(world.catalog, acme.organizerToken, { waitlist_limit: 5 });
    expect((await world.catalog.request("POST", `/events/${event.id}/publish`, acme.organizerToken)).status).toBe(200);
    const seats = await world.catalog.asSystem((tx) =>
      tx.select().from(schema.seats).where(eq(schema.seats.zoneId, assigned.id)).orderBy(schema.seats.rowLabel, schema.seats.seatNumber),
    );
    const [first, second, waiter] = [await world.buyer(), await world.buyer(), await world.buyer()];

    // The five seats of the zone held by two buyers: sold out.
    const rowA = await world.reserve(first.token, { show_id: show.id, seat_ids: seats.slice(0, 3).map((seat) => seat.id) });
    const rowB = await world.reserve(second.token, { show_id: show.id, seat_ids: seats.slice(3).map((seat) => seat.id) });
    expect([rowA.status, rowB.status]).toEqual([201, 201]);

    // Two seats that are taken: the buyer waits for two seats of the zone.
    const joined = await world.reserve(waiter.token, {
      show_id: show.id,
      seat_ids: seats.slice(0, 2).map((seat) => seat.id),
      join_waitlist: true,
    });
    expect(joined.status).toBe(201);
    expect(joined.body.data).toMatchObject({ status: "waitlisted", waitlist_position: 1, quantity: 2 });
    const bookingId: string = joined.body.data.booking_id;
    await eventually(
      async () => expect(await bookingRow(bookingId)).toMatchObject({ status: "waitlisted", waitlistPosition: 1 }),
      waitLong,
    );

    // A waiting booking cannot be paid.
    const early = await world.pay(waiter.token, bookingId);
    expect(early.status).toBe(409);
    expect(early.body.error).toMatchObject({ code: "CONFLICT", details: { status: "waitlisted" } });

    expect((await post(world.booking, `/bookings/${rowB.body.data.booking_id}/cancel`, second.token, {})).status).toBe(200);
    const record = await world.booking.redis.hgetall(eventKeys(event.id).booking(bookingId));
    expect(record).toMatchObject({ status: "reserved", waitlist_position: "1" });
    const holdEndsAt = Number(record.expires_at_ms);

    const mail = await theOneMailTo(waiter.email);
    expect(mail.subject).toBe(`Seats are being held for you: ${event.title}`);
    expect(mail.text).toContain(`http://127.0.0.1:3000/bookings/${bookingId}/pay`);
    expect(mail.text).toContain(formatTime(holdEndsAt, "UTC"));
    expect(mail.text).toContain("Row B, seat 1; Row B, seat 2");

    await zoneCaughtUp(world.booking.redis, world.catalog, event.id, assigned.id);
    expect(await bookingRow(bookingId)).toMatchObject({ status: "reserved", waitlistPosition: 1, expiresAt: new Date(holdEndsAt) });
    const held = await world.catalog.asSystem((tx) =>
      tx
        .select({ seatId: schema.bookingSeats.seatId })
        .from(schema.bookingSeats)
        .innerJoin(schema.bookings, eq(schema.bookings.id, schema.bookingSeats.bookingId))
        .where(and(eq(schema.bookings.reservationId, bookingId), isNull(schema.bookingSeats.releasedAt))),
    );
    expect(held.map((seat) => seat.seatId).sort()).toEqual(
      seats
        .slice(3)
        .map((seat) => seat.id)
        .sort(),
    );
    const [zone] = await world.catalog.asSystem((tx) => tx.select().from(schema.seatZones).where(eq(schema.seatZones.id, assigned.id)));
    expect(zone).toMatchObject({ reservedSeats: 5, soldSeats: 0, availableSeats: 0 });
    // Still the one e-mail once everything has been applied.
    expect(await mailsTo(waiter.email)).toHaveLength(1);

    // The promoted hold is paid like any other: confirmed at its waitlist position, the seats sold.
    const paid = await world.pay(waiter.token, bookingId);
    expect(paid.status).toBe(202);
    await eventually(
      async () => expect(await world.paymentOf(waiter.token, paid.body.data.payment_id)).toMatchObject({ status: "succeeded" }),
      waitLong,
    );
    await eventually(async () => expect(await bookingRow(bookingId)).toMatchObject({ status: "confirmed", waitlistPosition: 1 }), waitLong);
    await zoneCaughtUp(world.booking.redis, world.catalog, event.id, assigned.id);
    const [paidZone] = await world.catalog.asSystem((tx) => tx.select().from(schema.seatZones).where(eq(schema.seatZones.id, assigned.id)));
    expect(paidZone).toMatchObject({ reservedSeats: 3, soldSeats: 2, availableSeats: 0 });
    await eventually(
      async () =>
        expect((await mailsTo(waiter.email)).map((each) => each.subject).sort()).toEqual([
          `Seats are being held for you: ${event.title}`,
          `Your tickets for ${event.title}`,
        ]),
      waitLong,
    );
  }, 150_000);

  test("the event is cancelled: the sweeper closes its waitlist, the buyer gets one 'The waitlist closed', PostgreSQL says why", async () => {
    const acme = await world.catalog.tenant("acme");
    const { event, show, general } = await draftWithZones(world.catalog, acme.organizerToken, { waitlist_limit: 5 });
    expect((await world.catalog.request("POST", `/events/${event.id}/publish`, acme.organizerToken)).status).toBe(200);
    // Standing zone of 100, four tickets a buyer: 25 buyers sell it out.
    const holders = await Promise.all(Array.from({ length: 25 }, () => world.buyer()));
    for (const holder of holders)
      expect((await world.reserve(holder.token, { show_id: show.id, zone_id: general.id, quantity: 4 })).status).toBe(201);
    const waiter = await world.buyer();
    const joined = await world.reserve(waiter.token, { show_id: show.id, zone_id: general.id, quantity: 1, join_waitlist: true });
    expect(joined.status).toBe(201);
    expect(joined.body.data).toMatchObject({ status: "waitlisted", waitlist_position: 1 });
    const bookingId: string = joined.body.data.booking_id;

    expect((await world.catalog.request("DELETE", `/events/${event.id}`, acme.organizerToken)).status).toBe(200);
    const scripts = createDurableScripts(stackConfig.redis, testLogger, readLuaScripts(luaDirectory), {
      connections: 1,
      replicas: 1,
      waitTimeoutMs: 500,
    });
    try {
      // What the expiry sweeper does on its next round.
      const swept = await expireDueHolds(world.booking.redis, scripts, { batchSize: 100, recordTtlSeconds: 600 });
      expect(swept.waitlistClosed).toBeGreaterThanOrEqual(1);
    } finally {
      await scripts.close();
    }
    expect(await world.booking.redis.hget(eventKeys(event.id).booking(bookingId), "status")).toBe("cancelled");

    const mail = await theOneMailTo(waiter.email);
    expect(mail.subject).toBe(`The waitlist closed for ${event.title}`);
    expect(mail.text).toContain("the organizer cancelled the event");
    expect(mail.text).toContain(bookingId);
    await zoneCaughtUp(world.booking.redis, world.catalog, event.id, general.id);
    expect(await bookingRow(bookingId)).toMatchObject({ status: "cancelled", cancelReason: "waitlist_closed", waitlistPosition: 1 });
    expect(await mailsTo(waiter.email)).toHaveLength(1);
  }, 150_000);
});
