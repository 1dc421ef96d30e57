import { afterAll, describe, expect, test } from "bun:test";
import { eventually } from "@booking-rush/test-support/eventually";
import { stackConfig, testLogger } from "@booking-rush/test-support/stack-config";
import { createConsumer, createKafka, createProducer } from "../src/clients/kafka";
import { consumerLag, registerConsumerLag } from "../src/clients/kafka-lag";
import { createMetrics } from "../src/metrics";

const kafka = createKafka(stackConfig.kafka, testLogger, "lag-test");
const admin = kafka.admin();
const topic = `test.lag.${crypto.randomUUID()}`;
const groupId = `test-lag-${crypto.randomUUID()}`;

afterAll(async () => {
  await admin.deleteTopics({ topics: [topic] }).catch(() => {});
  await admin.disconnect();
});

describe("kafka_consumer_lag (real broker)", () => {
  test("counts what the group has not committed, per topic, and drops to 0 once it has", async () => {
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 2, replicationFactor: 1 }], waitForLeaders: true });
    const producer = createProducer(kafka);
    await producer.connect();
    await producer.send({ topic, messages: Array.from({ length: 5 }, (_, index) => ({ key: `key-${index}`, value: String(index) })) });
    await producer.disconnect();

    expect((await consumerLag(kafka, groupId, [topic])).get(topic)).toBe(5);
    const metrics = createMetrics("lag-test");
    registerConsumerLag(metrics, kafka, groupId, [topic], { intervalMs: 100 });
    // Sampled in the background on its timer, not by the scrape.
    await eventually(
      async () =>
        expect(await metrics.registry.metrics()).toContain(`kafka_consumer_lag{group="${groupId}",topic="${topic}",service="lag-test"} 5`),
      {
        timeoutMs: 15_000,
        intervalMs: 50,
      },
    );

    const consumer = createConsumer(kafka, groupId);
    let seen = 0;
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachMessage: async () => {
        seen += 1;
      },
    });
    try {
      await eventually(() => expect(seen).toBe(5), { timeoutMs: 30_000, intervalMs: 50 });
      await eventually(async () => expect((await consumerLag(kafka, groupId, [topic])).get(topic)).toBe(0), {
        timeoutMs: 30_000,
        intervalMs: 200,
      });
      // The gauge follows on its own, with the age of its last sample.
      await eventually(
        async () =>
          expect(await metrics.registry.metrics()).toContain(
            `kafka_consumer_lag{group="${groupId}",topic="${topic}",service="lag-test"} 0`,
          ),
        {
          timeoutMs: 15_000,
          intervalMs: 50,
        },
      );
      expect(await metrics.registry.metrics()).toMatch(/^metrics_sample_age_seconds\{source="kafka_consumer_lag",service="lag-test"\} \d/m);
    } finally {
      metrics.stopSampling();
      await consumer.disconnect();
    }
  });
});
