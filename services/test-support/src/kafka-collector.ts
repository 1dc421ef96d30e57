/**
 * Reads what really reached Kafka: a consumer in a group of its own, from the beginning of the
 * topics, keeping the messages of the given concert events (the message key). `caughtUp()` waits
 * until it has read every partition up to the end offsets Kafka reports at that moment, so a test
 * sees everything that was delivered, duplicates included, without guessing how long to wait.
 */
import { createConsumer, ensureTopics, type Kafka, retryTransientKafka } from "@booking-rush/lib/clients";
import { type EventMessage, outboxTopics } from "@booking-rush/lib/contracts";
import { eventually } from "./eventually";

export interface CollectedMessage {
  topic: string;
  partition: number;
  offset: number;
  key: string;
  headers: Record<string, string>;
  body: EventMessage;
}

export async function collectMessages(kafka: Kafka, eventIds: string[], topics: readonly string[] = outboxTopics) {
  const wanted = new Set(eventIds);
  await ensureTopics(kafka, topics, { partitions: 6, replicationFactor: 1 });
  const consumer = createConsumer(kafka, `test-collector-${crypto.randomUUID()}`);
  const messages: CollectedMessage[] = [];
  /** Next offset to read, per "topic:partition", over every message read (not only the kept ones). */
  const positions = new Map<string, number>();
  await consumer.connect();
  await consumer.subscribe({ topics: [...topics], fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ topic, partition, message }) => {
      positions.set(`${topic}:${partition}`, Number(message.offset) + 1);
      const key = String(message.key);
      if (!wanted.has(key)) return;
      const headers = Object.fromEntries(Object.entries(message.headers ?? {}).map(([name, value]) => [name, String(value)]));
      messages.push({ topic, partition, offset: Number(message.offset), key, headers, body: JSON.parse(String(message.value)) });
    },
  });

  /** Retried while the broker is in a transient state (NOT_LEADER_FOR_PARTITION on a loaded machine). */
  const endOffsets = () => retryTransientKafka(endOffsetsOnce);

  async function endOffsetsOnce() {
    const admin = kafka.admin();
    await admin.connect();
    try {
      const ends = new Map<string, { low: number; high: number }>();
      for (const topic of topics) {
        for (const partition of await admin.fetchTopicOffsets(topic)) {
          ends.set(`${topic}:${partition.partition}`, { low: Number(partition.low), high: Number(partition.high) });
        }
      }
      return ends;
    } finally {
      await admin.disconnect();
    }
  }

  return {
    messages,
    eventIds: () => messages.map((message) => message.body.event_id),
    /** Resolves once every partition has been read up to its end offset as of this call. */
    async caughtUp(timeoutMs = 30_000) {
      const ends = await endOffsets();
      await eventually(
        () => {
          for (const [partition, { low, high }] of ends) {
            if (high > low && (positions.get(partition) ?? 0) < high)
              throw new Error(`${partition} read to ${positions.get(partition) ?? 0} of ${high}`);
          }
        },
        { timeoutMs, intervalMs: 50 },
      );
      return messages;
    },
    stop: () => consumer.disconnect(),
  };
}
