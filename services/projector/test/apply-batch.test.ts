/** applyBatch straight against PostgreSQL: order, duplicates, gaps, rejects, counters. */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import * as schema from "@booking-rush/db/schema";
import { inScope, systemScope } from "@booking-rush/lib/data";
import { type CatalogFixture, catalogFixture, draftWithZones } from "@booking-rush/test-support/catalog-fixture";
import { eventually } from "@booking-rush/test-support/eventually";
import { countRowsRead } from "@booking-rush/test-support/rows-read";
import { eq, sql } from "drizzle-orm";
import { applyBatch, type PendingEvent } from "../src/apply-batch";
import type { BookingEvent, BookingState } from "../src/booking-event";
import { upsertBookingStates, zoneFacts } from "../src/booking-rows";

let fixture: CatalogFixture;
let sale: Awaited<ReturnType<typeof draftWithZones>>;
let buyers: string[];

beforeAll(async () => {
  fixture = await catalogFixture("projector_apply");
  const acme = await fixture.tenant("acme");
  sale = await draftWithZones(fixture, acme.organizerToken);
  buyers = (await fixture.buyers(4)).map((user) => user.id);
});

afterAll(() => fixture.close());

const reorderWaitMs = 60_000;

function bookingEvent(
  type: BookingEvent["type"],
  booking: Partial<BookingState> & Pick<BookingState, "booking_id" | "seq" | "status">,
  zoneId = sale.general.id,
): BookingEvent {
  const state: BookingState = {
    user_id: buyers[0]!,
    event_id: sale.event.id,
    show_id: sale.show.id,
    zone_id: zoneId,
    quantity: 2,
    created_at_ms: Date.now(),
    expires_at_ms: Date.now() + 600_000,
    ...booking,
  };
  return { eventId: `${type}:${state.booking_id}`, type, zoneId, seq: state.seq, booking: state };
}

const pending = (event: BookingEvent, receivedAt = Date.now()): PendingEvent => ({ event, receivedAt });

async function zoneRow(zoneId = sale.general.id) {
  return fixture.asSystem(async (tx) => {
    const [zone] = await tx.select().from(schema.seatZones).where(eq(schema.seatZones.id, zoneId));
    const [sync] = await tx.select().from(schema.zoneSyncState).where(eq(schema.zoneSyncState.zoneId, zoneId));
    return { reserved: zone!.reservedSeats, sold: zone!.soldSeats, available: zone!.availableSeats, watermark: sync?.lastAppliedSeq ?? 0 };
  });
}

const bookingRow = async (reservationId: string) =>
  (await fixture.asSystem((tx) => tx.select().from(schema.bookings).where(eq(schema.bookings.reservationId, reservationId))))[0];

describe("applyBatch", () => {
  test("events in order: bookings at their newest state, counters from the bookings, watermark at the last seq", async () => {
    const first = crypto.randomUUID();
    const second = crypto.randomUUID();
    const outcome = await applyBatch(
      fixture.db,
      [
        pending(bookingEvent("booking.created", { booking_id: first, seq: 1, status: "reserved" })),
        pending(bookingEvent("booking.confirmed", { booking_id: first, seq: 2, status: "confirmed", confirmed_at_ms: Date.now() })),
        pending(bookingEvent("booking.created", { booking_id: second, seq: 3, status: "reserved", quantity: 3, user_id: buyers[1]! })),
      ],
      { reorderWaitMs },
    );
    expect({ applied: outcome.applied, held: outcome.heldBack.length, rejected: outcome.rejected.length }).toEqual({
      applied: 3,
      held: 0,
      rejected: 0,
    });
    expect(await zoneRow()).toEqual({ reserved: 3, sold: 2, available: 95, watermark: 3 });
    expect(await bookingRow(first)).toMatchObject({ status: "confirmed", seq: 2, quantity: 2, unitPrice: 150_000, totalAmount: 300_000 });
    expect(await bookingRow(second)).toMatchObject({ status: "reserved", seq: 3 });
  });

  test("an event ahead of its zone waits for the earlier one; together they apply; the same events again change nothing", async () => {
    const booking = crypto.randomUUID();
    const created = bookingEvent("booking.created", { booking_id: booking, seq: 4, status: "reserved", user_id: buyers[2]! });
    const cancelled = bookingEvent("booking.cancelled", {
      booking_id: booking,
      seq: 5,
      status: "cancelled",
      user_id: buyers[2]!,
      closed_at_ms: Date.now(),
    });

    const early = await applyBatch(fixture.db, [pending(cancelled)], { reorderWaitMs });
    expect({ applied: early.applied, held: early.heldBack.length }).toEqual({ applied: 0, held: 1 });
    expect(await bookingRow(booking)).toBeUndefined();
    expect((await zoneRow()).watermark).toBe(3);

    const both = await applyBatch(fixture.db, [pending(created), early.heldBack[0]!], { reorderWaitMs });
    expect({ applied: both.applied, held: both.heldBack.length }).toEqual({ applied: 2, held: 0 });
    expect(await bookingRow(booking)).toMatchObject({ status: "cancelled", seq: 5 });
    expect(await zoneRow()).toEqual({ reserved: 3, sold: 2, available: 95, watermark: 5 });

    const again = await applyBatch(fixture.db, [pending(created), pending(cancelled)], { reorderWaitMs });
    expect({ applied: again.applied, duplicates: again.duplicates }).toEqual({ applied: 0, duplicates: 2 });
    expect(await zoneRow()).toEqual({ reserved: 3, sold: 2, available: 95, watermark: 5 });
  });

  test("a gap that never closes: after the reorder wait the event applies anyway and the watermark stays at the gap", async () => {
    const booking = crypto.randomUUID();
    const late = bookingEvent("booking.created", { booking_id: booking, seq: 9, status: "reserved", quantity: 1, user_id: buyers[3]! });
    const outcome = await applyBatch(fixture.db, [pending(late, Date.now() - reorderWaitMs)], { reorderWaitMs });
    expect(outcome.applied).toBe(1);
    expect(await zoneRow()).toEqual({ reserved: 4, sold: 2, available: 94, watermark: 5 });
    // When the missing ones do arrive, the watermark moves past all of them.
    const fillers = [6, 7, 8].map((seq) =>
      bookingEvent("booking.created", { booking_id: crypto.randomUUID(), seq, status: "reserved", quantity: 1, user_id: buyers[3]! }),
    );
    await applyBatch(
      fixture.db,
      fillers.map((event) => pending(event)),
      { reorderWaitMs },
    );
    expect(await zoneRow()).toEqual({ reserved: 7, sold: 2, available: 91, watermark: 9 });
  });

  test("events that can never apply are rejected with a reason, recorded, and do not block their zone", async () => {
    const unknownUser = bookingEvent("booking.created", {
      booking_id: crypto.randomUUID(),
      seq: 10,
      status: "reserved",
      user_id: crypto.randomUUID(),
    });
    const afterIt = bookingEvent("booking.created", {
      booking_id: crypto.randomUUID(),
      seq: 11,
      status: "reserved",
      quantity: 1,
      user_id: buyers[0]!,
    });
    const unknownZone = bookingEvent(
      "booking.created",
      { booking_id: crypto.randomUUID(), seq: 1, status: "reserved" },
      crypto.randomUUID(),
    );
    const outcome = await applyBatch(fixture.db, [pending(unknownUser), pending(afterIt), pending(unknownZone)], { reorderWaitMs });
    expect(outcome.rejected.map((item) => item.reason).sort()).toEqual(["unknown user", "unknown zone"]);
    expect(outcome.applied).toBe(1);
    expect(await zoneRow()).toEqual({ reserved: 8, sold: 2, available: 90, watermark: 11 });
    const again = await applyBatch(fixture.db, [pending(unknownUser)], { reorderWaitMs });
    expect(again.duplicates).toBe(1);
  });

  test("assigned seats: the booking's seats are held, and released when it closes, in whatever order", async () => {
    const seats = await fixture.asSystem((tx) => tx.select().from(schema.seats).where(eq(schema.seats.zoneId, sale.assigned.id)));
    const booking = crypto.randomUUID();
    const seatIds = seats.slice(0, 2).map((seat) => seat.id);
    const created = bookingEvent(
      "booking.created",
      { booking_id: booking, seq: 1, status: "reserved", seat_ids: seatIds },
      sale.assigned.id,
    );
    const expired = bookingEvent(
      "booking.expired",
      { booking_id: booking, seq: 2, status: "expired", seat_ids: seatIds, closed_at_ms: Date.now() },
      sale.assigned.id,
    );
    const next = bookingEvent(
      "booking.created",
      { booking_id: crypto.randomUUID(), seq: 3, status: "reserved", seat_ids: [seatIds[0]!], quantity: 1, user_id: buyers[1]! },
      sale.assigned.id,
    );
    await applyBatch(fixture.db, [pending(next), pending(expired), pending(created)], { reorderWaitMs });
    const live = await fixture.asSystem((tx) => tx.select().from(schema.bookingSeats).where(eq(schema.bookingSeats.seatId, seatIds[0]!)));
    expect(live.filter((row) => row.releasedAt === null)).toHaveLength(1);
    expect(await zoneRow(sale.assigned.id)).toEqual({ reserved: 1, sold: 0, available: 4, watermark: 3 });
  });

  test("a backlog of thousands in one batch: written in chunks PostgreSQL accepts, seats given back before new holds take them", async () => {
    const organizer = (await fixture.tenant("backlog")).organizerToken;
    const full = await draftWithZones(fixture, organizer);
    const fieldZone = await fixture.request("POST", `/shows/${full.show.id}/zones`, organizer, {
      name: "Field",
      price: 1_000,
      total_seats: 3_000,
    });
    expect(fieldZone.status).toBe(201);
    const zone = fieldZone.body.data;
    const ofZone = (type: BookingEvent["type"], booking: Parameters<typeof bookingEvent>[1]): BookingEvent => {
      const event = bookingEvent(type, { quantity: 1, user_id: buyers[0]!, ...booking }, zone.id);
      return { ...event, booking: { ...event.booking, event_id: full.event.id, show_id: full.show.id } };
    };
    // More bookings than one statement may bind (17 parameters a row): the whole zone held.
    const first = Array.from({ length: 3_000 }, () => crypto.randomUUID());
    const held = first.map((id, index) => pending(ofZone("booking.created", { booking_id: id, seq: index + 1, status: "reserved" })));
    expect((await applyBatch(fixture.db, held, { reorderWaitMs })).applied).toBe(3_000);
    expect(await zoneRow(zone.id)).toEqual({ reserved: 3_000, sold: 0, available: 0, watermark: 3_000 });
    // Then every hold expires and 3,000 new ones take the seats, in one batch, the new holds first:
    // written in the order of the events, a chunk of new holds would go over the zone's total.
    const second = Array.from({ length: 3_000 }, () => crypto.randomUUID());
    const expired = first.map((id, index) =>
      pending(ofZone("booking.expired", { booking_id: id, seq: 3_001 + index, status: "expired", closed_at_ms: Date.now() })),
    );
    const created = second.map((id, index) =>
      pending(ofZone("booking.created", { booking_id: id, seq: 6_001 + index, status: "reserved" })),
    );
    expect((await applyBatch(fixture.db, [...created, ...expired], { reorderWaitMs })).applied).toBe(6_000);
    expect(await zoneRow(zone.id)).toEqual({ reserved: 3_000, sold: 0, available: 0, watermark: 9_000 });
    const statuses = await fixture.asSystem((tx) =>
      tx
        .select({ status: schema.bookings.status, count: sql<number>`count(*)::int`.mapWith(Number) })
        .from(schema.bookings)
        .where(eq(schema.bookings.zoneId, zone.id))
        .groupBy(schema.bookings.status),
    );
    expect(Object.fromEntries(statuses.map((row) => [row.status, row.count]))).toEqual({ expired: 3_000, reserved: 3_000 });
  }, 120_000);

  describe("counters by change, on a zone with many bookings", () => {
    let big: Awaited<ReturnType<typeof draftWithZones>>;
    const held = Array.from({ length: 80 }, () => crypto.randomUUID());
    /** An event of the big sale's general zone. */
    const ofBig = (type: BookingEvent["type"], booking: Parameters<typeof bookingEvent>[1]): BookingEvent => {
      const event = bookingEvent(type, { quantity: 1, ...booking }, big.general.id);
      return { ...event, booking: { ...event.booking, event_id: big.event.id, show_id: big.show.id } };
    };

    beforeAll(async () => {
      big = await draftWithZones(fixture, (await fixture.tenant("big")).organizerToken);
      const created = held.map((id, index) =>
        pending(ofBig("booking.created", { booking_id: id, seq: index + 1, status: "reserved", user_id: buyers[index % 4]! })),
      );
      expect((await applyBatch(fixture.db, created, { reorderWaitMs })).applied).toBe(80);
      expect(await zoneRow(big.general.id)).toEqual({ reserved: 80, sold: 0, available: 20, watermark: 80 });
    });

    test("cost: a batch reads the rows of the bookings it writes, never the zone's other bookings", async () => {
      const counter = await countRowsRead(fixture.db, ["bookings"]);
      try {
        const { value, rows } = await counter.during(() =>
          applyBatch(
            fixture.db,
            [
              pending(ofBig("booking.confirmed", { booking_id: held[0]!, seq: 81, status: "confirmed", confirmed_at_ms: Date.now() })),
              pending(ofBig("booking.cancelled", { booking_id: held[1]!, seq: 82, status: "cancelled", closed_at_ms: Date.now() })),
            ],
            { reorderWaitMs },
          ),
        );
        expect(value.applied).toBe(2);
        // Each of the two rows is looked at a few times (locked, upserted and returned, its id read); the 78 others never.
        expect(rows.bookings).toBeGreaterThan(0);
        expect(rows.bookings).toBeLessThanOrEqual(2 * 5);
      } finally {
        await counter.stop();
      }
      expect(await zoneRow(big.general.id)).toEqual({ reserved: 78, sold: 1, available: 21, watermark: 82 });
    });

    test("a payment and the projector writing the same new booking at once: the counters count it once, at its newest state", async () => {
      const booking = crypto.randomUUID();
      const created = ofBig("booking.created", { booking_id: booking, seq: 83, status: "reserved", user_id: buyers[1]! });
      const confirmed = ofBig("booking.confirmed", {
        booking_id: booking,
        seq: 84,
        status: "confirmed",
        confirmed_at_ms: Date.now(),
        user_id: buyers[1]!,
      });
      // The payment's transaction writes the hold's row and stays open...
      let release = () => {};
      const released = new Promise<void>((resolve) => (release = resolve));
      let written = () => {};
      const paymentWrote = new Promise<void>((resolve) => (written = resolve));
      const payment = inScope(fixture.db, systemScope, async (tx) => {
        await upsertBookingStates(tx, [created.booking], await zoneFacts(tx, [big.general.id]));
        written();
        await released;
      });
      await paymentWrote;
      // ...while the projector, which did not see that row, writes the same booking's newer state and waits for it.
      const projected = applyBatch(fixture.db, [pending(created), pending(confirmed)], { reorderWaitMs });
      try {
        await eventually(
          async () => {
            const [waiting] = await fixture.db.execute<{ count: number }>(sql`
              select count(*)::int as count from pg_locks as lock join pg_stat_activity as session on session.pid = lock.pid
              where not lock.granted and session.datname = current_database()`);
            expect(waiting!.count).toBeGreaterThan(0);
          },
          { timeoutMs: 10_000, intervalMs: 20 },
        );
      } finally {
        release();
        await payment;
      }
      expect((await projected).applied).toBe(2);
      expect(await bookingRow(booking)).toMatchObject({ status: "confirmed", seq: 84 });
      // Counted once, as sold: the reserved seat the payment's write counted went back.
      expect(await zoneRow(big.general.id)).toEqual({ reserved: 78, sold: 2, available: 20, watermark: 84 });
    });
  });
});
