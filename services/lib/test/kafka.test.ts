import { afterAll, describe, expect, test } from "bun:test";
import { eventually } from "@booking-rush/test-support/eventually";
import { stackConfig, testLogger } from "@booking-rush/test-support/stack-config";
import type { EachBatchPayload } from "kafkajs";
import { createConsumer, createKafka, createProducer, pingKafka } from "../src/clients/kafka";

const kafka = createKafka(stackConfig.kafka, testLogger, "kafka-test");
const admin = kafka.admin();
const topic = `test.roundtrip.${crypto.randomUUID()}`;
const groupId = `test-group-${crypto.randomUUID()}`;

afterAll(async () => {
  await admin.deleteTopics({ topics: [topic] }).catch(() => {});
  await admin.disconnect();
});

/** Consumes with manual commits, returning what it saw; stops once `expected` messages arrived. */
async function consume(expected: number) {
  const consumer = createConsumer(kafka, groupId);
  const seen: { key: string; value: string; partition: number; offset: string }[] = [];
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    autoCommit: false,
    eachBatch: async ({ batch }: EachBatchPayload) => {
      for (const message of batch.messages) {
        seen.push({ key: String(message.key), value: String(message.value), partition: batch.partition, offset: message.offset });
      }
      // The committed offset is the next one to read, hence + 1.
      await consumer.commitOffsets([{ topic, partition: batch.partition, offset: String(Number(batch.lastOffset()) + 1) }]);
    },
  });
  await eventually(() => expect(seen.length).toBeGreaterThanOrEqual(expected), { timeoutMs: 30_000, intervalMs: 50 });
  await consumer.disconnect();
  return seen;
}

describe("Kafka round trip (real single-node KRaft broker)", () => {
  test("the broker answers metadata requests", async () => {
    await pingKafka(kafka)();
  });

  test("produce with the idempotent producer, consume with a group, commit; a restarted member resumes after the commit", async () => {
    await admin.connect();
    expect(await admin.createTopics({ topics: [{ topic, numPartitions: 3, replicationFactor: 1 }], waitForLeaders: true })).toBe(true);

    const producer = createProducer(kafka);
    await producer.connect();
    const sent = Array.from({ length: 12 }, (_, index) => ({ key: `event-${index}`, value: JSON.stringify({ index }) }));
    await producer.send({ topic, messages: sent });

    const firstRun = await consume(12);
    expect(firstRun.map((message) => message.key).sort()).toEqual(sent.map((message) => message.key).sort());
    // Keyed messages keep their partition: the same key always lands on the same one.
    const partitionOf = new Map(firstRun.map((message) => [message.key, message.partition]));
    expect(new Set(partitionOf.values()).size).toBeGreaterThan(1);

    const committed = await admin.fetchOffsets({ groupId, topics: [topic] });
    const total = committed[0]!.partitions.reduce((sum, partition) => sum + Number(partition.offset), 0);
    expect(total).toBe(12);

    await producer.send({ topic, messages: [{ key: "event-0", value: "after-restart" }] });
    await producer.disconnect();
    const secondRun = await consume(1);
    expect(secondRun).toHaveLength(1);
    expect(secondRun[0]).toMatchObject({ key: "event-0", value: "after-restart", partition: partitionOf.get("event-0") });
  });
});
