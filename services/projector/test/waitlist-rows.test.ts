/**
 * The waitlist's booking events into PostgreSQL (applyBatch against the real database): a waiting
 * place is a row that holds nothing, its promotion is a new hold (counters and seats), leaving and
 * closing cancel it without touching the counters, and sequence order wins whatever order the
 * events arrive in.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import * as schema from "@booking-rush/db/schema";
import { inScope, systemScope } from "@booking-rush/lib/data";
import { type CatalogFixture, catalogFixture, draftWithZones } from "@booking-rush/test-support/catalog-fixture";
import { and, eq, isNull } from "drizzle-orm";
import { applyBatch, type PendingEvent } from "../src/apply-batch";
import type { BookingEvent, BookingState } from "../src/booking-event";
import { upsertBookingStates, zoneFacts } from "../src/booking-rows";

let fixture: CatalogFixture;
let buyers: string[];

beforeAll(async () => {
  fixture = await catalogFixture("projector_waitlist");
  buyers = (await fixture.buyers(3, "waiting")).map((user) => user.id);
});

afterAll(() => fixture.close());

const reorderWaitMs = 60_000;
const windowEnd = Date.UTC(2031, 0, 1);

/** A sale of its own per test: its zones' counters and sequence numbers start at zero. */
async function freshSale() {
  const acme = await fixture.tenant("acme");
  return draftWithZones(fixture, acme.organizerToken);
}
type Sale = Awaited<ReturnType<typeof freshSale>>;

/** The events of one booking, each carrying the whole booking at its seq, as the scripts write them. */
function bookingOf(sale: Sale, zoneId: string, userId: string, quantity: number) {
  const base = {
    booking_id: crypto.randomUUID(),
    user_id: userId,
    event_id: sale.event.id,
    show_id: sale.show.id,
    zone_id: zoneId,
    quantity,
    created_at_ms: Date.now(),
  };
  const event = (type: BookingEvent["type"], state: Partial<BookingState> & Pick<BookingState, "seq" | "status" | "expires_at_ms">) => {
    const booking: BookingState = { ...base, ...state };
    return { eventId: `${type}:${booking.booking_id}`, type, zoneId, seq: booking.seq, booking } satisfies BookingEvent;
  };
  return {
    id: base.booking_id,
    waitlisted: (seq: number, position: number) =>
      event("booking.waitlisted", { seq, status: "waitlisted", expires_at_ms: windowEnd, waitlist_position: position }),
    promoted: (seq: number, position: number, holdEndsAt: number, seatIds?: string[]) =>
      event("booking.promoted", {
        seq,
        status: "reserved",
        expires_at_ms: holdEndsAt,
        promoted_at_ms: holdEndsAt - 600_000,
        waitlist_position: position,
        ...(seatIds ? { seat_ids: seatIds } : {}),
      }),
    created: (seq: number, holdEndsAt: number) => event("booking.created", { seq, status: "reserved", expires_at_ms: holdEndsAt }),
    confirmed: (seq: number, position: number, holdEndsAt: number, seatIds?: string[]) =>
      event("booking.confirmed", {
        seq,
        status: "confirmed",
        expires_at_ms: holdEndsAt,
        confirmed_at_ms: holdEndsAt - 60_000,
        waitlist_position: position,
        ...(seatIds ? { seat_ids: seatIds } : {}),
      }),
    cancelled: (seq: number, position: number) =>
      event("booking.cancelled", {
        seq,
        status: "cancelled",
        expires_at_ms: windowEnd,
        closed_at_ms: Date.now(),
        waitlist_position: position,
      }),
    closed: (seq: number, position: number, closedAt: number) =>
      event("booking.waitlist_closed", {
        seq,
        status: "cancelled",
        expires_at_ms: windowEnd,
        closed_at_ms: closedAt,
        waitlist_position: position,
      }),
  };
}

const pending = (event: BookingEvent, receivedAt = Date.now()): PendingEvent => ({ event, receivedAt });

async function apply(events: BookingEvent[], receivedAt?: number) {
  return applyBatch(
    fixture.db,
    events.map((event) => pending(event, receivedAt)),
    { reorderWaitMs },
  );
}

async function zoneCounters(zoneId: string) {
  return fixture.asSystem(async (tx) => {
    const [zone] = await tx.select().from(schema.seatZones).where(eq(schema.seatZones.id, zoneId));
    return { reserved: zone!.reservedSeats, sold: zone!.soldSeats, available: zone!.availableSeats };
  });
}

async function row(reservationId: string) {
  const [found] = await fixture.asSystem((tx) => tx.select().from(schema.bookings).where(eq(schema.bookings.reservationId, reservationId)));
  if (!found) return undefined;
  return {
    status: found.status,
    position: found.waitlistPosition,
    expiresAt: found.expiresAt?.getTime(),
    cancelledAt: found.cancelledAt?.getTime(),
    cancelReason: found.cancelReason,
    seq: found.seq,
  };
}

async function liveSeats(reservationId: string) {
  return fixture.asSystem(async (tx) =>
    (
      await tx
        .select({ seatId: schema.bookingSeats.seatId })
        .from(schema.bookingSeats)
        .innerJoin(schema.bookings, eq(schema.bookings.id, schema.bookingSeats.bookingId))
        .where(and(eq(schema.bookings.reservationId, reservationId), isNull(schema.bookingSeats.releasedAt)))
    )
      .map((seat) => seat.seatId)
      .sort(),
  );
}

describe("waitlist events in PostgreSQL", () => {
  test("waitlisted → promoted → confirmed: holds nothing while waiting, a new hold once promoted, sold once paid", async () => {
    const sale = await freshSale();
    const zone = sale.general.id;
    const holder = bookingOf(sale, zone, buyers[0]!, 1);
    const waiting = bookingOf(sale, zone, buyers[1]!, 2);
    const holdEndsAt = Date.now() + 600_000;
    await apply([holder.created(1, holdEndsAt)]);
    const withHolder = { reserved: 1, sold: 0, available: 99 };
    expect(await zoneCounters(zone)).toEqual(withHolder);

    expect((await apply([waiting.waitlisted(2, 1)])).applied).toBe(1);
    expect(await row(waiting.id)).toEqual({
      status: "waitlisted",
      position: 1,
      expiresAt: windowEnd,
      cancelledAt: undefined,
      cancelReason: null,
      seq: 2,
    });
    expect(await zoneCounters(zone)).toEqual(withHolder);

    const promotedHoldEnds = Date.now() + 900_000;
    await apply([waiting.promoted(3, 1, promotedHoldEnds)]);
    expect(await row(waiting.id)).toMatchObject({ status: "reserved", position: 1, expiresAt: promotedHoldEnds, seq: 3 });
    expect(await zoneCounters(zone)).toEqual({ reserved: 3, sold: 0, available: 97 });

    await apply([waiting.confirmed(4, 1, promotedHoldEnds)]);
    expect(await row(waiting.id)).toMatchObject({ status: "confirmed", position: 1, seq: 4 });
    expect(await zoneCounters(zone)).toEqual({ reserved: 1, sold: 2, available: 97 });
  });

  test("an assigned zone: the promoted booking holds the seats it was given, once", async () => {
    const sale = await freshSale();
    const zone = sale.assigned.id;
    const seats = await fixture.asSystem((tx) => tx.select().from(schema.seats).where(eq(schema.seats.zoneId, zone)));
    const seatIds = seats.slice(0, 2).map((seat) => seat.id);
    const waiting = bookingOf(sale, zone, buyers[0]!, 2);
    await apply([waiting.waitlisted(1, 1)]);
    expect(await liveSeats(waiting.id)).toEqual([]);
    expect(await zoneCounters(zone)).toEqual({ reserved: 0, sold: 0, available: 5 });

    await apply([waiting.promoted(2, 1, Date.now() + 600_000, seatIds)]);
    expect(await liveSeats(waiting.id)).toEqual([...seatIds].sort());
    expect(await zoneCounters(zone)).toEqual({ reserved: 2, sold: 0, available: 3 });
    // The same promotion again (a redelivery): nothing moves.
    expect((await apply([waiting.promoted(2, 1, Date.now() + 600_000, seatIds)])).duplicates).toBe(1);
    expect(await zoneCounters(zone)).toEqual({ reserved: 2, sold: 0, available: 3 });
  });

  test("a waiting booking that leaves (booking.cancelled) or whose waitlist closes is cancelled; the counters do not move", async () => {
    const sale = await freshSale();
    const zone = sale.general.id;
    const holder = bookingOf(sale, zone, buyers[0]!, 4);
    const leaver = bookingOf(sale, zone, buyers[1]!, 2);
    const closed = bookingOf(sale, zone, buyers[2]!, 3);
    await apply([holder.created(1, Date.now() + 600_000), leaver.waitlisted(2, 1), closed.waitlisted(3, 2)]);
    const counters = { reserved: 4, sold: 0, available: 96 };
    expect(await zoneCounters(zone)).toEqual(counters);

    await apply([leaver.cancelled(4, 1)]);
    expect(await row(leaver.id)).toMatchObject({ status: "cancelled", position: 1, cancelReason: null, seq: 4 });
    expect((await row(leaver.id))!.cancelledAt).toBeNumber();
    expect(await zoneCounters(zone)).toEqual(counters);

    const closedAt = Date.UTC(2030, 11, 31, 23, 0);
    await apply([closed.closed(5, 2, closedAt)]);
    expect(await row(closed.id)).toEqual({
      status: "cancelled",
      position: 2,
      expiresAt: windowEnd,
      cancelledAt: closedAt,
      cancelReason: "waitlist_closed",
      seq: 5,
    });
    expect(await zoneCounters(zone)).toEqual(counters);
  });

  test("out of order: a promotion first, the late booking.waitlisted changes nothing; the same in one batch", async () => {
    const sale = await freshSale();
    const zone = sale.general.id;
    const apart = bookingOf(sale, zone, buyers[0]!, 2);
    const holdEndsAt = Date.now() + 600_000;
    // The promotion waited past the reorder wait for its earlier event, so it applies alone.
    expect((await apply([apart.promoted(2, 1, holdEndsAt)], Date.now() - reorderWaitMs)).applied).toBe(1);
    expect(await row(apart.id)).toMatchObject({ status: "reserved", position: 1, expiresAt: holdEndsAt, seq: 2 });
    expect(await zoneCounters(zone)).toEqual({ reserved: 2, sold: 0, available: 98 });
    expect((await apply([apart.waitlisted(1, 1)])).applied).toBe(1);
    expect(await row(apart.id)).toMatchObject({ status: "reserved", position: 1, expiresAt: holdEndsAt, seq: 2 });
    expect(await zoneCounters(zone)).toEqual({ reserved: 2, sold: 0, available: 98 });

    const together = bookingOf(sale, zone, buyers[1]!, 1);
    expect((await apply([together.promoted(4, 1, holdEndsAt), together.waitlisted(3, 1)])).applied).toBe(2);
    expect(await row(together.id)).toMatchObject({ status: "reserved", position: 1, seq: 4 });
    expect(await zoneCounters(zone)).toEqual({ reserved: 3, sold: 0, available: 97 });
  });

  test("a buyer's promoted place and their next place in the same zone, written in one batch in any order", async () => {
    const sale = await freshSale();
    const zone = sale.general.id;
    const first = bookingOf(sale, zone, buyers[0]!, 1);
    const second = bookingOf(sale, zone, buyers[0]!, 1);
    await apply([first.waitlisted(1, 1)]);
    // One waiting place per buyer and zone: the first must have left the waitlist before the second is written.
    expect((await apply([second.waitlisted(3, 1), first.promoted(2, 1, Date.now() + 600_000)])).applied).toBe(2);
    expect(await row(first.id)).toMatchObject({ status: "reserved", position: 1 });
    expect(await row(second.id)).toMatchObject({ status: "waitlisted", position: 1 });
    expect(await zoneCounters(zone)).toEqual({ reserved: 1, sold: 0, available: 99 });
  });

  test("the payment service writes the promoted hold before the projector (a buyer pays at once): counted once", async () => {
    const sale = await freshSale();
    const zone = sale.general.id;
    const waiting = bookingOf(sale, zone, buyers[0]!, 3);
    await apply([waiting.waitlisted(1, 1)]);
    const promoted = waiting.promoted(2, 1, Date.now() + 600_000);
    // What POST /payments does with the hold it read from Redis (services/payment/src/payments.ts).
    await inScope(fixture.db, systemScope, async (tx) => upsertBookingStates(tx, [promoted.booking], await zoneFacts(tx, [zone])));
    expect(await row(waiting.id)).toMatchObject({ status: "reserved", position: 1, seq: 2 });
    expect(await zoneCounters(zone)).toEqual({ reserved: 3, sold: 0, available: 97 });
    expect((await apply([promoted])).applied).toBe(1);
    expect(await zoneCounters(zone)).toEqual({ reserved: 3, sold: 0, available: 97 });
  });

  test("a waiting booking without its position can never be written: rejected, and its zone goes on", async () => {
    const sale = await freshSale();
    const zone = sale.general.id;
    const broken = bookingOf(sale, zone, buyers[0]!, 1).waitlisted(1, 1);
    delete broken.booking.waitlist_position;
    const next = bookingOf(sale, zone, buyers[1]!, 1);
    const outcome = await apply([broken, next.created(2, Date.now() + 600_000)]);
    expect(outcome.rejected.map((item) => item.reason)).toEqual(["a waiting booking without its waitlist_position"]);
    expect(outcome.applied).toBe(1);
    expect(await row(broken.booking.booking_id)).toBeUndefined();
    expect(await zoneCounters(zone)).toEqual({ reserved: 1, sold: 0, available: 99 });
  });
});
