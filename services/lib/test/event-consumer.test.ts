/** The one-message-at-a-time consumer of the workers, against the real broker: order, dead-lettering, stop. */
import { afterAll, describe, expect, test } from "bun:test";
import { eventually } from "@booking-rush/test-support/eventually";
import { groupAtEnd } from "@booking-rush/test-support/fresh-group";
import { collectMessages } from "@booking-rush/test-support/kafka-collector";
import { stackConfig, testLogger } from "@booking-rush/test-support/stack-config";
import { createEventConsumer } from "../src/clients/event-consumer";
import { createKafka, createProducer } from "../src/clients/kafka";

const kafka = createKafka(stackConfig.kafka, testLogger, "event-consumer-test");
const topic = `test.event-consumer.${crypto.randomUUID()}`;
const deadLetterTopic = `test.event-consumer.dead-letter.${crypto.randomUUID()}`;
const admin = kafka.admin();

afterAll(async () => {
  await admin.connect();
  await admin.deleteTopics({ topics: [topic, deadLetterTopic] }).catch(() => {});
  await admin.disconnect();
});

describe("event consumer (real broker)", () => {
  test("handles a partition in order; a message that can never be handled goes to the dead-letter topic with its reason, and the rest carry on", async () => {
    const handled: string[] = [];
    const consumer = createEventConsumer({
      kafka,
      groupId: await groupAtEnd(kafka, "event-consumer-test", [topic]),
      topics: [topic],
      topicSettings: stackConfig.kafka.topics,
      deadLetterTopic,
      logger: testLogger,
      async handle(message) {
        const body = JSON.parse(String(message.value)) as { event_id: string; poison?: boolean };
        if (body.poison) return { deadLetter: "poisoned" };
        handled.push(body.event_id);
      },
    });
    await consumer.start();
    const key = crypto.randomUUID();
    const producer = createProducer(kafka);
    await producer.connect();
    try {
      await producer.send({
        topic,
        messages: ["first", "poison", "second"].map((id) => ({
          key,
          value: JSON.stringify({ event_id: id, type: "test", occurred_at: "", data: {}, ...(id === "poison" ? { poison: true } : {}) }),
        })),
      });
      await eventually(() => expect(handled).toEqual(["first", "second"]), { timeoutMs: 30_000, intervalMs: 50 });
    } finally {
      await producer.disconnect();
      await consumer.stop();
    }

    const collector = await collectMessages(kafka, [key], [deadLetterTopic]);
    try {
      const dead = await collector.caughtUp();
      expect(dead.map((message) => message.body.event_id)).toEqual(["poison"]);
      expect(dead[0]!.headers).toMatchObject({ dead_letter_reason: "poisoned", original_topic: topic });
    } finally {
      await collector.stop();
    }
  }, 60_000);
});
