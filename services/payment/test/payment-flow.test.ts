/**
 * A booking paid end to end on the real pipeline: reserve (booking API) → POST /payments →
 * payment.requested → the payment worker charges the mock gateway (a real HTTP server) →
 * payment.succeeded / payment.failed → the saga confirms or releases the hold → the outbox relay
 * and the projector bring it to PostgreSQL → the notification worker e-mails the buyer through
 * the SMTP sink. Each ends with PostgreSQL equal to Redis for the zone.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { bookingTopics, createHttpApp, createLogger, createMailer, createMetrics, loadConfig, smtpSettings, createProducer, eventKeys, paymentEventMessage, type PaymentEventData } from "@booking-rush/lib";
import { eq } from "drizzle-orm";
import * as schema from "../../../drizzle/schema";
import { type BookingFixture, bookingFixture, post as bookingPost, tokenFor } from "../../booking/test/support/booking-fixture";
import { startTestRelay, testKafka } from "../../booking/test/support/relay-fixture";
import { createPaymentSaga, paymentSagaTopics } from "../../booking/src/payment-saga";
import { type CatalogFixture, catalogFixture, draftWithZones } from "../../catalog/test/support/catalog-fixture";
import { eventually } from "../../lib/test/support/eventually";
import { stackConfig, testLogger } from "../../lib/test/support/stack-config";
import { createProjector } from "../../projector/src/projector";
import { createProjectorMetrics } from "../../projector/src/projector-metrics";
import { createPaymentService } from "../src/app";
import { createGatewayClient } from "../src/gateway/gateway-client";
import { startMockGateway } from "../src/gateway/mock-gateway";
import { createPaymentMetrics } from "../src/payment-metrics";
import { createPaymentPublisher } from "../src/payment-publisher";
import { createPaymentWorker, paymentWorkerTopics } from "../src/payment-worker";
import { groupAtEnd } from "../../lib/test/support/fresh-group";
import { createNotificationMetrics } from "../../notification/src/notification-metrics";
import { createNotifier, notificationTopics } from "../../notification/src/notifier";
import { notificationSettings } from "../../notification/src/settings";
import { loadTemplates } from "../../notification/src/templates";
import { mailsTo } from "../../notification/test/support/mail-sink";
import { zoneCaughtUp } from "../../projector/test/support/zone-sides";

const gateway = startMockGateway();
const retry = { attempts: 4, baseDelayMs: 20, maxDelayMs: 200, attemptTimeoutMs: 1_000 };
let catalog: CatalogFixture;
let booking: BookingFixture;
let payment: ReturnType<typeof createPaymentService>;
let paymentApp: ReturnType<typeof createHttpApp>;
const stops: (() => Promise<unknown>)[] = [];
const unique = crypto.randomUUID();
/** What the saga did with each payment outcome it consumed (older messages of other runs included). */
const sagaResults: string[] = [];

beforeAll(async () => {
  catalog = await catalogFixture("payment_flow");
  booking = await bookingFixture();
  const logger = createLogger({ service: "payment-test", level: "error", write: () => {} });
  const metrics = createMetrics("payment-test");
  payment = createPaymentService({ redis: stackConfig.redis, postgres: { ...stackConfig.postgres, url: catalog.database.url }, kafka: stackConfig.kafka, auth: { jwtSecret: "booking-tests-signing-secret-0123456789" }, payment: { gatewayUrl: gateway.url, retry } }, logger);
  paymentApp = createHttpApp({ service: { name: "payment-test", corsOrigins: "*" }, logger, metrics, readiness: { checks: {}, draining: false } }, [payment.routes]);

  const relay = startTestRelay(booking.redis);
  const publisher = createPaymentPublisher(testKafka, stackConfig.kafka.topics);
  const worker = createPaymentWorker(
    {
      kafka: testKafka,
      db: catalog.db,
      gateway: createGatewayClient(gateway.url, retry),
      publisher,
      logger: testLogger,
      metrics: createPaymentMetrics(metrics),
    },
    { groupId: await groupAtEnd(testKafka, "payment-test", paymentWorkerTopics), deadLetterTopic: `payment.dead-letter.test-${unique}`, topics: stackConfig.kafka.topics, gatewayUrl: gateway.url, retry },
  );
  const saga = createPaymentSaga({ store: booking.service.store, kafka: testKafka, logger: testLogger, onResult: (result) => sagaResults.push(result) }, { groupId: await groupAtEnd(testKafka, "saga-test", paymentSagaTopics), deadLetterTopic: `saga.dead-letter.test-${unique}`, topics: stackConfig.kafka.topics });
  const projector = createProjector(
    { kafka: testKafka, db: catalog.db, logger: testLogger, metrics: createProjectorMetrics(metrics) },
    { groupId: await groupAtEnd(testKafka, "projector-payment-test", bookingTopics), batchSize: 500, flushIntervalMs: 100, reorderWaitMs: 30_000, deadLetterTopic: `projector.dead-letter.test-${unique}`, topics: stackConfig.kafka.topics },
  );
  const mailer = createMailer(loadConfig({ smtp: smtpSettings }, process.env).smtp);
  const notifier = createNotifier(
    { kafka: testKafka, db: catalog.db, mailer, templates: loadTemplates(), logger: testLogger, metrics: createNotificationMetrics(metrics) },
    {
      ...loadConfig({ notification: notificationSettings }, {}).notification,
      groupId: await groupAtEnd(testKafka, "notification-payment-test", notificationTopics),
      deadLetterTopic: `notification.dead-letter.test-${unique}`,
      topics: stackConfig.kafka.topics,
    },
  );
  for (const consumer of [worker, saga, projector, notifier]) await consumer.start();
  stops.push(() => relay.stop(), () => worker.stop(), () => saga.stop(), () => projector.stop(), () => notifier.stop(), () => publisher.close(), async () => mailer.close());
});

afterAll(async () => {
  for (const stop of stops) await stop();
  await payment.close();
  await booking.close();
  await catalog.close();
  gateway.stop();
});

async function buyer() {
  const email = `payer-${crypto.randomUUID()}@example.com`;
  const [user] = await catalog.asSystem((tx) => tx.insert(schema.users).values({ email, passwordHash: "x", name: "Payer" }).returning());
  return { id: user!.id, email, token: await tokenFor(user!.id) };
}

async function sale() {
  const acme = await catalog.tenant("acme");
  const created = await draftWithZones(catalog, acme.organizerToken);
  await catalog.request("POST", `/events/${created.event.id}/publish`, acme.organizerToken);
  return created;
}

async function pay(token: string, bookingId: string, key: string = crypto.randomUUID()) {
  const response = await paymentApp.handle(
    new Request("http://localhost/api/v1/payments", {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "idempotency-key": key, "content-type": "application/json" },
      body: JSON.stringify({ booking_id: bookingId, method: "card" }),
    }),
  );
  // biome-ignore lint/suspicious/noExplicitAny: assertions inspect the shape
  return { status: response.status, body: (await response.json()) as any };
}

async function paymentStatus(token: string, paymentId: string) {
  const response = await paymentApp.handle(new Request(`http://localhost/api/v1/payments/${paymentId}`, { headers: { authorization: `Bearer ${token}` } }));
  return ((await response.json()) as { data: { status: string; failure_reason?: string } }).data;
}

const zoneCounts = async (eventId: string, zoneId: string) => {
  const [reserved, sold] = await booking.redis.hmget(eventKeys(eventId).zone(zoneId), "reserved", "sold");
  return { reserved: Number(reserved), sold: Number(sold) };
};

describe("payments end to end", () => {
  test("reserve → pay → charged once → confirmed in Redis and PostgreSQL, seats sold", async () => {
    const { event, show, general } = await sale();
    const payer = await buyer();
    const hold = await bookingPost(booking, "/bookings/reserve", payer.token, { show_id: show.id, zone_id: general.id, quantity: 2 });
    expect(hold.status).toBe(201);
    const bookingId = hold.body.data.booking_id;

    const paid = await pay(payer.token, bookingId);
    expect(paid.status).toBe(202);
    expect(paid.body.data).toMatchObject({ status: "pending", amount: 300_000, currency: "THB", booking_id: bookingId });
    const paymentId = paid.body.data.payment_id;

    await eventually(async () => expect((await paymentStatus(payer.token, paymentId)).status).toBe("succeeded"), { timeoutMs: 60_000, intervalMs: 100 });
    await eventually(async () => expect(await zoneCounts(event.id, general.id)).toEqual({ reserved: 0, sold: 2 }), { timeoutMs: 60_000, intervalMs: 100 });
    await eventually(
      async () => {
        const [row] = await catalog.asSystem((tx) => tx.select().from(schema.bookings).where(eq(schema.bookings.reservationId, bookingId)));
        expect(row).toMatchObject({ status: "confirmed" });
        const [zone] = await catalog.asSystem((tx) => tx.select().from(schema.seatZones).where(eq(schema.seatZones.id, general.id)));
        expect(zone).toMatchObject({ soldSeats: 2, reservedSeats: 0, availableSeats: 98 });
      },
      { timeoutMs: 60_000, intervalMs: 100 },
    );
    expect(gateway.records.filter((record) => record.idempotencyKey === paymentId)).toHaveLength(1);
    expect(sagaResults).toContain("confirmed");
    await zoneCaughtUp(booking.redis, catalog, event.id, general.id);

    // The e-ticket reaches the buyer's mailbox, once.
    const mails = await eventually(
      async () => {
        const received = await mailsTo(payer.email);
        expect(received).toHaveLength(1);
        return received;
      },
      { timeoutMs: 60_000, intervalMs: 200 },
    );
    expect(mails[0]!.subject).toBe(`Your tickets for ${event.title}`);
    expect(mails[0]!.text).toContain(bookingId);
  }, 150_000);

  test("a declined payment gives the seats back at once and says why", async () => {
    const { event, show, general } = await sale();
    const payer = await buyer();
    const hold = await bookingPost(booking, "/bookings/reserve", payer.token, { show_id: show.id, zone_id: general.id, quantity: 3 });
    await fetch(`${gateway.url}/knobs`, { method: "PUT", body: JSON.stringify({ decline_next: 1 }) });
    const paid = await pay(payer.token, hold.body.data.booking_id);
    await eventually(async () => expect(await paymentStatus(payer.token, paid.body.data.payment_id)).toMatchObject({ status: "failed", failure_reason: "The payment was declined" }), {
      timeoutMs: 60_000,
      intervalMs: 100,
    });
    await eventually(async () => expect(await zoneCounts(event.id, general.id)).toEqual({ reserved: 0, sold: 0 }), { timeoutMs: 60_000, intervalMs: 100 });
    expect(await booking.redis.hget(eventKeys(event.id).booking(hold.body.data.booking_id), "status")).toBe("cancelled");
    expect(sagaResults).toContain("released");
    const mails = await eventually(
      async () => {
        const received = await mailsTo(payer.email);
        expect(received).toHaveLength(1);
        return received;
      },
      { timeoutMs: 60_000, intervalMs: 200 },
    );
    expect(mails[0]!.subject).toBe(`Payment failed for ${event.title}`);
    await zoneCaughtUp(booking.redis, catalog, event.id, general.id);
  }, 150_000);

  test("the same payment.requested delivered twice charges once", async () => {
    const { event, show, general } = await sale();
    const payer = await buyer();
    const hold = await bookingPost(booking, "/bookings/reserve", payer.token, { show_id: show.id, zone_id: general.id, quantity: 1 });
    const paid = await pay(payer.token, hold.body.data.booking_id);
    const paymentId = paid.body.data.payment_id;
    await eventually(async () => expect((await paymentStatus(payer.token, paymentId)).status).toBe("succeeded"), { timeoutMs: 60_000, intervalMs: 100 });

    const producer = createProducer(testKafka);
    await producer.connect();
    const data: PaymentEventData = { payment_id: paymentId, booking_id: hold.body.data.booking_id, user_id: payer.id, amount: 150_000, currency: "THB", status: "pending" };
    const message = paymentEventMessage("payment.requested", data);
    await producer.send({ topic: "payment.requested", messages: [{ key: event.id, value: JSON.stringify(message) }, { key: event.id, value: JSON.stringify(message) }] });
    await producer.disconnect();
    // A later message on the same partition is handled only after these two: once it is, they were.
    const next = await buyer();
    const laterHold = await bookingPost(booking, "/bookings/reserve", next.token, { show_id: show.id, zone_id: general.id, quantity: 1 });
    const later = await pay(next.token, laterHold.body.data.booking_id);
    await eventually(async () => expect((await paymentStatus(next.token, later.body.data.payment_id)).status).toBe("succeeded"), { timeoutMs: 60_000, intervalMs: 100 });

    expect(gateway.records.filter((record) => record.idempotencyKey === paymentId)).toHaveLength(1);
    expect(await zoneCounts(event.id, general.id)).toEqual({ reserved: 0, sold: 2 });
  }, 150_000);

  test("the API: the same Idempotency-Key is the same payment; a second payment of a paid booking, another's booking, a past hold are refused", async () => {
    const { show, general } = await sale();
    const payer = await buyer();
    const hold = await bookingPost(booking, "/bookings/reserve", payer.token, { show_id: show.id, zone_id: general.id, quantity: 1 });
    const key = crypto.randomUUID();
    const first = await pay(payer.token, hold.body.data.booking_id, key);
    const again = await pay(payer.token, hold.body.data.booking_id, key);
    expect(again.status).toBe(202);
    expect(again.body.data.payment_id).toBe(first.body.data.payment_id);
    const second = await pay(payer.token, hold.body.data.booking_id);
    expect(second.status).toBe(409);
    const other = await buyer();
    expect((await pay(other.token, hold.body.data.booking_id)).status).toBe(404);
    expect((await pay(payer.token, crypto.randomUUID())).status).toBe(404);
    const rows = await catalog.asSystem((tx) => tx.select().from(schema.payments).where(eq(schema.payments.userId, payer.id)));
    expect(rows).toHaveLength(1);
  }, 150_000);
});
