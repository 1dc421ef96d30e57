/**
 * What every Kafka worker of ours (payment worker, payment saga, projector, notification) shares
 * around its own message handling: a dead-letter producer, a stopping flag its handlers read, a
 * supervised consumer on its topics (their dead-letter topic created with them) and one handle to
 * start, check and stop it. The worker builds its handlers with `deadLetters` and `stopping` in
 * hand, then `run`s them.
 */
import type { ConsumerRunConfig, Kafka } from "kafkajs";
import type { Logger } from "../logger";
import type { KafkaConfig } from "../settings";
import { lazyProducer } from "./kafka";
import { type SupervisedConsumer, superviseConsumer } from "./supervised-consumer";

export interface WorkerConsumerOptions {
  kafka: Kafka;
  groupId: string;
  logger: Logger;
  topics: readonly string[];
  deadLetterTopic: string;
  topicSettings: KafkaConfig["topics"];
}

export interface WorkerConsumerHandle {
  /** Resolves once the consumer first runs; retried and restarted for as long as it takes (supervised-consumer.ts). */
  start(): Promise<void>;
  /** Readiness: the consumer is running (joined, not crashed). */
  check(): Promise<void>;
  supervised: SupervisedConsumer;
  /** Marks the worker stopping, lets it finish (`beforeLeave`), leaves the group, closes the dead-letter producer. */
  stop(): Promise<void>;
}

export function createWorkerConsumer(options: WorkerConsumerOptions) {
  const deadLetters = lazyProducer(options.kafka, [options.deadLetterTopic], options.topicSettings, options.logger);
  let stopping = false;
  return {
    deadLetters,
    /** True from the moment stop() is called: handlers give up their retries and leave work uncommitted. */
    stopping: () => stopping,
    run(run: ConsumerRunConfig, beforeLeave: () => Promise<void> = async () => {}): WorkerConsumerHandle {
      const supervised = superviseConsumer({
        kafka: options.kafka,
        groupId: options.groupId,
        logger: options.logger,
        topics: options.topics,
        ensureTopics: [...options.topics, options.deadLetterTopic],
        topicSettings: options.topicSettings,
        consumer: { sessionTimeout: 30_000, heartbeatInterval: 3_000 },
        run,
      });
      return {
        start: () => supervised.start(),
        check: () => supervised.check(),
        supervised,
        async stop() {
          stopping = true;
          await beforeLeave();
          await supervised.stop();
          await deadLetters.close();
        },
      };
    },
  };
}
