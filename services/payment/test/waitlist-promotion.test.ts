/**
 * Seats that come back through the payment pipeline go to the waitlist: a declined payment (the
 * saga releases the hold) and a refund of a paid booking (the saga cancels it) each promote the
 * head of the zone's waitlist, in the script that gives the seats back.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { eventually } from "@booking-rush/test-support/eventually";
import { type PaymentPipeline, paymentPipeline } from "@booking-rush/test-support/payment-pipeline";

let world: PaymentPipeline;
const waitLong = { timeoutMs: 60_000, intervalMs: 100 };
const day = 24;

beforeAll(async () => {
  world = await paymentPipeline({ name: "waitlist_promotion", consumers: ["worker", "saga"] });
});

afterAll(() => world.close());

describe("the payment pipeline's returned seats go to the waitlist", () => {
  test("a declined payment and a refund each promote the head of the assigned zone's waitlist", async () => {
    // The Seated zone has 5 seats; the show is 10 days away, so a refund is 100%.
    const { event, show, assigned } = await world.sale(10 * day, { waitlist_limit: 10 });
    const seats = (await world.catalog.request("GET", `/shows/${show.id}/seats?zone_id=${assigned.id}`, null)).body.data.map(
      (seat: { id: string }) => seat.id,
    ) as string[];
    expect(seats).toHaveLength(5);
    const [declined, refunded] = [await world.buyer(), await world.buyer()];
    const declinedHold = await world.reserve(declined.token, { show_id: show.id, seat_ids: seats.slice(0, 2) });
    const refundedHold = await world.reserve(refunded.token, { show_id: show.id, seat_ids: seats.slice(2, 5) });
    expect([declinedHold.status, refundedHold.status]).toEqual([201, 201]);

    const waiters = [await world.buyer(), await world.buyer()];
    const places: Awaited<ReturnType<PaymentPipeline["reserve"]>>[] = [];
    for (const [index, waiter] of waiters.entries()) {
      // Each asks for taken seats and waits instead: the first for two, the second for three.
      const wanted = index === 0 ? seats.slice(0, 2) : seats.slice(2, 5);
      places.push(await world.reserve(waiter.token, { show_id: show.id, seat_ids: wanted, join_waitlist: true }));
    }
    expect(places.map((place) => place.body.data)).toMatchObject([
      { status: "waitlisted", waitlist_position: 1, quantity: 2 },
      { status: "waitlisted", waitlist_position: 2, quantity: 3 },
    ]);
    const statusOf = (index: number) => world.bookingStatus(event.id, places[index]!.body.data.booking_id);

    // Declined: the saga releases the two seats, and the head (two) holds them.
    world.gateway.knobs.declineNext = 1;
    await world.pay(declined.token, declinedHold.body.data.booking_id);
    await eventually(async () => expect(await statusOf(0)).toBe("reserved"), waitLong);
    expect(await world.bookingStatus(event.id, declinedHold.body.data.booking_id)).toBe("cancelled");
    expect(await statusOf(1)).toBe("waitlisted");

    // Paid, then refunded: the saga cancels it, and the next (three) holds its seats.
    const paid = await world.pay(refunded.token, refundedHold.body.data.booking_id);
    await eventually(
      async () => expect(await world.bookingStatus(event.id, refundedHold.body.data.booking_id)).toBe("confirmed"),
      waitLong,
    );
    const refund = await world.call("POST", `/payments/${paid.body.data.payment_id}/refund`, refunded.token);
    expect(refund.body.data).toMatchObject({ status: "refunded", refund: { percent: 100 } });
    await eventually(async () => expect(await statusOf(1)).toBe("reserved"), waitLong);
    expect(await world.zoneCounts(event.id, assigned.id)).toEqual({ reserved: 5, sold: 0 });
    // Both came back through the saga (its result is counted just after the script answered).
    await eventually(async () => expect(world.sagaResults.filter((result) => result === "released")).toHaveLength(2), waitLong);
  }, 150_000);
});
