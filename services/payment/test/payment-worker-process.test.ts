/**
 * The payment worker as deployed, killed in the middle of a charge: the gateway is still working
 * on it, the offset is not committed. The worker that takes over gets the same payment.requested
 * again and charges with the same key, so the customer is charged once and payment.succeeded is
 * sent once.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import * as schema from "@booking-rush/db/schema";
import { eventually } from "@booking-rush/test-support/eventually";
import { groupAtEnd } from "@booking-rush/test-support/fresh-group";
import { collectMessages } from "@booking-rush/test-support/kafka-collector";
import { type PaymentPipeline, paymentPipeline } from "@booking-rush/test-support/payment-pipeline";
import { testKafka } from "@booking-rush/test-support/relay-fixture";
import { spawnWorker } from "@booking-rush/test-support/worker-process";
import { eq } from "drizzle-orm";
import { paymentWorkerTopics } from "../src/payment-consumer";

let world: PaymentPipeline;

beforeAll(async () => {
  // The workers are the processes under test; the gateway's answer outlives 2 s of latency.
  world = await paymentPipeline({ name: "payment_worker_process", consumers: [], retry: { attemptTimeoutMs: 10_000 } });
});

afterAll(() => world.close());

describe("payment worker process", () => {
  test("killed while the gateway is charging: the next worker charges with the same key, one charge, one payment.succeeded", async () => {
    const sale = await world.sale();
    const payer = await world.buyer();
    const hold = await world.reserve(payer.token, { show_id: sale.show.id, zone_id: sale.general.id, quantity: 2 });
    expect(hold.status).toBe(201);

    const env = {
      DATABASE_URL: world.catalog.database.url,
      PAYMENT_GATEWAY_URL: world.gateway.url,
      PAYMENT_GATEWAY_TIMEOUT_MS: String(world.retry.attemptTimeoutMs),
      PAYMENT_GROUP_ID: await groupAtEnd(testKafka, "payment-process-test", paymentWorkerTopics),
      PAYMENT_DEAD_LETTER_TOPIC: `payment.dead-letter.test-${crypto.randomUUID()}`,
    };
    world.gateway.knobs.latencyMs = 2_000;
    const first = spawnWorker("payment/bin/payment-worker.ts", env);
    let second: ReturnType<typeof spawnWorker> | undefined;
    try {
      await first.ready();
      const paid = await world.pay(payer.token, hold.body.data.booking_id);
      expect(paid.status).toBe(202);
      const paymentId = paid.body.data.payment_id as string;

      // The first worker has asked the gateway; it dies before it hears back.
      await eventually(() => expect(world.gateway.inProgress()).toContain(`charge:${paymentId}`), { timeoutMs: 30_000, intervalMs: 10 });
      first.child.kill("SIGKILL");
      await first.child.exited;
      world.gateway.knobs.latencyMs = 0;

      second = spawnWorker("payment/bin/payment-worker.ts", env);
      await second.ready();
      const row = await eventually(
        async () => {
          const [current] = await world.catalog.asSystem((tx) =>
            tx.select().from(schema.payments).where(eq(schema.payments.id, paymentId)),
          );
          expect(current!.status).toBe("succeeded");
          return current!;
        },
        { timeoutMs: 90_000, intervalMs: 200 },
      );
      // Two workers tried; the gateway made one charge, and it is the one recorded.
      expect(row.attempts).toBe(2);
      const charges = world.gateway.records.filter((record) => record.kind === "charge" && record.idempotencyKey === paymentId);
      expect(charges).toHaveLength(1);
      expect(row.gatewayReference).toBe(charges[0]!.id);

      const collector = await collectMessages(testKafka, [sale.event.id], ["payment.succeeded"]);
      try {
        const succeeded = (await collector.caughtUp()).filter(
          (message) => (message.body.data as { payment_id?: string }).payment_id === paymentId,
        );
        expect(succeeded).toHaveLength(1);
      } finally {
        await collector.stop();
      }
      expect(await second.metrics()).toMatch(/^payment_outcomes_total\{[^}]*result="succeeded"[^}]*\} 1$/m);
    } finally {
      world.gateway.knobs.latencyMs = 0;
      if (first.child.exitCode === null) first.child.kill("SIGKILL");
      second?.child.kill("SIGTERM");
      if (second) expect(await second.child.exited).toBe(0);
    }
  }, 180_000);
});
