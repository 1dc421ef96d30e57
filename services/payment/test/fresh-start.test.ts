/**
 * First start, as on a fresh machine: every worker process (outbox relay, payment worker, payment
 * saga, projector, notification) started at the same moment against a Kafka that has none of the
 * topics, while they are being created under them; and the same with Kafka down at start and back
 * ~20 s later. Each becomes ready without exiting (they used to exit with "This server does not
 * host this topic-partition"), and a booking paid end to end is confirmed, projected and e-mailed.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { allTopics } from "@booking-rush/lib/contracts";
import { eventually } from "@booking-rush/test-support/eventually";
import { theOneMailTo } from "@booking-rush/test-support/mail-sink";
import { type PaymentPipeline, paymentPipeline } from "@booking-rush/test-support/payment-pipeline";
import { testKafka } from "@booking-rush/test-support/relay-fixture";
import { stack } from "@booking-rush/test-support/stack";
import { spawnWorker } from "@booking-rush/test-support/worker-process";

let world: PaymentPipeline;

beforeAll(async () => {
  world = await paymentPipeline({ name: "fresh_start", consumers: [] });
});

afterAll(() => world.close());

/** Deletes every topic of the platform and waits until the broker no longer lists any of them. */
async function deleteAllTopics() {
  const admin = testKafka.admin();
  await admin.connect();
  try {
    await eventually(
      async () => {
        const existing = (await admin.listTopics()).filter((topic) => (allTopics as readonly string[]).includes(topic));
        if (existing.length > 0) await admin.deleteTopics({ topics: existing, timeout: 10_000 });
        expect((await admin.listTopics()).filter((topic) => (allTopics as readonly string[]).includes(topic))).toEqual([]);
      },
      { timeoutMs: 60_000, intervalMs: 500 },
    );
  } finally {
    await admin.disconnect();
  }
}

/** The five worker processes, spawned together, each in consumer groups and dead-letter topics of its own. */
function spawnAllWorkers() {
  const unique = crypto.randomUUID();
  const common = { DATABASE_URL: world.catalog.database.url, JWT_SECRET: "booking-tests-signing-secret-0123456789" };
  return {
    relay: spawnWorker("booking/bin/outbox-relay.ts", {
      ...common,
      OUTBOX_CONSUMER_NAME: `fresh-start-${unique}`,
      OUTBOX_POLL_INTERVAL_MS: "20",
    }),
    payment: spawnWorker("payment/bin/payment-worker.ts", {
      ...common,
      PAYMENT_GATEWAY_URL: world.gateway.url,
      PAYMENT_GROUP_ID: `fresh-payment-${unique}`,
      PAYMENT_DEAD_LETTER_TOPIC: `payment.dead-letter.fresh-${unique}`,
    }),
    saga: spawnWorker("booking/bin/payment-saga.ts", {
      ...common,
      PAYMENT_SAGA_GROUP_ID: `fresh-saga-${unique}`,
      PAYMENT_SAGA_DEAD_LETTER_TOPIC: `booking.saga.dead-letter.fresh-${unique}`,
    }),
    projector: spawnWorker("projector/bin/projector.ts", {
      ...common,
      PROJECTOR_GROUP_ID: `fresh-projector-${unique}`,
      PROJECTOR_DEAD_LETTER_TOPIC: `projector.dead-letter.fresh-${unique}`,
      PROJECTOR_FLUSH_INTERVAL_MS: "100",
    }),
    notification: spawnWorker("notification/bin/notification.ts", {
      ...common,
      NOTIFICATION_GROUP_ID: `fresh-notification-${unique}`,
      NOTIFICATION_DEAD_LETTER_TOPIC: `notification.dead-letter.fresh-${unique}`,
    }),
  };
}

type Workers = ReturnType<typeof spawnAllWorkers>;

async function allReady(workers: Workers) {
  await Promise.all(
    Object.entries(workers).map(([name, worker]) =>
      eventually(
        async () => {
          expect({ name, exitCode: worker.child.exitCode }).toEqual({ name, exitCode: null });
          expect({ name, status: (await fetch(worker.url("/readyz"))).status }).toEqual({ name, status: 200 });
        },
        { timeoutMs: 120_000, intervalMs: 250 },
      ),
    ),
  );
}

async function stopAll(workers: Workers) {
  for (const worker of Object.values(workers)) worker.child.kill("SIGTERM");
  const codes = await Promise.all(Object.values(workers).map((worker) => worker.child.exited));
  expect(codes).toEqual([0, 0, 0, 0, 0]);
}

/** Reserve → pay → charged → confirmed (saga) → in PostgreSQL (projector) → one e-ticket (notification). */
async function paidEndToEnd() {
  const sale = await world.sale();
  const payer = await world.buyer();
  const hold = await world.reserve(payer.token, { show_id: sale.show.id, zone_id: sale.general.id, quantity: 2 });
  expect(hold.status).toBe(201);
  const bookingId = hold.body.data.booking_id as string;
  const paid = await world.pay(payer.token, bookingId);
  expect(paid.status).toBe(202);
  await eventually(
    async () => expect(await world.paymentOf(payer.token, paid.body.data.payment_id)).toMatchObject({ status: "succeeded" }),
    { timeoutMs: 60_000, intervalMs: 200 },
  );
  await eventually(async () => expect(await world.bookingStatus(sale.event.id, bookingId)).toBe("confirmed"), {
    timeoutMs: 60_000,
    intervalMs: 200,
  });
  const mail = await theOneMailTo(payer.email, 90_000);
  expect(mail.subject).toContain("Your tickets");
}

describe("first start of every worker", () => {
  test("against a Kafka with none of the topics: all ready, nothing exited, a paid booking confirmed and e-mailed", async () => {
    await deleteAllTopics();
    const workers = spawnAllWorkers();
    try {
      await allReady(workers);
      await paidEndToEnd();
      for (const worker of Object.values(workers)) expect(worker.child.exitCode).toBeNull();
    } finally {
      await stopAll(workers);
    }
  }, 300_000);

  test("with Kafka down at start and back 20 s later: not ready meanwhile, nothing exited, all ready after, a paid booking confirmed and e-mailed", async () => {
    stack("down", "kafka");
    let kafkaDown = true;
    const workers = spawnAllWorkers();
    try {
      // The outage itself: 20 s with Kafka away while the workers start.
      const downUntil = Date.now() + 20_000;
      await eventually(
        async () => {
          for (const worker of [workers.payment, workers.saga, workers.projector, workers.notification])
            expect((await fetch(worker.url("/readyz"))).status).toBe(503);
        },
        { timeoutMs: 15_000, intervalMs: 250 },
      );
      await Bun.sleep(Math.max(0, downUntil - Date.now()));
      for (const [name, worker] of Object.entries(workers))
        expect({ name, exitCode: worker.child.exitCode }).toEqual({ name, exitCode: null });
      stack("up");
      kafkaDown = false;
      await allReady(workers);
      await paidEndToEnd();
      for (const worker of Object.values(workers)) expect(worker.child.exitCode).toBeNull();
    } finally {
      if (kafkaDown) stack("up");
      await stopAll(workers);
    }
  }, 300_000);
});
