/**
 * A Kafka consumer for workers that handle one message at a time (payment worker, payment saga):
 * at least once, in partition order. A message's offset is committed only after its handler
 * finished; a handler that throws (a dependency down) is retried with a growing back-off while the
 * consumer keeps its heartbeats, so the message is neither skipped nor handed to another member;
 * a handler that answers `{ deadLetter: reason }` (a message that can never be handled) sends it
 * to the dead-letter topic with the reason and the worker carries on.
 */
import type { EachMessagePayload, Kafka } from "kafkajs";
import type { Logger } from "../logger";
import type { KafkaConfig } from "../settings";
import { backoffWithJitter, deadLetterMessage } from "./kafka";
import { createWorkerConsumer } from "./worker-consumer";

export interface ConsumedMessage {
  topic: string;
  partition: number;
  offset: string;
  key: string | null;
  value: Buffer | null;
  /** When the broker took it (epoch ms). */
  timestamp: number;
  /** Keeps the group membership alive during a long handler (one that works through many items). */
  heartbeat: () => Promise<void>;
  traceparent?: string;
}

export type HandlerResult = undefined | { deadLetter: string };

export interface EventConsumerOptions {
  kafka: Kafka;
  groupId: string;
  topics: readonly string[];
  topicSettings: KafkaConfig["topics"];
  deadLetterTopic: string;
  logger: Logger;
  handle: (message: ConsumedMessage) => Promise<HandlerResult>;
  backoff?: { baseDelayMs: number; maxDelayMs: number };
  /** Called with every failed attempt (for a metric). */
  onFailure?: (error: unknown) => void;
}

export function createEventConsumer(options: EventConsumerOptions) {
  const { logger } = options;
  const { baseDelayMs, maxDelayMs } = options.backoff ?? { baseDelayMs: 200, maxDelayMs: 5_000 };
  const worker = createWorkerConsumer(options);

  async function deadLetter(payload: EachMessagePayload, reason: string) {
    const { message, topic, partition } = payload;
    await worker.deadLetters.send([{ topic: options.deadLetterTopic, messages: [deadLetterMessage(payload, reason)] }]);
    logger.warn("message dead-lettered", { topic, partition, offset: message.offset, reason });
  }

  async function eachMessage(payload: EachMessagePayload) {
    const { message, topic, partition, heartbeat } = payload;
    const consumed: ConsumedMessage = {
      topic,
      partition,
      offset: message.offset,
      key: message.key?.toString() ?? null,
      value: message.value,
      timestamp: Number(message.timestamp),
      heartbeat,
      ...(message.headers?.traceparent ? { traceparent: message.headers.traceparent.toString() } : {}),
    };
    for (let failures = 0; ; failures += 1) {
      try {
        const result = await options.handle(consumed);
        if (result?.deadLetter) await deadLetter(payload, result.deadLetter);
        return;
      } catch (error) {
        options.onFailure?.(error);
        if (failures === 0 || failures % 10 === 0) {
          logger.warn("message handling failed, retrying", {
            topic,
            partition,
            offset: message.offset,
            attempt: failures + 1,
            error: error instanceof Error ? error.message : String(error),
          });
        }
        // Stopping: leave it uncommitted; whoever takes the partition over handles it.
        if (worker.stopping()) throw error;
        let wait = backoffWithJitter(failures, { baseMs: baseDelayMs, maxMs: maxDelayMs });
        while (wait > 0 && !worker.stopping()) {
          await Bun.sleep(Math.min(wait, 1_000));
          wait -= 1_000;
          await heartbeat();
        }
      }
    }
  }

  // One partition at a time: kafkajs fetches again only once every batch of the last fetch is
  // handled, so more concurrency buys little, and scaling out is by replicas (KEDA on lag).
  return worker.run({ partitionsConsumedConcurrently: 1, eachMessage });
}

export type EventConsumer = ReturnType<typeof createEventConsumer>;
