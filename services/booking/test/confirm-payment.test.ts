/**
 * No seat without a payment: a buyer's POST /bookings/:id/confirm must name a payment that exists,
 * is theirs, is for this booking, has succeeded and covers the amount. Every refusal changes
 * nothing in Redis (the zone, the booking, the outbox, byte for byte) nor in PostgreSQL. The
 * payments are real: POST /payments, charged by the payment worker at the mock gateway. No saga
 * runs, so a succeeded payment leaves its hold reserved until the buyer confirms.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import * as schema from "@booking-rush/db/schema";
import { signAccessToken } from "@booking-rush/lib/auth";
import type { PaymentEvent } from "@booking-rush/lib/contracts";
import { eventKeys } from "@booking-rush/lib/inventory";
import { post, testAuth } from "@booking-rush/test-support/booking-fixture";
import { eventually } from "@booking-rush/test-support/eventually";
import { type PaymentPipeline, paymentPipeline } from "@booking-rush/test-support/payment-pipeline";
import { eq } from "drizzle-orm";
import { applyPaymentOutcome } from "../src/payment-outcomes";

let world: PaymentPipeline;
let sale: Awaited<ReturnType<PaymentPipeline["sale"]>>;
const waitLong = { timeoutMs: 60_000, intervalMs: 100 };

beforeAll(async () => {
  world = await paymentPipeline({ name: "confirm_payment", consumers: ["worker"] });
  sale = await world.sale();
});
afterAll(() => world.close());

type Buyer = Awaited<ReturnType<PaymentPipeline["buyer"]>>;

async function hold(buyer: Buyer, quantity = 1, of = sale): Promise<string> {
  const answer = await world.reserve(buyer.token, { show_id: of.show.id, zone_id: of.general.id, quantity });
  expect(answer.status).toBe(201);
  return answer.body.data.booking_id;
}

/** A real payment of the buyer's booking, waited for until it reaches `status`. */
async function payment(buyer: Buyer, bookingId: string, status: "succeeded" | "failed") {
  if (status === "failed") world.gateway.knobs.declineNext = 1;
  const paid = await world.pay(buyer.token, bookingId);
  expect(paid.status).toBe(202);
  const paymentId: string = paid.body.data.payment_id;
  await eventually(async () => expect((await world.paymentOf(buyer.token, paymentId)).status).toBe(status), waitLong);
  return paymentId;
}

/**
 * Everything a confirmation could change, in Redis and PostgreSQL. Every event a script emits
 * bumps the zone's seq, so an unchanged zone also means nothing went to the outbox (which the
 * running relay drains, so its length proves nothing).
 */
async function snapshot(bookingId: string) {
  const keys = eventKeys(sale.event.id);
  const redis = world.booking.redis;
  const rows = await world.catalog.asSystem(async (tx) => ({
    bookings: await tx.select().from(schema.bookings).where(eq(schema.bookings.reservationId, bookingId)),
    payments: await tx.select().from(schema.payments).orderBy(schema.payments.id),
  }));
  return {
    zone: await redis.hgetall(keys.zone(sale.general.id)),
    booking: await redis.hgetall(keys.booking(bookingId)),
    userTickets: await redis.hgetall(keys.userTickets),
    expiry: await redis.zrange(keys.expiry, "0", "-1", "WITHSCORES"),
    rows,
  };
}

async function confirm(buyer: Buyer, bookingId: string, paymentId: string) {
  return post(world.booking, `/bookings/${bookingId}/confirm`, buyer.token, { payment_id: paymentId });
}

async function expectRefused(buyer: Buyer, bookingId: string, paymentId: string, status: number, code: string) {
  const before = await snapshot(bookingId);
  const answer = await confirm(buyer, bookingId, paymentId);
  expect(answer.status).toBe(status);
  expect(answer.body).toMatchObject({ success: false, error: { code } });
  expect(await snapshot(bookingId)).toEqual(before);
}

describe("a token for a user that does not exist", () => {
  test("POST /payments with it is 401, never a 500 from the foreign key, and records nothing", async () => {
    const ann = await world.buyer();
    const bookingId = await hold(ann);
    const before = await snapshot(bookingId);
    const ghost = await signAccessToken(
      { id: crypto.randomUUID(), email: "ghost@example.com", role: "user", tenant_id: null },
      { secret: testAuth.jwtSecret, ttlSeconds: 900 },
    );
    const answer = await world.call("POST", "/payments", ghost, { booking_id: bookingId, method: "card" });
    expect(answer.status).toBe(401);
    expect(answer.body.error.code).toBe("UNAUTHORIZED");
    expect(await snapshot(bookingId)).toEqual(before);
  });
});

describe("a buyer's confirmation must be paid for", () => {
  test("a random payment id is 404 and changes nothing", async () => {
    const ann = await world.buyer();
    const bookingId = await hold(ann);
    await expectRefused(ann, bookingId, crypto.randomUUID(), 404, "NOT_FOUND");
  });

  test("another buyer's succeeded payment is 404, as if it did not exist", async () => {
    const [ann, bob] = [await world.buyer(), await world.buyer()];
    const annBooking = await hold(ann);
    const bobBooking = await hold(bob);
    const bobPayment = await payment(bob, bobBooking, "succeeded");
    await expectRefused(ann, annBooking, bobPayment, 404, "NOT_FOUND");
    // Nor can Ann confirm Bob's booking with Bob's payment.
    await expectRefused(ann, bobBooking, bobPayment, 404, "NOT_FOUND");
  }, 120_000);

  test("the buyer's own payment of another booking is 409", async () => {
    const ann = await world.buyer();
    const first = await hold(ann);
    const second = await hold(ann);
    const paidFirst = await payment(ann, first, "succeeded");
    await expectRefused(ann, second, paidFirst, 409, "CONFLICT");
  }, 120_000);

  test("the buyer's own pending payment is 409", async () => {
    const ann = await world.buyer();
    const bookingId = await hold(ann);
    // The gateway answers slowly, so the payment is still in flight when the buyer confirms. The
    // snapshots are taken once the worker has moved it to processing, where it stays until the
    // gateway answers: a pending → processing step between them would read as a change.
    world.gateway.knobs.latencyMs = 4_000; // under the worker's 5 s gateway timeout
    let paymentId = "";
    try {
      const paid = await world.pay(ann.token, bookingId);
      expect(paid.status).toBe(202);
      paymentId = paid.body.data.payment_id;
      await eventually(async () => expect((await world.paymentOf(ann.token, paymentId)).status).toBe("processing"), waitLong);
      await expectRefused(ann, bookingId, paymentId, 409, "CONFLICT");
    } finally {
      world.gateway.knobs.latencyMs = 0;
      // Let its charge finish, pass or fail, so no later test's gateway knob is spent on it.
      if (paymentId) await eventually(async () => expect((await world.paymentOf(ann.token, paymentId)).status).toBe("succeeded"), waitLong);
    }
  }, 120_000);

  test("the buyer's own failed payment is 402 PAYMENT_FAILED", async () => {
    const ann = await world.buyer();
    const bookingId = await hold(ann);
    const failed = await payment(ann, bookingId, "failed");
    await expectRefused(ann, bookingId, failed, 402, "PAYMENT_FAILED");
  }, 120_000);

  test("the buyer's own refunded payment is 402 PAYMENT_FAILED", async () => {
    // Ten days before the show: a refund is due in full (under three days nothing is).
    const later = await world.sale(240);
    const ann = await world.buyer();
    const bookingId = await hold(ann, 1, later);
    const paymentId = await payment(ann, bookingId, "succeeded");
    expect((await confirm(ann, bookingId, paymentId)).status).toBe(200);
    const refund = await world.call("POST", `/payments/${paymentId}/refund`, ann.token);
    expect(refund.status).toBe(200);
    await eventually(async () => expect((await world.paymentOf(ann.token, paymentId)).status).toBe("refunded"), waitLong);
    await expectRefused(ann, bookingId, paymentId, 402, "PAYMENT_FAILED");
  }, 120_000);

  test("a payment that does not cover the booking is 409", async () => {
    const ann = await world.buyer();
    const bookingId = await hold(ann, 2);
    const paymentId = await payment(ann, bookingId, "succeeded");
    // As if the charge had been for less than the booking (a bug or a tampered row): refused.
    await world.catalog.asSystem((tx) => tx.update(schema.payments).set({ amount: 1 }).where(eq(schema.payments.id, paymentId)));
    await expectRefused(ann, bookingId, paymentId, 409, "CONFLICT");
  }, 120_000);

  test("the buyer's own succeeded payment confirms; the saga's confirmation of the same payment then changes nothing", async () => {
    const ann = await world.buyer();
    const bookingId = await hold(ann, 2);
    const paymentId = await payment(ann, bookingId, "succeeded");
    const confirmed = await confirm(ann, bookingId, paymentId);
    expect(confirmed.status).toBe(200);
    expect(confirmed.body.data).toMatchObject({ status: "confirmed", payment_id: paymentId, quantity: 2 });

    const before = await snapshot(bookingId);
    const event: PaymentEvent = {
      eventId: crypto.randomUUID(),
      type: "payment.succeeded",
      occurredAt: new Date().toISOString(),
      payment: { payment_id: paymentId, booking_id: bookingId, user_id: ann.id, amount: 600_000, currency: "THB", status: "succeeded" },
    };
    expect(await applyPaymentOutcome(world.booking.service.store, event)).toBe("confirmed");
    const after = await snapshot(bookingId);
    expect(after.zone).toEqual(before.zone);
    expect(after.booking).toEqual(before.booking);
    // And confirming again as the buyer is the same answer.
    expect((await confirm(ann, bookingId, paymentId)).status).toBe(200);
  }, 120_000);
});
