/**
 * kafkajs clients. Producers are idempotent (no duplicates from retries) and messages are keyed by
 * event id so one event stays ordered; consumers commit only what they processed.
 */
import { type Consumer, type ConsumerConfig, Kafka, logLevel, type Producer } from "kafkajs";
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
  return kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
}

export function createConsumer(kafka: Kafka, groupId: string, options: Omit<ConsumerConfig, "groupId"> = {}): Consumer {
  return kafka.consumer({ groupId, allowAutoTopicCreation: false, ...options });
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
