/**
 * A payment that succeeds but whose hold runs out before the saga could confirm it: the booking
 * expires (seats back, booking.expired), and the payment worker gives the money back in full
 * (refund at the gateway, payment refunded, payment.refunded). No saga runs here, which is exactly
 * the window this covers.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createDurableScripts, createHttpApp, createLogger, createMetrics, eventKeys, luaDirectory, readLuaScripts } from "@booking-rush/lib";
import { eq } from "drizzle-orm";
import * as schema from "../../../drizzle/schema";
import { expireDueHolds } from "../../booking/src/expiry-sweeper";
import { type BookingFixture, bookingFixture, post as bookingPost, tokenFor } from "../../booking/test/support/booking-fixture";
import { startTestRelay, testKafka } from "../../booking/test/support/relay-fixture";
import { type CatalogFixture, catalogFixture, draftWithZones } from "../../catalog/test/support/catalog-fixture";
import { eventually } from "../../lib/test/support/eventually";
import { collectMessages } from "../../lib/test/support/kafka-collector";
import { stackConfig, testLogger } from "../../lib/test/support/stack-config";
import { createPaymentService } from "../src/app";
import { createGatewayClient } from "../src/gateway/gateway-client";
import { startMockGateway } from "../src/gateway/mock-gateway";
import { createPaymentMetrics } from "../src/payment-metrics";
import { createPaymentPublisher } from "../src/payment-publisher";
import { createPaymentWorker, paymentWorkerTopics } from "../src/payment-worker";
import { groupAtEnd } from "../../lib/test/support/fresh-group";

const gateway = startMockGateway();
const unique = crypto.randomUUID();
const retry = { attempts: 4, baseDelayMs: 20, maxDelayMs: 200, attemptTimeoutMs: 1_000 };
let catalog: CatalogFixture;
let shortHold: BookingFixture;
let payment: ReturnType<typeof createPaymentService>;
let paymentApp: ReturnType<typeof createHttpApp>;
const stops: (() => Promise<unknown>)[] = [];

beforeAll(async () => {
  catalog = await catalogFixture("payment_refund");
  shortHold = await bookingFixture({ holdMs: 1_500 });
  const logger = createLogger({ service: "refund-test", level: "error", write: () => {} });
  const metrics = createMetrics("refund-test");
  payment = createPaymentService({ redis: stackConfig.redis, postgres: { ...stackConfig.postgres, url: catalog.database.url }, kafka: stackConfig.kafka, auth: { jwtSecret: "booking-tests-signing-secret-0123456789" }, payment: { gatewayUrl: gateway.url, retry } }, logger);
  paymentApp = createHttpApp({ service: { name: "refund-test", corsOrigins: "*" }, logger, metrics, readiness: { checks: {}, draining: false } }, [payment.routes]);
  const relay = startTestRelay(shortHold.redis);
  const publisher = createPaymentPublisher(testKafka, stackConfig.kafka.topics);
  const worker = createPaymentWorker(
    { kafka: testKafka, db: catalog.db, gateway: createGatewayClient(gateway.url, retry), publisher, logger: testLogger, metrics: createPaymentMetrics(metrics) },
    { groupId: await groupAtEnd(testKafka, "refund-test", paymentWorkerTopics), deadLetterTopic: `payment.dead-letter.test-${unique}`, topics: stackConfig.kafka.topics, gatewayUrl: gateway.url, retry },
  );
  await worker.start();
  stops.push(() => relay.stop(), () => worker.stop(), () => publisher.close());
});

afterAll(async () => {
  for (const stop of stops) await stop();
  await payment.close();
  await shortHold.close();
  await catalog.close();
  gateway.stop();
});

async function paymentOf(token: string, paymentId: string) {
  const response = await paymentApp.handle(new Request(`http://localhost/api/v1/payments/${paymentId}`, { headers: { authorization: `Bearer ${token}` } }));
  return ((await response.json()) as { data: { status: string; amount: number } }).data;
}

describe("money of a hold that ran out goes back", () => {
  test("the hold runs out before it was confirmed: seats back, the whole amount refunded once, payment.refunded sent", async () => {
    const acme = await catalog.tenant("acme");
    const sale = await draftWithZones(catalog, acme.organizerToken);
    await catalog.request("POST", `/events/${sale.event.id}/publish`, acme.organizerToken);
    const [user] = await catalog.asSystem((tx) => tx.insert(schema.users).values({ email: `late-${crypto.randomUUID()}@example.com`, passwordHash: "x", name: "Late" }).returning());
    const token = await tokenFor(user!.id);

    const hold = await bookingPost(shortHold, "/bookings/reserve", token, { show_id: sale.show.id, zone_id: sale.general.id, quantity: 2 });
    expect(hold.status).toBe(201);
    const bookingId = hold.body.data.booking_id as string;
    const paid = await paymentApp.handle(
      new Request("http://localhost/api/v1/payments", {
        method: "POST",
        headers: { authorization: `Bearer ${token}`, "idempotency-key": crypto.randomUUID(), "content-type": "application/json" },
        body: JSON.stringify({ booking_id: bookingId, method: "card" }),
      }),
    );
    const paymentId = ((await paid.json()) as { data: { payment_id: string } }).data.payment_id;
    await eventually(async () => expect((await paymentOf(token, paymentId)).status).toBe("succeeded"), { timeoutMs: 60_000, intervalMs: 50 });

    // No saga confirms it: the hold runs out and the sweeper closes it (booking.expired).
    const expiresAt = Number(await shortHold.redis.hget(eventKeys(sale.event.id).booking(bookingId), "expires_at_ms"));
    await eventually(() => expect(Date.now()).toBeGreaterThan(expiresAt), { timeoutMs: 5_000 });
    const scripts = createDurableScripts(stackConfig.redis, testLogger, readLuaScripts(luaDirectory), { connections: 1, replicas: 1, waitTimeoutMs: 500 });
    try {
      expect(await expireDueHolds(shortHold.redis, scripts, { batchSize: 100, recordTtlSeconds: 600 })).toBeGreaterThanOrEqual(1);
    } finally {
      await scripts.close();
    }
    expect(await shortHold.redis.hmget(eventKeys(sale.event.id).zone(sale.general.id), "reserved", "sold")).toEqual(["0", "0"]);

    await eventually(async () => expect((await paymentOf(token, paymentId)).status).toBe("refunded"), { timeoutMs: 60_000, intervalMs: 100 });
    const refundRows = await catalog.asSystem((tx) => tx.select().from(schema.refunds).where(eq(schema.refunds.paymentId, paymentId)));
    expect(refundRows).toHaveLength(1);
    expect(refundRows[0]).toMatchObject({ amount: 300_000, percent: 100, reason: "reservation_expired", status: "succeeded" });
    const charge = gateway.records.find((record) => record.kind === "charge" && record.idempotencyKey === paymentId)!;
    expect(gateway.records.filter((record) => record.kind === "refund" && record.chargeId === charge.id).map((record) => record.amount)).toEqual([300_000]);

    const collector = await collectMessages(testKafka, [sale.event.id], ["payment.refunded"]);
    try {
      const refunded = await collector.caughtUp();
      expect(refunded).toHaveLength(1);
      expect(refunded[0]!.body).toMatchObject({
        type: "payment.refunded",
        data: { payment_id: paymentId, status: "refunded", refund: { amount: 300_000, percent: 100, reason: "reservation_expired" } },
      });
    } finally {
      await collector.stop();
    }
  }, 150_000);

  test("a charge whose answer is lost until the hold expires: cancelled at the gateway by its key, the payment fails, no money kept", async () => {
    const acme = await catalog.tenant("acme");
    const sale = await draftWithZones(catalog, acme.organizerToken);
    await catalog.request("POST", `/events/${sale.event.id}/publish`, acme.organizerToken);
    const [user] = await catalog.asSystem((tx) => tx.insert(schema.users).values({ email: `lost-${crypto.randomUUID()}@example.com`, passwordHash: "x", name: "Lost" }).returning());
    const token = await tokenFor(user!.id);
    const hold = await bookingPost(shortHold, "/bookings/reserve", token, { show_id: sale.show.id, zone_id: sale.general.id, quantity: 1 });
    expect(hold.status).toBe(201);

    // The gateway makes the charge, but only after every attempt (1 s each) gave up and the 1.5 s hold ran out.
    gateway.knobs.latencyMs = 4_000;
    try {
      const paid = await paymentApp.handle(
        new Request("http://localhost/api/v1/payments", {
          method: "POST",
          headers: { authorization: `Bearer ${token}`, "idempotency-key": crypto.randomUUID(), "content-type": "application/json" },
          body: JSON.stringify({ booking_id: hold.body.data.booking_id, method: "card" }),
        }),
      );
      const paymentId = ((await paid.json()) as { data: { payment_id: string } }).data.payment_id;
      await eventually(async () => expect((await paymentOf(token, paymentId)).status).toBe("failed"), { timeoutMs: 60_000, intervalMs: 100 });
      expect(await paymentOf(token, paymentId)).toMatchObject({ failure_reason: "The payment could not be completed before the reservation expired" });

      // The gateway did charge, late, and the charge is void: nothing was kept.
      const charges = gateway.records.filter((record) => record.kind === "charge" && record.idempotencyKey === paymentId);
      expect(charges.map((charge) => charge.status)).toEqual(["voided"]);
      // A charge with that key arriving even later is refused.
      const late = await fetch(`${gateway.url}/charges`, { method: "POST", body: JSON.stringify({ idempotency_key: paymentId, amount: 150_000, currency: "THB" }) });
      expect(late.status).toBe(409);
    } finally {
      gateway.knobs.latencyMs = 0;
    }
  }, 150_000);
});
