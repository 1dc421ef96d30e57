/**
 * Refunds on the real pipeline (booking API, outbox relay, Kafka, payment worker, saga, projector,
 * mock gateway as a real server): the customer's refund by the rules, a cancelled confirmed
 * booking, a cancelled event, and a booking closed while its charge is still in flight. Each ends
 * with the gateway's own record (one charge, at most one refund, of the right amount), the
 * booking cancelled with its seats back on sale, and PostgreSQL equal to Redis for the zone.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import * as schema from "@booking-rush/db/schema";
import { readBooking } from "@booking-rush/lib/inventory";
import { get as bookingGet, post as bookingPost } from "@booking-rush/test-support/booking-fixture";
import { eventually } from "@booking-rush/test-support/eventually";
import { type PaymentPipeline, paymentPipeline } from "@booking-rush/test-support/payment-pipeline";
import { zoneCaughtUp } from "@booking-rush/test-support/zone-sides";
import { eq } from "drizzle-orm";
import { refundClosedBooking } from "../src/payment-consumer";

const day = 24;
let world: PaymentPipeline;

beforeAll(async () => {
  world = await paymentPipeline({ name: "refund_rules", consumers: ["worker", "saga", "projector"], retry: { attemptTimeoutMs: 5_000 } });
});

afterAll(() => world.close());

const call = (...args: Parameters<PaymentPipeline["call"]>) => world.call(...args);
const zoneCounts = (eventId: string, zoneId: string) => world.zoneCounts(eventId, zoneId);
const bookingStatus = (eventId: string, bookingId: string) => world.bookingStatus(eventId, bookingId);
const caughtUp = (eventId: string, zoneId: string) => zoneCaughtUp(world.booking.redis, world.catalog, eventId, zoneId);

/** Reserve `quantity` standing places and pay for them; resolves once the saga confirmed the booking. */
async function paidBooking(bought: Awaited<ReturnType<PaymentPipeline["sale"]>>, quantity = 2) {
  const who = await world.buyer();
  const hold = await world.reserve(who.token, { show_id: bought.show.id, zone_id: bought.general.id, quantity });
  expect(hold.status).toBe(201);
  const bookingId = hold.body.data.booking_id as string;
  const paid = await world.pay(who.token, bookingId);
  expect(paid.status).toBe(202);
  await eventually(async () => expect(await bookingStatus(bought.event.id, bookingId)).toBe("confirmed"), {
    timeoutMs: 60_000,
    intervalMs: 50,
  });
  return { ...who, bookingId, paymentId: paid.body.data.payment_id as string };
}

const chargeOf = (paymentId: string) =>
  world.gateway.records.find((record) => record.kind === "charge" && record.idempotencyKey === paymentId)!;
const refundsAtGateway = (paymentId: string) =>
  world.gateway.records
    .filter((record) => record.kind === "refund" && record.chargeId === chargeOf(paymentId).id)
    .map((record) => record.amount);
const refundRows = (paymentId: string) =>
  world.catalog.asSystem((tx) => tx.select().from(schema.refunds).where(eq(schema.refunds.paymentId, paymentId)));

describe("POST /payments/:id/refund", () => {
  test("by the rules: 100% more than 7 days before the show, 50% at 3–7 days; the booking is cancelled and its seats are back on sale", async () => {
    for (const { showInHours, percent, amount } of [
      { showInHours: 10 * day, percent: 100, amount: 300_000 },
      { showInHours: 5 * day, percent: 50, amount: 150_000 },
    ]) {
      const bought = await world.sale(showInHours);
      const paid = await paidBooking(bought);
      expect(await zoneCounts(bought.event.id, bought.general.id)).toEqual({ reserved: 0, sold: 2 });
      // The buyer is shown what the refund will give before asking, by the same rule.
      const quote = await call("GET", `/payments/${paid.paymentId}/refund-quote`, paid.token);
      expect(quote.body.data).toMatchObject({ percent, amount, currency: "THB", reason: "customer_request", refundable: true });

      const key = crypto.randomUUID();
      const refunded = await call("POST", `/payments/${paid.paymentId}/refund`, paid.token, undefined, key);
      expect(refunded.status).toBe(200);
      expect(refunded.body.data).toMatchObject({
        payment_id: paid.paymentId,
        status: "refunded",
        refund: { amount, percent, reason: "customer_request", status: "succeeded" },
      });
      expect(refundsAtGateway(paid.paymentId)).toEqual([amount]);

      // The saga cancels the booking: seats back on sale, PostgreSQL follows.
      await eventually(async () => expect(await bookingStatus(bought.event.id, paid.bookingId)).toBe("cancelled"), {
        timeoutMs: 60_000,
        intervalMs: 50,
      });
      expect(await zoneCounts(bought.event.id, bought.general.id)).toEqual({ reserved: 0, sold: 0 });
      await caughtUp(bought.event.id, bought.general.id);

      // The booking API tells the buyer, on any later reading, that the cancellation was a refund and of how much.
      const refund = { amount, percent, currency: "THB", reason: "customer_request", processed_at: expect.any(String) };
      const one = await bookingGet(world.booking, `/bookings/${paid.bookingId}`, paid.token);
      expect(one.body.data).toMatchObject({ status: "cancelled", payment_id: paid.paymentId, refund });
      const listed = await bookingGet(world.booking, "/bookings", paid.token);
      expect(listed.body.data).toEqual([expect.objectContaining({ booking_id: paid.bookingId, status: "cancelled", refund })]);

      // The same request again is the same refund; another one is refused; nothing more reaches the gateway.
      const again = await call("POST", `/payments/${paid.paymentId}/refund`, paid.token, undefined, key);
      expect(again.status).toBe(200);
      expect(again.body.data.refund.refund_id).toBe(refunded.body.data.refund.refund_id);
      const second = await call("POST", `/payments/${paid.paymentId}/refund`, paid.token);
      expect(second.status).toBe(409);
      expect(second.body.error.code).toBe("CONFLICT");
      expect(refundsAtGateway(paid.paymentId)).toEqual([amount]);
      expect(await refundRows(paid.paymentId)).toHaveLength(1);
      expect((await call("GET", `/payments/${paid.paymentId}`, paid.token)).body.data).toMatchObject({
        status: "refunded",
        refund: { amount, percent },
      });
      expect((await call("GET", `/payments/${paid.paymentId}/refund-quote`, paid.token)).body.error).toMatchObject({
        code: "CONFLICT",
        details: { status: "refunded" },
      });
    }
  }, 150_000);

  test("less than 3 days before the show nothing is due: refused, and nothing changes", async () => {
    const bought = await world.sale(2 * day);
    const paid = await paidBooking(bought);
    const quote = await call("GET", `/payments/${paid.paymentId}/refund-quote`, paid.token);
    expect(quote.body.data).toMatchObject({ percent: 0, amount: 0, refundable: false });
    const refused = await call("POST", `/payments/${paid.paymentId}/refund`, paid.token);
    expect(refused.status).toBe(409);
    expect(refused.body.error).toMatchObject({ code: "CONFLICT", details: { percent: 0 } });
    expect((await call("GET", `/payments/${paid.paymentId}`, paid.token)).body.data.status).toBe("succeeded");
    expect(await bookingStatus(bought.event.id, paid.bookingId)).toBe("confirmed");
    expect(await zoneCounts(bought.event.id, bought.general.id)).toEqual({ reserved: 0, sold: 2 });
    expect(await refundRows(paid.paymentId)).toHaveLength(0);
    expect(refundsAtGateway(paid.paymentId)).toEqual([]);
  }, 150_000);

  test("someone else's payment is NOT_FOUND; a bad id is a VALIDATION_ERROR; a gateway that is down is 503 and nothing changes", async () => {
    const bought = await world.sale(10 * day);
    const paid = await paidBooking(bought, 1);
    const stranger = await world.buyer();
    expect((await call("POST", `/payments/${paid.paymentId}/refund`, stranger.token)).status).toBe(404);
    expect((await call("GET", `/payments/${paid.paymentId}/refund-quote`, stranger.token)).status).toBe(404);
    expect((await call("POST", "/payments/not-a-uuid/refund", paid.token)).body.error.code).toBe("VALIDATION_ERROR");

    world.gateway.knobs.failNext = 100;
    try {
      const down = await call("POST", `/payments/${paid.paymentId}/refund`, paid.token);
      expect(down.status).toBe(503);
      expect(down.body.error.code).toBe("SERVICE_UNAVAILABLE");
      // Unanswered, not refused: the refund stays processing, to be repeated under its own idempotency key.
      expect(await refundRows(paid.paymentId)).toEqual([expect.objectContaining({ status: "processing" })]);
      expect((await call("GET", `/payments/${paid.paymentId}`, paid.token)).body.data.refund).toMatchObject({ status: "processing" });
    } finally {
      world.gateway.knobs.failNext = 0;
    }
    expect((await call("GET", `/payments/${paid.paymentId}`, paid.token)).body.data.status).toBe("succeeded");
    expect(await bookingStatus(bought.event.id, paid.bookingId)).toBe("confirmed");
    expect(refundsAtGateway(paid.paymentId)).toEqual([]);

    // Once it is back the same request goes through.
    const later = await call("POST", `/payments/${paid.paymentId}/refund`, paid.token);
    expect(later.status).toBe(200);
    expect(refundsAtGateway(paid.paymentId)).toEqual([150_000]);
    // The same refund, repeated: one row, now succeeded.
    expect(await refundRows(paid.paymentId)).toEqual([expect.objectContaining({ status: "succeeded" })]);
  }, 150_000);

  test("concurrent requests for one payment: one refund at the gateway, and every success names it", async () => {
    const bought = await world.sale(10 * day);
    const paid = await paidBooking(bought);
    const answers = await Promise.all(Array.from({ length: 6 }, () => call("POST", `/payments/${paid.paymentId}/refund`, paid.token)));
    const succeeded = answers.filter((answer) => answer.status === 200);
    expect(succeeded.length).toBeGreaterThanOrEqual(1);
    expect(answers.every((answer) => answer.status === 200 || answer.status === 409)).toBe(true);
    expect(new Set(succeeded.map((answer) => answer.body.data.refund.refund_id)).size).toBe(1);
    expect(refundsAtGateway(paid.paymentId)).toEqual([300_000]);
    expect(await refundRows(paid.paymentId)).toHaveLength(1);
  }, 150_000);
});

describe("refunds that follow from a cancellation", () => {
  test("a confirmed booking cancelled by its customer: seats back at once, money back by the rules", async () => {
    const bought = await world.sale(5 * day);
    const paid = await paidBooking(bought);
    // Confirmed: no refund to read, and no query for one.
    expect((await bookingGet(world.booking, `/bookings/${paid.bookingId}`, paid.token)).body.data.refund).toBeUndefined();
    const cancelled = await bookingPost(world.booking, `/bookings/${paid.bookingId}/cancel`, paid.token, {});
    expect(cancelled.status).toBe(200);
    expect(await zoneCounts(bought.event.id, bought.general.id)).toEqual({ reserved: 0, sold: 0 });

    await eventually(async () => expect((await call("GET", `/payments/${paid.paymentId}`, paid.token)).body.data.status).toBe("refunded"), {
      timeoutMs: 60_000,
      intervalMs: 100,
    });
    expect(await refundRows(paid.paymentId)).toEqual([
      expect.objectContaining({ amount: 150_000, percent: 50, reason: "customer_request", status: "succeeded" }),
    ]);
    expect(refundsAtGateway(paid.paymentId)).toEqual([150_000]);
    await caughtUp(bought.event.id, bought.general.id);
    expect((await bookingGet(world.booking, `/bookings/${paid.bookingId}`, paid.token)).body.data).toMatchObject({
      status: "cancelled",
      refund: { amount: 150_000, percent: 50, currency: "THB", reason: "customer_request" },
    });
  }, 150_000);

  test("an organizer cancels the event: every paid booking is refunded in full and cancelled; a hold can no longer be paid", async () => {
    // Two days before the show the customer rule would give nothing: cancellation by the organizer gives everything.
    const bought = await world.sale(2 * day);
    const first = await paidBooking(bought, 2);
    const second = await paidBooking(bought, 1);
    const holder = await world.buyer();
    const hold = await world.reserve(holder.token, { show_id: bought.show.id, zone_id: bought.general.id, quantity: 1 });
    expect(hold.status).toBe(201);

    expect((await world.catalog.request("DELETE", `/events/${bought.event.id}`, bought.organizerToken)).status).toBe(200);
    for (const paid of [first, second]) {
      await eventually(async () => expect(await bookingStatus(bought.event.id, paid.bookingId)).toBe("cancelled"), {
        timeoutMs: 60_000,
        intervalMs: 100,
      });
      expect(await refundRows(paid.paymentId)).toEqual([
        expect.objectContaining({ percent: 100, reason: "event_cancelled", status: "succeeded" }),
      ]);
    }
    expect(refundsAtGateway(first.paymentId)).toEqual([300_000]);
    expect(refundsAtGateway(second.paymentId)).toEqual([150_000]);

    const late = await call("POST", "/payments", holder.token, { booking_id: hold.body.data.booking_id, method: "card" });
    expect(late.status).toBe(409);
    expect(late.body.error.code).toBe("BOOKING_NOT_OPEN");
    expect(await zoneCounts(bought.event.id, bought.general.id)).toEqual({ reserved: 1, sold: 0 });
  }, 150_000);

  test("a booking that closes while its charge is in flight: the refund is recorded, waits for the charge and follows it", async () => {
    const bought = await world.sale(10 * day);
    const who = await world.buyer();
    const hold = await world.reserve(who.token, { show_id: bought.show.id, zone_id: bought.general.id, quantity: 2 });
    const bookingId = hold.body.data.booking_id as string;
    world.gateway.knobs.latencyMs = 3_000;
    try {
      const paid = await call("POST", "/payments", who.token, { booking_id: bookingId, method: "card" });
      const paymentId = paid.body.data.payment_id as string;
      await eventually(async () => expect((await call("GET", `/payments/${paymentId}`, who.token)).body.data.status).toBe("processing"), {
        timeoutMs: 30_000,
        intervalMs: 20,
      });

      // The customer gives up on the hold while the gateway is still working on the charge.
      const cancelled = await bookingPost(world.booking, `/bookings/${bookingId}/cancel`, who.token, {});
      expect(cancelled.status).toBe(200);
      // A second worker handling booking.cancelled now finds the charge in flight and records the refund for later.
      const record = await readBooking(world.booking.redis, bookingId);
      expect(record.status).toBe("cancelled");
      const event = {
        eventId: `booking.cancelled:${bookingId}`,
        type: "booking.cancelled" as const,
        zoneId: record.zone_id,
        seq: record.seq,
        booking: record,
      };
      expect(await refundClosedBooking(world.refundDependencies, event)).toBe("refund_after_charge");

      await eventually(async () => expect((await call("GET", `/payments/${paymentId}`, who.token)).body.data.status).toBe("refunded"), {
        timeoutMs: 60_000,
        intervalMs: 100,
      });
      expect(await refundRows(paymentId)).toEqual([
        expect.objectContaining({ amount: 300_000, percent: 100, reason: "compensation", status: "succeeded" }),
      ]);
      expect(refundsAtGateway(paymentId)).toEqual([300_000]);
      expect(await bookingStatus(bought.event.id, bookingId)).toBe("cancelled");
      expect(await zoneCounts(bought.event.id, bought.general.id)).toEqual({ reserved: 0, sold: 0 });
      await caughtUp(bought.event.id, bought.general.id);
    } finally {
      world.gateway.knobs.latencyMs = 0;
    }
  }, 150_000);
});
