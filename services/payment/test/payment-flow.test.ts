/**
 * A booking paid end to end on the real pipeline: reserve (booking API) → POST /payments →
 * payment.requested → the payment worker charges the mock gateway (a real HTTP server) →
 * payment.succeeded / payment.failed → the saga confirms or releases the hold → the outbox relay
 * and the projector bring it to PostgreSQL → the notification worker e-mails the buyer through
 * the SMTP sink. Each ends with PostgreSQL equal to Redis for the zone.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import * as schema from "@booking-rush/db/schema";
import { createProducer } from "@booking-rush/lib/clients";
import { type PaymentEventData, paymentEventMessage } from "@booking-rush/lib/contracts";
import { eventually } from "@booking-rush/test-support/eventually";
import { theOneMailTo } from "@booking-rush/test-support/mail-sink";
import { type PaymentPipeline, paymentPipeline } from "@booking-rush/test-support/payment-pipeline";
import { testKafka } from "@booking-rush/test-support/relay-fixture";
import { zoneCaughtUp } from "@booking-rush/test-support/zone-sides";
import { eq } from "drizzle-orm";

let world: PaymentPipeline;
const waitLong = { timeoutMs: 60_000, intervalMs: 100 };

beforeAll(async () => {
  world = await paymentPipeline({ name: "payment_flow", consumers: ["worker", "saga", "projector", "notifier"] });
});

afterAll(() => world.close());

describe("payments end to end", () => {
  test("reserve → pay → charged once → confirmed in Redis and PostgreSQL, seats sold, one e-ticket", async () => {
    const { event, show, general } = await world.sale();
    const payer = await world.buyer();
    const hold = await world.reserve(payer.token, { show_id: show.id, zone_id: general.id, quantity: 2 });
    expect(hold.status).toBe(201);
    const bookingId = hold.body.data.booking_id;

    const paid = await world.pay(payer.token, bookingId);
    expect(paid.status).toBe(202);
    expect(paid.body.data).toMatchObject({ status: "pending", amount: 300_000, currency: "THB", booking_id: bookingId });
    const paymentId = paid.body.data.payment_id;

    await eventually(async () => expect((await world.paymentOf(payer.token, paymentId)).status).toBe("succeeded"), waitLong);
    await eventually(async () => expect(await world.zoneCounts(event.id, general.id)).toEqual({ reserved: 0, sold: 2 }), waitLong);
    await eventually(async () => {
      const [row] = await world.catalog.asSystem((tx) =>
        tx.select().from(schema.bookings).where(eq(schema.bookings.reservationId, bookingId)),
      );
      expect(row).toMatchObject({ status: "confirmed" });
      const [zone] = await world.catalog.asSystem((tx) => tx.select().from(schema.seatZones).where(eq(schema.seatZones.id, general.id)));
      expect(zone).toMatchObject({ soldSeats: 2, reservedSeats: 0, availableSeats: 98 });
    }, waitLong);
    expect(world.gateway.records.filter((record) => record.idempotencyKey === paymentId)).toHaveLength(1);
    expect(world.sagaResults).toContain("confirmed");
    await zoneCaughtUp(world.booking.redis, world.catalog, event.id, general.id);

    const mail = await theOneMailTo(payer.email);
    expect(mail.subject).toBe(`Your tickets for ${event.title}`);
    expect(mail.text).toContain(bookingId);
  }, 150_000);

  test("a declined payment gives the seats back at once, says why, and e-mails the buyer", async () => {
    const { event, show, general } = await world.sale();
    const payer = await world.buyer();
    const hold = await world.reserve(payer.token, { show_id: show.id, zone_id: general.id, quantity: 3 });
    world.gateway.knobs.declineNext = 1;
    const paid = await world.pay(payer.token, hold.body.data.booking_id);
    await eventually(
      async () =>
        expect(await world.paymentOf(payer.token, paid.body.data.payment_id)).toMatchObject({
          status: "failed",
          failure_reason: "The payment was declined",
        }),
      waitLong,
    );
    await eventually(async () => expect(await world.zoneCounts(event.id, general.id)).toEqual({ reserved: 0, sold: 0 }), waitLong);
    expect(await world.bookingStatus(event.id, hold.body.data.booking_id)).toBe("cancelled");
    expect(world.sagaResults).toContain("released");
    expect((await theOneMailTo(payer.email)).subject).toBe(`Payment failed for ${event.title}`);
    await zoneCaughtUp(world.booking.redis, world.catalog, event.id, general.id);
  }, 150_000);

  test("the same payment.requested delivered twice charges once", async () => {
    const { event, show, general } = await world.sale();
    const payer = await world.buyer();
    const hold = await world.reserve(payer.token, { show_id: show.id, zone_id: general.id, quantity: 1 });
    const paid = await world.pay(payer.token, hold.body.data.booking_id);
    const paymentId = paid.body.data.payment_id;
    await eventually(async () => expect((await world.paymentOf(payer.token, paymentId)).status).toBe("succeeded"), waitLong);

    const producer = createProducer(testKafka);
    await producer.connect();
    const data: PaymentEventData = {
      payment_id: paymentId,
      booking_id: hold.body.data.booking_id,
      user_id: payer.id,
      amount: 150_000,
      currency: "THB",
      status: "pending",
    };
    const message = paymentEventMessage("payment.requested", data);
    await producer.send({
      topic: "payment.requested",
      messages: [
        { key: event.id, value: JSON.stringify(message) },
        { key: event.id, value: JSON.stringify(message) },
      ],
    });
    await producer.disconnect();
    // A later message on the same partition is handled only after these two: once it is, they were.
    const next = await world.buyer();
    const laterHold = await world.reserve(next.token, { show_id: show.id, zone_id: general.id, quantity: 1 });
    const later = await world.pay(next.token, laterHold.body.data.booking_id);
    await eventually(
      async () => expect((await world.paymentOf(next.token, later.body.data.payment_id)).status).toBe("succeeded"),
      waitLong,
    );

    expect(world.gateway.records.filter((record) => record.idempotencyKey === paymentId)).toHaveLength(1);
    expect(await world.zoneCounts(event.id, general.id)).toEqual({ reserved: 0, sold: 2 });
    await zoneCaughtUp(world.booking.redis, world.catalog, event.id, general.id);
  }, 150_000);

  test("the API: the same Idempotency-Key is the same payment; a second payment of a paid booking, another's booking, a past hold are refused", async () => {
    const { show, general } = await world.sale();
    const payer = await world.buyer();
    const hold = await world.reserve(payer.token, { show_id: show.id, zone_id: general.id, quantity: 1 });
    const key = crypto.randomUUID();
    const first = await world.pay(payer.token, hold.body.data.booking_id, key);
    const again = await world.pay(payer.token, hold.body.data.booking_id, key);
    expect(again.status).toBe(202);
    expect(again.body.data.payment_id).toBe(first.body.data.payment_id);
    const second = await world.pay(payer.token, hold.body.data.booking_id);
    expect(second.status).toBe(409);
    const other = await world.buyer();
    expect((await world.pay(other.token, hold.body.data.booking_id)).status).toBe(404);
    expect((await world.pay(payer.token, crypto.randomUUID())).status).toBe(404);
    const rows = await world.catalog.asSystem((tx) => tx.select().from(schema.payments).where(eq(schema.payments.userId, payer.id)));
    expect(rows).toHaveLength(1);
  }, 150_000);
});
