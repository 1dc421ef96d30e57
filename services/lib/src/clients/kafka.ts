/**
 * kafkajs clients. Producers are idempotent (no duplicates from retries) and messages are keyed by
 * event id so one event stays ordered; consumers commit only what they processed.
 */
import {
  type Admin,
  type Consumer,
  type ConsumerConfig,
  Kafka,
  type KafkaMessage,
  logLevel,
  type Message,
  Partitioners,
  type Producer,
  type TopicMessages,
} from "kafkajs";

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
    logCreator:
      () =>
      ({ level, log }) => {
        const { message, ...fields } = log;
        kafkaLogger[levelNames[level] ?? "info"](String(message), fields);
      },
  });
}

export function createProducer(kafka: Kafka): Producer {
  // kafkajs requires a single in-flight request for the idempotent producer to keep order.
  // The Java client's partitioner (murmur2), named explicitly: the same key lands on the same
  // partition whichever client produced it.
  return kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    allowAutoTopicCreation: false,
    createPartitioner: Partitioners.DefaultPartitioner,
  });
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
 * Creates the topics that do not exist yet (existing ones are left as they are), then waits until
 * every partition of every one of them has a leader. Producers never create topics implicitly
 * (allowAutoTopicCreation: false), so this runs before the first send and the first subscribe.
 * Several processes starting together race to create the same topics: the loser's createTopics
 * answers "already exists" without waiting for leaders, and a subscribe right after it meets
 * UNKNOWN_TOPIC_OR_PARTITION / LEADER_NOT_AVAILABLE; so the wait covers the topics whoever created
 * them. Throws when the leaders are not there within `leaderWaitMs`; callers retry.
 */
export async function ensureTopics(
  kafka: Kafka,
  topics: readonly string[],
  options: { partitions: number; replicationFactor: number },
  leaderWaitMs = 15_000,
) {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = topics.filter((topic) => !existing.has(topic));
    if (missing.length > 0) {
      await admin.createTopics({
        topics: missing.map((topic) => ({ topic, numPartitions: options.partitions, replicationFactor: options.replicationFactor })),
        waitForLeaders: true,
      });
    }
    await waitForLeaders(admin, topics, leaderWaitMs);
    return missing;
  } finally {
    await admin.disconnect();
  }
}

/** Until every partition of `topics` has a leader; a leaderless partition is retried like a transient broker error. */
function waitForLeaders(admin: Admin, topics: readonly string[], timeoutMs: number) {
  return retryTransientKafka(
    async () => {
      const { topics: described } = await admin.fetchTopicMetadata({ topics: [...topics] });
      const leaderless = described.flatMap((topic) =>
        topic.partitions.length === 0
          ? [`${topic.name}: no partitions yet`]
          : topic.partitions.filter((partition) => partition.leader < 0).map((partition) => `${topic.name}/${partition.partitionId}`),
      );
      if (leaderless.length > 0) throw new Error(`kafka topics not ready: no leader yet for ${leaderless.slice(0, 5).join(", ")}`);
    },
    { timeoutMs, maxBackoffMs: 1_000 },
  );
}

/** Exponential back-off with jitter: the n-th wait (from 0) is between half and all of min(max, base·2^n). */
export function backoffWithJitter(attempt: number, { baseMs, maxMs }: { baseMs: number; maxMs: number }): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.min(attempt, 30));
  return Math.round(ceiling / 2 + (Math.random() * ceiling) / 2);
}

/**
 * Runs a Kafka admin call again while it fails on a transient broker state (NOT_LEADER_FOR_PARTITION
 * from a listOffsets whose broker has not caught up with the new leader, a coordinator loading, a
 * connection dropped), with back-off and jitter, for at most `timeoutMs`; a permanent error or the
 * deadline throws the last error.
 */
export async function retryTransientKafka<T>(work: () => Promise<T>, { timeoutMs = 30_000, maxBackoffMs = 2_000 } = {}): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (let attempt = 0; ; attempt += 1) {
    try {
      return await work();
    } catch (error) {
      if (isPermanentKafkaError(error) || Date.now() >= deadline) throw error;
      await Bun.sleep(Math.min(backoffWithJitter(attempt, { baseMs: 100, maxMs: maxBackoffMs }), Math.max(0, deadline - Date.now())));
    }
  }
}

/**
 * Broker answers that no retry can change: the configuration is wrong (credentials, ACLs, a
 * replication factor above the number of brokers, an invalid topic name or setting). Everything
 * else (a topic being created, no leader yet, a coordinator loading, a broker down, a producer's
 * sequence error) is transient. Follows kafkajs' wrapping (`cause`, `originalError`, `errors`).
 */
const permanentKafkaErrorTypes = new Set([
  "TOPIC_AUTHORIZATION_FAILED",
  "GROUP_AUTHORIZATION_FAILED",
  "CLUSTER_AUTHORIZATION_FAILED",
  "SASL_AUTHENTICATION_FAILED",
  "UNSUPPORTED_SASL_MECHANISM",
  "INVALID_REPLICATION_FACTOR",
  "INVALID_PARTITIONS",
  "INVALID_REPLICA_ASSIGNMENT",
  "INVALID_TOPIC_EXCEPTION",
  "INVALID_CONFIG",
  "POLICY_VIOLATION",
  "INVALID_GROUP_ID",
]);

export function isPermanentKafkaError(error: unknown, depth = 0): boolean {
  if (!error || typeof error !== "object" || depth > 5) return false;
  const candidate = error as { type?: unknown; name?: unknown; cause?: unknown; originalError?: unknown; errors?: unknown };
  if (typeof candidate.type === "string" && permanentKafkaErrorTypes.has(candidate.type)) return true;
  if (candidate.name === "KafkaJSSASLAuthenticationError") return true;
  if (Array.isArray(candidate.errors) && candidate.errors.some((inner) => isPermanentKafkaError(inner, depth + 1))) return true;
  return isPermanentKafkaError(candidate.cause, depth + 1) || isPermanentKafkaError(candidate.originalError, depth + 1);
}

/**
 * The dead-letter copy of a consumed message: the same key and value, its headers plus why it can
 * never be handled and where it came from, so it can be inspected and replayed.
 */
export function deadLetterMessage(
  source: { topic: string; partition: number; message: KafkaMessage },
  reason: string,
  extra: Record<string, string> = {},
): Message {
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
 * What one produce request carries at most. The broker refuses a record batch above its
 * `message.max.bytes` (about 1 MB by default) with MESSAGE_TOO_LARGE, and kafkajs puts every
 * message of one send for one partition into one batch: a dead-letter burst of thousands of
 * messages (all keyed by one concert event, so one partition) in one send is refused whole.
 * A quarter of the default keeps every batch well under it, headers and record overhead included.
 */
export const maxRequestBytes = 256 * 1024;

/** A message's size on the wire, roughly: key, value, headers and per-record overhead. */
function approximateBytes(message: Message): number {
  const length = (value: unknown) => (value == null ? 0 : Buffer.isBuffer(value) ? value.length : Buffer.byteLength(String(value)));
  let bytes = 64 + length(message.key) + length(message.value);
  for (const [name, value] of Object.entries(message.headers ?? {})) {
    bytes +=
      8 + Buffer.byteLength(name) + (Array.isArray(value) ? value.reduce((sum: number, item) => sum + length(item), 0) : length(value));
  }
  return bytes;
}

/** Splits a send into requests of at most `budget` bytes, in order (a message larger than it goes alone). */
export function chunkTopicMessages(topicMessages: readonly TopicMessages[], budget = maxRequestBytes): TopicMessages[][] {
  const chunks: TopicMessages[][] = [];
  let current: TopicMessages[] = [];
  let bytes = 0;
  for (const { topic, messages } of topicMessages) {
    for (const message of messages) {
      const size = approximateBytes(message);
      if (bytes > 0 && bytes + size > budget) {
        chunks.push(current);
        current = [];
        bytes = 0;
      }
      const last = current.at(-1);
      if (last?.topic === topic) last.messages.push(message);
      else current.push({ topic, messages: [message] });
      bytes += size;
    }
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}

export interface LazyProducer {
  /** The producer, connected (its topics created first). */
  connected(): Promise<Producer>;
  /**
   * Sends in requests sized to the broker's limits (chunkTopicMessages), one after another so the
   * order holds. A failed request replaces the producer before the error is thrown: a new producer
   * id starts clean sequence numbers, where the old one could be stuck in OUT_OF_ORDER_SEQUENCE_NUMBER
   * after a refused or timed-out request. The caller retries; chunks already sent go again, and
   * consumers drop the repeats by event id.
   */
  send(topicMessages: readonly TopicMessages[], acks?: number): Promise<void>;
  close(): Promise<void>;
}

/**
 * The one idempotent producer of every process (relay, payment events, dead letters, discrepancy
 * alerts): connected on first use (its topics created first), and replaced after a failure: a
 * process that starts while Kafka is down still starts, and the sends that need Kafka fail (and
 * are retried by their callers) until it is back.
 */
export function lazyProducer(
  kafka: Kafka,
  topics: readonly string[],
  topicSettings: { partitions: number; replicationFactor: number },
  logger?: Logger,
): LazyProducer {
  let producer: Promise<Producer> | undefined;
  const connected = () =>
    (producer ??= (async () => {
      const created = await ensureTopics(kafka, topics, topicSettings);
      if (created.length > 0) logger?.info("created kafka topics", { topics: created });
      const fresh = createProducer(kafka);
      try {
        await fresh.connect();
      } catch (error) {
        await fresh.disconnect().catch(() => {});
        throw error;
      }
      return fresh;
    })().catch((error) => {
      producer = undefined;
      throw error;
    }));
  async function replace(failed: Promise<Producer> | undefined) {
    if (producer !== failed) return; // replaced already by a concurrent failure
    producer = undefined;
    await (await failed?.catch(() => undefined))?.disconnect().catch(() => {});
  }
  return {
    connected,
    async send(topicMessages, acks = -1) {
      for (const chunk of chunkTopicMessages(topicMessages)) {
        const current = connected();
        try {
          await (await current).sendBatch({ topicMessages: chunk, acks });
        } catch (error) {
          await replace(current);
          throw error;
        }
      }
    },
    async close() {
      await replace(producer);
    },
  };
}
