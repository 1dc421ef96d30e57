/**
 * A worker process whose consumer kafkajs crashes for good. The broker refuses its join with
 * INCONSISTENT_GROUP_PROTOCOL (non-retriable: kafkajs disconnects it and does not restart it) while
 * another member holds the group with an assignment protocol it does not speak. The process used
 * to stay up with a dead consumer and /readyz 200; now /readyz is 503 while it cannot run, the
 * process stays up, and the supervisor's restarts bring the consumer in within seconds of the
 * group becoming joinable.
 */
import { describe, expect, test } from "bun:test";
import { eventually } from "@booking-rush/test-support/eventually";
import { testKafka } from "@booking-rush/test-support/relay-fixture";
import { spawnWorker } from "@booking-rush/test-support/worker-process";
import { PartitionAssigners } from "kafkajs";
import { paymentWorkerTopics } from "../src/payment-consumer";

describe("a worker process whose consumer crashes", () => {
  test("payment worker: not ready while its consumer is crashed, ready again within seconds once it can join, never exited", async () => {
    const groupId = `crash-process-${crypto.randomUUID()}`;
    // A member that speaks only an assignment protocol of its own: every other member's join is refused.
    const blocker = testKafka.consumer({
      groupId,
      maxWaitTimeInMs: 100,
      partitionAssigners: [(config) => ({ ...PartitionAssigners.roundRobin(config), name: "crash-test-only" })],
    });
    let blocking = true;
    await blocker.connect();
    await blocker.subscribe({ topics: [...paymentWorkerTopics], fromBeginning: false });
    const blockerJoined = new Promise<void>((resolve) => blocker.on(blocker.events.GROUP_JOIN, () => resolve()));
    await blocker.run({ eachMessage: async () => {} });
    await blockerJoined;

    const worker = spawnWorker("payment/bin/payment-worker.ts", {
      PAYMENT_GROUP_ID: groupId,
      PAYMENT_DEAD_LETTER_TOPIC: `payment.dead-letter.crash-${crypto.randomUUID()}`,
    });
    try {
      // Up and answering, but not ready: its consumer crashed on the refused join.
      const body = await eventually(
        async () => {
          const response = await fetch(worker.url("/readyz"));
          expect(response.status).toBe(503);
          return (await response.json()) as { error: { details: { checks: Record<string, string> } } };
        },
        { timeoutMs: 30_000, intervalMs: 100 },
      );
      expect(body.error.details.checks).toMatchObject({ consumer: "down", kafka: "up", postgres: "up" });
      // It stays so for as long as the group refuses it, restarting the consumer meanwhile, and does not exit.
      const until = Date.now() + 5_000;
      while (Date.now() < until) {
        expect((await fetch(worker.url("/readyz"))).status).toBe(503);
        await Bun.sleep(250);
      }
      expect(worker.child.exitCode).toBeNull();

      await blocker.disconnect();
      blocking = false;
      const freed = Date.now();
      await worker.ready();
      // Within the supervisor's longest back-off (15 s) plus a join.
      expect(Date.now() - freed).toBeLessThan(30_000);
      expect(worker.child.exitCode).toBeNull();
    } finally {
      if (blocking) await blocker.disconnect();
      worker.child.kill("SIGTERM");
    }
    expect(await worker.child.exited).toBe(0);
  }, 120_000);
});
