/**
 * A waiting booking (lua/_waitlist.lua's record: status waitlisted, no seats) as the payment
 * service meets it: it cannot be paid (409 CONFLICT, nothing written), and when it leaves the
 * waitlist its booking.cancelled reaches the payment worker as a no-op (nothing was ever paid).
 * The record is written in Redis as the waitlist script leaves it; the rest is the real service,
 * PostgreSQL and Kafka.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import * as schema from "@booking-rush/db/schema";
import { createProducer } from "@booking-rush/lib/clients";
import type { BookingState, bookingMessageSchema } from "@booking-rush/lib/contracts";
import { bookingEventKey, eventKeys } from "@booking-rush/lib/inventory";
import { createMetrics } from "@booking-rush/lib/observability";
import { eventually } from "@booking-rush/test-support/eventually";
import { groupAtEnd } from "@booking-rush/test-support/fresh-group";
import { type PaymentPipeline, paymentPipeline } from "@booking-rush/test-support/payment-pipeline";
import { testKafka } from "@booking-rush/test-support/relay-fixture";
import { stackConfig, testLogger } from "@booking-rush/test-support/stack-config";
import { eq } from "drizzle-orm";
import { createPaymentWorker, paymentWorkerTopics } from "../src/payment-consumer";
import { createPaymentMetrics } from "../src/payment-metrics";

let world: PaymentPipeline;

beforeAll(async () => {
  world = await paymentPipeline({ name: "payment_waitlisted", consumers: [] });
});

afterAll(() => world.close());

/** A waiting place of `userId` in the sale's standing zone, as the waitlist script records it. */
async function waitingBooking(sale: Awaited<ReturnType<PaymentPipeline["sale"]>>, userId: string) {
  const now = Date.now();
  const record: BookingState = {
    booking_id: crypto.randomUUID(),
    user_id: userId,
    event_id: sale.event.id,
    show_id: sale.show.id,
    zone_id: sale.general.id,
    quantity: 2,
    status: "waitlisted",
    created_at_ms: now,
    expires_at_ms: now + 3_600_000,
    waitlist_position: 1,
    seq: 1,
  };
  const key = eventKeys(sale.event.id).booking(record.booking_id);
  await world.booking.redis.hset(key, { ...record, seat_ids: "", hold_ms: 600_000 });
  await world.booking.redis.set(bookingEventKey(record.booking_id), sale.event.id);
  return { record, key };
}

const rowsOf = (reservationId: string) =>
  world.catalog.asSystem(async (tx) => ({
    bookings: await tx.select().from(schema.bookings).where(eq(schema.bookings.reservationId, reservationId)),
    payments: await tx
      .select({ id: schema.payments.id })
      .from(schema.payments)
      .innerJoin(schema.bookings, eq(schema.bookings.id, schema.payments.bookingId))
      .where(eq(schema.bookings.reservationId, reservationId)),
  }));

describe("a waiting booking at the payment service", () => {
  test("POST /payments for a waitlisted booking: 409 CONFLICT naming the status, and nothing is written", async () => {
    const sale = await world.sale();
    const wes = await world.buyer();
    const { record, key } = await waitingBooking(sale, wes.id);
    const before = await world.booking.redis.hgetall(key);

    const paid = await world.pay(wes.token, record.booking_id);
    expect(paid.status).toBe(409);
    expect(paid.body).toMatchObject({ success: false, error: { code: "CONFLICT", details: { status: "waitlisted" } } });
    expect(JSON.stringify(paid.body)).not.toMatch(/insert|select|stack/i);

    expect(await rowsOf(record.booking_id)).toEqual({ bookings: [], payments: [] });
    expect(await world.booking.redis.hgetall(key)).toEqual(before);
    expect(await world.zoneCounts(sale.event.id, sale.general.id)).toEqual({ reserved: 0, sold: 0 });
    expect(world.gateway.records).toHaveLength(0);
  });

  test("its booking.cancelled (the buyer left the waitlist) is a no-op for the payment worker: nothing to refund", async () => {
    const sale = await world.sale();
    const xena = await world.buyer();
    const { record } = await waitingBooking(sale, xena.id);
    const metrics = createPaymentMetrics(createMetrics("payment-waitlisted-test"));
    const worker = createPaymentWorker(
      { ...world.refundDependencies, kafka: testKafka, logger: testLogger, metrics },
      {
        groupId: await groupAtEnd(testKafka, "payment-waitlisted", paymentWorkerTopics),
        deadLetterTopic: `payment.dead-letter.test-${crypto.randomUUID()}`,
        topics: stackConfig.kafka.topics,
        gatewayUrl: world.gateway.url,
        retry: world.retry,
      },
    );
    const producer = createProducer(testKafka);
    await worker.start();
    await producer.connect();
    const outcome = async (result: string) =>
      (await metrics.outcomes.get()).values.find((value) => value.labels.result === result)?.value ?? 0;
    try {
      const left: typeof bookingMessageSchema.static = {
        event_id: `booking.cancelled:${record.booking_id}`,
        type: "booking.cancelled",
        occurred_at: new Date().toISOString(),
        seq: 2,
        data: { ...record, status: "cancelled", closed_at_ms: Date.now(), seq: 2 },
      };
      await producer.send({
        topic: "booking.cancelled",
        messages: [{ key: sale.event.id, value: JSON.stringify(left), headers: { event_id: left.event_id } }],
      });
      await eventually(async () => expect(await outcome("nothing_to_refund")).toBe(1), { timeoutMs: 45_000, intervalMs: 100 });
      expect(await outcome("refunded")).toBe(0);
      expect((await (await metrics.workerFailures.get()).values[0]?.value) ?? 0).toBe(0);
      expect(await rowsOf(record.booking_id)).toEqual({ bookings: [], payments: [] });
      expect(world.gateway.records).toHaveLength(0);
    } finally {
      await producer.disconnect();
      await worker.stop();
    }
  }, 90_000);
});
