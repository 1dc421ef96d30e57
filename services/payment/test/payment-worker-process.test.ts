/**
 * The payment worker as deployed, killed in the middle of a charge: the gateway is still working
 * on it, the offset is not committed. The worker that takes over gets the same payment.requested
 * again and charges with the same key, so the customer is charged once and payment.succeeded is
 * sent once.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createHttpApp, createLogger, createMetrics } from "@booking-rush/lib";
import { eq } from "drizzle-orm";
import * as schema from "../../../drizzle/schema";
import { type BookingFixture, bookingFixture, post as bookingPost, tokenFor } from "../../booking/test/support/booking-fixture";
import { startTestRelay, testKafka } from "../../booking/test/support/relay-fixture";
import { type CatalogFixture, catalogFixture, draftWithZones } from "../../catalog/test/support/catalog-fixture";
import { eventually } from "../../lib/test/support/eventually";
import { groupAtEnd } from "../../lib/test/support/fresh-group";
import { collectMessages } from "../../lib/test/support/kafka-collector";
import { stackConfig } from "../../lib/test/support/stack-config";
import { spawnWorker } from "../../lib/test/support/worker-process";
import { createPaymentService } from "../src/app";
import { startMockGateway } from "../src/gateway/mock-gateway";
import { paymentWorkerTopics } from "../src/payment-worker";

const gateway = startMockGateway();
const retry = { attempts: 4, baseDelayMs: 20, maxDelayMs: 200, attemptTimeoutMs: 10_000 };
let catalog: CatalogFixture;
let booking: BookingFixture;
let payment: ReturnType<typeof createPaymentService>;
let paymentApp: ReturnType<typeof createHttpApp>;
let relay: ReturnType<typeof startTestRelay>;

beforeAll(async () => {
  catalog = await catalogFixture("payment_worker_process");
  booking = await bookingFixture();
  const logger = createLogger({ service: "payment-process-test", level: "error", write: () => {} });
  payment = createPaymentService(
    { redis: stackConfig.redis, postgres: { ...stackConfig.postgres, url: catalog.database.url }, kafka: stackConfig.kafka, auth: { jwtSecret: "booking-tests-signing-secret-0123456789" }, payment: { gatewayUrl: gateway.url, retry } },
    logger,
  );
  paymentApp = createHttpApp({ service: { name: "payment-process-test", corsOrigins: "*" }, logger, metrics: createMetrics("payment-process-test"), readiness: { checks: {}, draining: false } }, [payment.routes]);
  relay = startTestRelay(booking.redis);
});

afterAll(async () => {
  await relay.stop();
  await payment.close();
  await booking.close();
  await catalog.close();
  gateway.stop();
});

describe("payment worker process", () => {
  test("killed while the gateway is charging: the next worker charges with the same key, one charge, one payment.succeeded", async () => {
    const acme = await catalog.tenant("acme");
    const sale = await draftWithZones(catalog, acme.organizerToken);
    await catalog.request("POST", `/events/${sale.event.id}/publish`, acme.organizerToken);
    const [user] = await catalog.asSystem((tx) => tx.insert(schema.users).values({ email: `killed-${crypto.randomUUID()}@example.com`, passwordHash: "x", name: "Buyer" }).returning());
    const token = await tokenFor(user!.id);
    const hold = await bookingPost(booking, "/bookings/reserve", token, { show_id: sale.show.id, zone_id: sale.general.id, quantity: 2 });
    expect(hold.status).toBe(201);

    const env = {
      DATABASE_URL: catalog.database.url,
      PAYMENT_GATEWAY_URL: gateway.url,
      PAYMENT_GATEWAY_TIMEOUT_MS: String(retry.attemptTimeoutMs),
      PAYMENT_GROUP_ID: await groupAtEnd(testKafka, "payment-process-test", paymentWorkerTopics),
      PAYMENT_DEAD_LETTER_TOPIC: `payment.dead-letter.test-${crypto.randomUUID()}`,
    };
    gateway.knobs.latencyMs = 2_000;
    const first = spawnWorker("payment/worker.ts", env);
    let second: ReturnType<typeof spawnWorker> | undefined;
    try {
      await first.ready();
      const paid = await paymentApp.handle(
        new Request("http://localhost/api/v1/payments", {
          method: "POST",
          headers: { authorization: `Bearer ${token}`, "idempotency-key": crypto.randomUUID(), "content-type": "application/json" },
          body: JSON.stringify({ booking_id: hold.body.data.booking_id, method: "card" }),
        }),
      );
      expect(paid.status).toBe(202);
      const paymentId = ((await paid.json()) as { data: { payment_id: string } }).data.payment_id;

      // The first worker has asked the gateway; it dies before it hears back.
      await eventually(() => expect(gateway.inProgress()).toContain(`charge:${paymentId}`), { timeoutMs: 30_000, intervalMs: 10 });
      first.child.kill("SIGKILL");
      await first.child.exited;
      gateway.knobs.latencyMs = 0;

      second = spawnWorker("payment/worker.ts", env);
      await second.ready();
      const row = await eventually(
        async () => {
          const [current] = await catalog.asSystem((tx) => tx.select().from(schema.payments).where(eq(schema.payments.id, paymentId)));
          expect(current!.status).toBe("succeeded");
          return current!;
        },
        { timeoutMs: 90_000, intervalMs: 200 },
      );
      // Two workers tried; the gateway made one charge, and it is the one recorded.
      expect(row.attempts).toBe(2);
      const charges = gateway.records.filter((record) => record.kind === "charge" && record.idempotencyKey === paymentId);
      expect(charges).toHaveLength(1);
      expect(row.gatewayReference).toBe(charges[0]!.id);

      const collector = await collectMessages(testKafka, [sale.event.id], ["payment.succeeded"]);
      try {
        const succeeded = (await collector.caughtUp()).filter((message) => (message.body.data as { payment_id?: string }).payment_id === paymentId);
        expect(succeeded).toHaveLength(1);
      } finally {
        await collector.stop();
      }
      expect(await second.metrics()).toMatch(/^payment_outcomes_total\{[^}]*result="succeeded"[^}]*\} 1$/m);
    } finally {
      gateway.knobs.latencyMs = 0;
      if (first.child.exitCode === null) first.child.kill("SIGKILL");
      second?.child.kill("SIGTERM");
      if (second) expect(await second.child.exited).toBe(0);
    }
  }, 180_000);
});
