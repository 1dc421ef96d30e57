/**
 * kafkajs clients. Producers are idempotent (no duplicates from retries) and messages are keyed by
 * event id so one event stays ordered; consumers commit only what they processed.
 */
import { type Consumer, type ConsumerConfig, Kafka, type KafkaMessage, logLevel, type Message, Partitioners, type Producer } from "kafkajs";

export type { Consumer, Kafka, KafkaMessage, Message, Producer, TopicMessages } from "kafkajs";
import type { Logger } from "../logger";
import type { KafkaConfig } from "../settings";

const levelNames: Record<number, "error" | "warn" | "info" | "debug"> = {
  [logLevel.ERROR]: "error",
  [logLevel.WARN]: "warn",
  [logLevel.INFO]: "info",
  [logLevel.DEBUG]: "debug",
};

export function createKafka(config: KafkaConfig, logger: Logger, clientName: string): Kafka {
  const kafkaLogger = logger.child({ component: "kafka" });
  return new Kafka({
    clientId: `${config.clientId}-${clientName}`,
    brokers: config.brokers,
    connectionTimeout: 3_000,
    requestTimeout: 10_000,
    logLevel: logLevel.WARN,
    logCreator: () => ({ level, log }) => {
      const { message, ...fields } = log;
      kafkaLogger[levelNames[level] ?? "info"](String(message), fields);
    },
  });
}

export function createProducer(kafka: Kafka): Producer {
  // kafkajs requires a single in-flight request for the idempotent producer to keep order.
  // The Java client's partitioner (murmur2), named explicitly: the same key lands on the same
  // partition whichever client produced it.
  return kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false, createPartitioner: Partitioners.DefaultPartitioner });
}

/**
 * An idle fetch waits at most 1 s for data (kafkajs' default is 5 s): a stopping worker waits for
 * the fetch in progress, so this bounds shutdown and rebalance hand-over, at one cheap request per
 * second per idle consumer.
 */
export function createConsumer(kafka: Kafka, groupId: string, options: Omit<ConsumerConfig, "groupId"> = {}): Consumer {
  return kafka.consumer({ groupId, allowAutoTopicCreation: false, maxWaitTimeInMs: 1_000, ...options });
}

/** Readiness: the cluster answers metadata requests. */
export const pingKafka = (kafka: Kafka) => async () => {
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.describeCluster();
  } finally {
    await admin.disconnect();
  }
};

/**
 * Creates the topics that do not exist yet; existing ones are left as they are. Producers never
 * create topics implicitly (allowAutoTopicCreation: false), so this runs before the first send.
 */
export async function ensureTopics(kafka: Kafka, topics: readonly string[], options: { partitions: number; replicationFactor: number }) {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = topics.filter((topic) => !existing.has(topic));
    if (missing.length === 0) return [];
    await admin.createTopics({
      topics: missing.map((topic) => ({ topic, numPartitions: options.partitions, replicationFactor: options.replicationFactor })),
      waitForLeaders: true,
    });
    return missing;
  } finally {
    await admin.disconnect();
  }
}

/**
 * The dead-letter copy of a consumed message: the same key and value, its headers plus why it can
 * never be handled and where it came from, so it can be inspected and replayed.
 */
export function deadLetterMessage(source: { topic: string; partition: number; message: KafkaMessage }, reason: string, extra: Record<string, string> = {}): Message {
  const { message } = source;
  return {
    key: message.key,
    value: message.value,
    headers: {
      ...message.headers,
      dead_letter_reason: reason,
      original_topic: source.topic,
      original_partition: String(source.partition),
      original_offset: message.offset,
      ...extra,
    },
  };
}

/**
 * An idempotent producer connected on first use (its topics created first), and connected again
 * on the next use after a failure: a process that starts while Kafka is down still starts, and the
 * sends that need Kafka fail (and are retried by their callers) until it is back.
 */
export function lazyProducer(kafka: Kafka, topics: readonly string[], topicSettings: { partitions: number; replicationFactor: number }) {
  let producer: Promise<Producer> | undefined;
  return {
    connected: () =>
      (producer ??= (async () => {
        await ensureTopics(kafka, topics, topicSettings);
        const fresh = createProducer(kafka);
        await fresh.connect();
        return fresh;
      })().catch((error) => {
        producer = undefined;
        throw error;
      })),
    async close() {
      const current = producer;
      producer = undefined;
      await (await current?.catch(() => undefined))?.disconnect();
    },
  };
}
