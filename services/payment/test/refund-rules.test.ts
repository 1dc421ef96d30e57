/**
 * Refunds on the real pipeline (booking API, outbox relay, Kafka, payment worker, saga, projector,
 * mock gateway as a real server): the customer's refund by the rules, a cancelled confirmed
 * booking, a cancelled event, and a booking closed while its charge is still in flight. Each ends
 * with the gateway's own record (one charge, at most one refund, of the right amount), the
 * booking cancelled with its seats back on sale, and PostgreSQL equal to Redis for the zone.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { bookingTopics, createHttpApp, createLogger, createMetrics, eventKeys, readBooking } from "@booking-rush/lib";
import { eq } from "drizzle-orm";
import * as schema from "../../../drizzle/schema";
import { createPaymentSaga, paymentSagaTopics } from "../../booking/src/payment-saga";
import { type BookingFixture, bookingFixture, post as bookingPost, tokenFor } from "../../booking/test/support/booking-fixture";
import { startTestRelay, testKafka } from "../../booking/test/support/relay-fixture";
import { type CatalogFixture, catalogFixture, draftWithZones } from "../../catalog/test/support/catalog-fixture";
import { eventually } from "../../lib/test/support/eventually";
import { groupAtEnd } from "../../lib/test/support/fresh-group";
import { stackConfig, testLogger } from "../../lib/test/support/stack-config";
import { createProjector } from "../../projector/src/projector";
import { createProjectorMetrics } from "../../projector/src/projector-metrics";
import { zoneCaughtUp } from "../../projector/test/support/zone-sides";
import { createPaymentService } from "../src/app";
import { createGatewayClient } from "../src/gateway/gateway-client";
import { startMockGateway } from "../src/gateway/mock-gateway";
import { createPaymentMetrics } from "../src/payment-metrics";
import { createPaymentPublisher } from "../src/payment-publisher";
import { createPaymentWorker, paymentWorkerTopics, refundClosedBooking } from "../src/payment-worker";

const gateway = startMockGateway();
const retry = { attempts: 4, baseDelayMs: 20, maxDelayMs: 200, attemptTimeoutMs: 5_000 };
const unique = crypto.randomUUID();
const day = 24;
let catalog: CatalogFixture;
let booking: BookingFixture;
let payment: ReturnType<typeof createPaymentService>;
let paymentApp: ReturnType<typeof createHttpApp>;
let refundDependencies: Parameters<typeof refundClosedBooking>[0];
const stops: (() => Promise<unknown>)[] = [];

beforeAll(async () => {
  catalog = await catalogFixture("refund_rules");
  booking = await bookingFixture();
  const logger = createLogger({ service: "refund-rules-test", level: "error", write: () => {} });
  const metrics = createMetrics("refund-rules-test");
  payment = createPaymentService(
    { redis: stackConfig.redis, postgres: { ...stackConfig.postgres, url: catalog.database.url }, kafka: stackConfig.kafka, auth: { jwtSecret: "booking-tests-signing-secret-0123456789" }, payment: { gatewayUrl: gateway.url, retry } },
    logger,
  );
  paymentApp = createHttpApp({ service: { name: "refund-rules-test", corsOrigins: "*" }, logger, metrics, readiness: { checks: {}, draining: false } }, [payment.routes]);

  const relay = startTestRelay(booking.redis);
  const publisher = createPaymentPublisher(testKafka, stackConfig.kafka.topics);
  refundDependencies = { db: catalog.db, gateway: createGatewayClient(gateway.url, retry), publisher };
  const worker = createPaymentWorker(
    { ...refundDependencies, kafka: testKafka, logger: testLogger, metrics: createPaymentMetrics(metrics) },
    { groupId: await groupAtEnd(testKafka, "refund-rules-payment", paymentWorkerTopics), deadLetterTopic: `payment.dead-letter.test-${unique}`, topics: stackConfig.kafka.topics, gatewayUrl: gateway.url, retry },
  );
  const saga = createPaymentSaga(
    { store: booking.service.store, kafka: testKafka, logger: createLogger({ service: "saga-debug", level: "debug" }), onResult: (r) => console.log("SAGA", r) },
    { groupId: await groupAtEnd(testKafka, "refund-rules-saga", paymentSagaTopics), deadLetterTopic: `saga.dead-letter.test-${unique}`, topics: stackConfig.kafka.topics },
  );
  const projector = createProjector(
    { kafka: testKafka, db: catalog.db, logger: testLogger, metrics: createProjectorMetrics(metrics) },
    { groupId: await groupAtEnd(testKafka, "refund-rules-projector", bookingTopics), batchSize: 500, flushIntervalMs: 100, reorderWaitMs: 30_000, deadLetterTopic: `projector.dead-letter.test-${unique}`, topics: stackConfig.kafka.topics },
  );
  for (const consumer of [worker, saga, projector]) await consumer.start();
  stops.push(() => relay.stop(), () => worker.stop(), () => saga.stop(), () => projector.stop(), () => publisher.close());
});

afterAll(async () => {
  for (const stop of stops) await stop();
  await payment.close();
  await booking.close();
  await catalog.close();
  gateway.stop();
});

// biome-ignore lint/suspicious/noExplicitAny: assertions inspect the shape
type Answer = { status: number; body: any };

async function call(method: string, path: string, token: string, body?: unknown, key: string = crypto.randomUUID()): Promise<Answer> {
  const response = await paymentApp.handle(
    new Request(`http://localhost/api/v1${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json", ...(method === "POST" ? { "idempotency-key": key } : {}) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    }),
  );
  return { status: response.status, body: await response.json() };
}

async function buyer() {
  const [user] = await catalog.asSystem((tx) => tx.insert(schema.users).values({ email: `refund-${crypto.randomUUID()}@example.com`, passwordHash: "x", name: "Buyer" }).returning());
  return { id: user!.id, token: await tokenFor(user!.id) };
}

async function sale(showInHours: number) {
  const acme = await catalog.tenant("acme");
  const created = await draftWithZones(catalog, acme.organizerToken, {}, { showInHours });
  expect((await catalog.request("POST", `/events/${created.event.id}/publish`, acme.organizerToken)).status).toBe(200);
  return { ...created, organizerToken: acme.organizerToken };
}

const zoneCounts = async (eventId: string, zoneId: string) => {
  const [reserved, sold] = await booking.redis.hmget(eventKeys(eventId).zone(zoneId), "reserved", "sold");
  return { reserved: Number(reserved), sold: Number(sold) };
};

const bookingStatus = (eventId: string, bookingId: string) => booking.redis.hget(eventKeys(eventId).booking(bookingId), "status");

/** Reserve `quantity` standing places and pay for them; resolves once the saga confirmed the booking. */
async function paidBooking(bought: Awaited<ReturnType<typeof sale>>, quantity = 2) {
  const who = await buyer();
  const hold = await bookingPost(booking, "/bookings/reserve", who.token, { show_id: bought.show.id, zone_id: bought.general.id, quantity });
  expect(hold.status).toBe(201);
  const bookingId = hold.body.data.booking_id as string;
  const paid = await call("POST", "/payments", who.token, { booking_id: bookingId, method: "card" });
  expect(paid.status).toBe(202);
  await eventually(async () => expect(await bookingStatus(bought.event.id, bookingId)).toBe("confirmed"), { timeoutMs: 60_000, intervalMs: 50 });
  return { ...who, bookingId, paymentId: paid.body.data.payment_id as string };
}

const chargeOf = (paymentId: string) => gateway.records.find((record) => record.kind === "charge" && record.idempotencyKey === paymentId)!;
const refundsAtGateway = (paymentId: string) => gateway.records.filter((record) => record.kind === "refund" && record.chargeId === chargeOf(paymentId).id).map((record) => record.amount);
const refundRows = (paymentId: string) => catalog.asSystem((tx) => tx.select().from(schema.refunds).where(eq(schema.refunds.paymentId, paymentId)));

describe("POST /payments/:id/refund", () => {
  test("by the rules: 100% more than 7 days before the show, 50% at 3–7 days; the booking is cancelled and its seats are back on sale", async () => {
    for (const { showInHours, percent, amount } of [
      { showInHours: 10 * day, percent: 100, amount: 300_000 },
      { showInHours: 5 * day, percent: 50, amount: 150_000 },
    ]) {
      const bought = await sale(showInHours);
      const paid = await paidBooking(bought);
      expect(await zoneCounts(bought.event.id, bought.general.id)).toEqual({ reserved: 0, sold: 2 });

      const key = crypto.randomUUID();
      const refunded = await call("POST", `/payments/${paid.paymentId}/refund`, paid.token, undefined, key);
      expect(refunded.status).toBe(200);
      expect(refunded.body.data).toMatchObject({ payment_id: paid.paymentId, status: "refunded", refund: { amount, percent, reason: "customer_request", status: "succeeded" } });
      expect(refundsAtGateway(paid.paymentId)).toEqual([amount]);

      // The saga cancels the booking: seats back on sale, PostgreSQL follows.
      await eventually(async () => expect(await bookingStatus(bought.event.id, paid.bookingId)).toBe("cancelled"), { timeoutMs: 60_000, intervalMs: 50 });
      expect(await zoneCounts(bought.event.id, bought.general.id)).toEqual({ reserved: 0, sold: 0 });
      await zoneCaughtUp(booking.redis, catalog, bought.event.id, bought.general.id);

      // The same request again is the same refund; another one is refused; nothing more reaches the gateway.
      const again = await call("POST", `/payments/${paid.paymentId}/refund`, paid.token, undefined, key);
      expect(again.status).toBe(200);
      expect(again.body.data.refund.refund_id).toBe(refunded.body.data.refund.refund_id);
      const second = await call("POST", `/payments/${paid.paymentId}/refund`, paid.token);
      expect(second.status).toBe(409);
      expect(second.body.error.code).toBe("CONFLICT");
      expect(refundsAtGateway(paid.paymentId)).toEqual([amount]);
      expect(await refundRows(paid.paymentId)).toHaveLength(1);
      expect((await call("GET", `/payments/${paid.paymentId}`, paid.token)).body.data).toMatchObject({ status: "refunded", refund: { amount, percent } });
    }
  }, 150_000);

  test("less than 3 days before the show nothing is due: refused, and nothing changes", async () => {
    const bought = await sale(2 * day);
    const paid = await paidBooking(bought);
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
    const bought = await sale(10 * day);
    const paid = await paidBooking(bought, 1);
    const stranger = await buyer();
    expect((await call("POST", `/payments/${paid.paymentId}/refund`, stranger.token)).status).toBe(404);
    expect((await call("POST", "/payments/not-a-uuid/refund", paid.token)).body.error.code).toBe("VALIDATION_ERROR");

    gateway.knobs.failNext = 100;
    try {
      const down = await call("POST", `/payments/${paid.paymentId}/refund`, paid.token);
      expect(down.status).toBe(503);
      expect(down.body.error.code).toBe("SERVICE_UNAVAILABLE");
    } finally {
      gateway.knobs.failNext = 0;
    }
    expect((await call("GET", `/payments/${paid.paymentId}`, paid.token)).body.data.status).toBe("succeeded");
    expect(await bookingStatus(bought.event.id, paid.bookingId)).toBe("confirmed");
    expect(refundsAtGateway(paid.paymentId)).toEqual([]);

    // Once it is back the same request goes through.
    const later = await call("POST", `/payments/${paid.paymentId}/refund`, paid.token);
    expect(later.status).toBe(200);
    expect(refundsAtGateway(paid.paymentId)).toEqual([150_000]);
  }, 150_000);

  test("concurrent requests for one payment: one refund at the gateway, and every success names it", async () => {
    const bought = await sale(10 * day);
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
    const bought = await sale(5 * day);
    const paid = await paidBooking(bought);
    const cancelled = await bookingPost(booking, `/bookings/${paid.bookingId}/cancel`, paid.token, {});
    expect(cancelled.status).toBe(200);
    expect(await zoneCounts(bought.event.id, bought.general.id)).toEqual({ reserved: 0, sold: 0 });

    await eventually(async () => expect((await call("GET", `/payments/${paid.paymentId}`, paid.token)).body.data.status).toBe("refunded"), { timeoutMs: 60_000, intervalMs: 100 });
    expect(await refundRows(paid.paymentId)).toEqual([expect.objectContaining({ amount: 150_000, percent: 50, reason: "customer_request", status: "succeeded" })]);
    expect(refundsAtGateway(paid.paymentId)).toEqual([150_000]);
    await zoneCaughtUp(booking.redis, catalog, bought.event.id, bought.general.id);
  }, 150_000);

  test("an organizer cancels the event: every paid booking is refunded in full and cancelled; a hold can no longer be paid", async () => {
    // Two days before the show the customer rule would give nothing: cancellation by the organizer gives everything.
    const bought = await sale(2 * day);
    const first = await paidBooking(bought, 2);
    const second = await paidBooking(bought, 1);
    const holder = await buyer();
    const hold = await bookingPost(booking, "/bookings/reserve", holder.token, { show_id: bought.show.id, zone_id: bought.general.id, quantity: 1 });
    expect(hold.status).toBe(201);

    expect((await catalog.request("DELETE", `/events/${bought.event.id}`, bought.organizerToken)).status).toBe(200);
    for (const paid of [first, second]) {
      await eventually(async () => expect(await bookingStatus(bought.event.id, paid.bookingId)).toBe("cancelled"), { timeoutMs: 60_000, intervalMs: 100 });
      expect(await refundRows(paid.paymentId)).toEqual([expect.objectContaining({ percent: 100, reason: "event_cancelled", status: "succeeded" })]);
    }
    expect(refundsAtGateway(first.paymentId)).toEqual([300_000]);
    expect(refundsAtGateway(second.paymentId)).toEqual([150_000]);

    const late = await call("POST", "/payments", holder.token, { booking_id: hold.body.data.booking_id, method: "card" });
    expect(late.status).toBe(409);
    expect(late.body.error.code).toBe("BOOKING_NOT_OPEN");
    expect(await zoneCounts(bought.event.id, bought.general.id)).toEqual({ reserved: 1, sold: 0 });
  }, 150_000);

  test("a booking that closes while its charge is in flight: the refund is recorded, waits for the charge and follows it", async () => {
    const bought = await sale(10 * day);
    const who = await buyer();
    const hold = await bookingPost(booking, "/bookings/reserve", who.token, { show_id: bought.show.id, zone_id: bought.general.id, quantity: 2 });
    const bookingId = hold.body.data.booking_id as string;
    gateway.knobs.latencyMs = 3_000;
    try {
      const paid = await call("POST", "/payments", who.token, { booking_id: bookingId, method: "card" });
      const paymentId = paid.body.data.payment_id as string;
      await eventually(async () => expect((await call("GET", `/payments/${paymentId}`, who.token)).body.data.status).toBe("processing"), { timeoutMs: 30_000, intervalMs: 20 });

      // The customer gives up on the hold while the gateway is still working on the charge.
      const cancelled = await bookingPost(booking, `/bookings/${bookingId}/cancel`, who.token, {});
      expect(cancelled.status).toBe(200);
      // A second worker handling booking.cancelled now finds the charge in flight and records the refund for later.
      const record = await readBooking(booking.redis, bookingId);
      expect(record.status).toBe("cancelled");
      const event = { eventId: `booking.cancelled:${bookingId}`, type: "booking.cancelled" as const, zoneId: record.zone_id, seq: record.seq, booking: record };
      expect(await refundClosedBooking(refundDependencies, event)).toBe("refund_after_charge");

      await eventually(async () => expect((await call("GET", `/payments/${paymentId}`, who.token)).body.data.status).toBe("refunded"), { timeoutMs: 60_000, intervalMs: 100 });
      expect(await refundRows(paymentId)).toEqual([expect.objectContaining({ amount: 300_000, percent: 100, reason: "compensation", status: "succeeded" })]);
      expect(refundsAtGateway(paymentId)).toEqual([300_000]);
      expect(await bookingStatus(bought.event.id, bookingId)).toBe("cancelled");
      expect(await zoneCounts(bought.event.id, bought.general.id)).toEqual({ reserved: 0, sold: 0 });
      await zoneCaughtUp(booking.redis, catalog, bought.event.id, bought.general.id);
    } finally {
      gateway.knobs.latencyMs = 0;
    }
  }, 150_000);
});
