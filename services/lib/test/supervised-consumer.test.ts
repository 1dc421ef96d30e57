/**
 * The supervisor every worker's consumer runs under, on the real broker: a consumer that kafkajs
 * crashes for good (a non-retriable error: restart false) is not ready on /readyz at once and is
 * rebuilt within seconds, the message that crashed it redelivered; a configuration that can never
 * work (a replication factor above the number of brokers) is reported as fatal instead of retried.
 */
import { describe, expect, test } from "bun:test";
import { eventually } from "@booking-rush/test-support/eventually";
import { stackConfig, testLogger } from "@booking-rush/test-support/stack-config";
import { KafkaJSNonRetriableError } from "kafkajs";
import { createKafka } from "../src/clients/kafka";
import { superviseConsumer } from "../src/clients/supervised-consumer";
import { call, testKernel } from "./support/test-kernel";

const kafka = createKafka(stackConfig.kafka, testLogger, "supervised-consumer-test");
const readyStatus = async (app: ReturnType<typeof testKernel>["app"]) => (await call(app, "/readyz")).status;

describe("supervised consumer", () => {
  test("a consumer crashed for good: /readyz not ready, rebuilt and ready again within seconds, the message redelivered", async () => {
    const topic = `test.supervised-${crypto.randomUUID()}`;
    const seen: string[] = [];
    let crashes = 0;
    const supervised = superviseConsumer({
      kafka,
      groupId: `supervised-test-${crypto.randomUUID()}`,
      logger: testLogger,
      topics: [topic],
      ensureTopics: [topic],
      topicSettings: { partitions: 1, replicationFactor: 1 },
      consumer: { sessionTimeout: 10_000, heartbeatInterval: 1_000 },
      backoff: { baseMs: 500, maxMs: 2_000 },
      run: {
        eachMessage: async ({ message }) => {
          const value = String(message.value);
          // A handler bug of the kind kafkajs does not restart from (KafkaJSNonRetriableError: restart false).
          if (value === "crash" && crashes === 0) {
            crashes += 1;
            throw new KafkaJSNonRetriableError("handler failed for good");
          }
          seen.push(value);
        },
      },
    });
    const { app } = testKernel([], { consumer: () => supervised.check() });
    const producer = kafka.producer();
    try {
      expect(await readyStatus(app)).toBe(503);
      await supervised.start();
      await eventually(async () => expect(await readyStatus(app)).toBe(200), { timeoutMs: 30_000, intervalMs: 50 });

      await producer.connect();
      await producer.send({ topic, messages: [{ value: "crash" }] });
      await eventually(async () => expect(await readyStatus(app)).toBe(503), { timeoutMs: 10_000, intervalMs: 10 });
      expect(crashes).toBe(1);

      await eventually(async () => expect(await readyStatus(app)).toBe(200), { timeoutMs: 30_000, intervalMs: 50 });
      expect(supervised.restarts).toBe(1);
      // The crashing message was not committed: the rebuilt consumer gets it again, then what follows.
      await producer.send({ topic, messages: [{ value: "after" }] });
      await eventually(() => expect(seen).toEqual(["crash", "after"]), { timeoutMs: 30_000, intervalMs: 50 });
    } finally {
      await producer.disconnect();
      await supervised.stop();
    }
    expect(await readyStatus(app)).toBe(503);
  }, 90_000);

  test("a configuration that can never work (replication factor 3 on one broker) is fatal, not retried", async () => {
    const topic = `test.supervised-fatal-${crypto.randomUUID()}`;
    let fatal: unknown;
    const supervised = superviseConsumer({
      kafka,
      groupId: `supervised-fatal-${crypto.randomUUID()}`,
      logger: testLogger,
      topics: [topic],
      ensureTopics: [topic],
      topicSettings: { partitions: 1, replicationFactor: 3 },
      run: { eachMessage: async () => {} },
      onFatal: (error) => {
        fatal = error;
      },
    });
    void supervised.start();
    try {
      await eventually(() => expect(fatal).toBeDefined(), { timeoutMs: 30_000, intervalMs: 50 });
      expect(
        JSON.stringify({
          type: (fatal as { type?: string }).type,
          errors: (fatal as { errors?: { type?: string }[] }).errors?.map((error) => error.type),
        }),
      ).toContain("INVALID_REPLICATION_FACTOR");
      expect(supervised.running).toBe(false);
      expect(supervised.restarts).toBe(0);
    } finally {
      await supervised.stop();
    }
  });
});
