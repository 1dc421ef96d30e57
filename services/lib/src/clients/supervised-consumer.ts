/**
 * A Kafka consumer that stays up: every worker's consumer (projector, notification, payment
 * worker, payment saga) runs under this supervisor.
 *
 * - Start: topics ensured (created when missing, leaders waited for), connect, subscribe, run; an
 *   attempt that fails on a transient broker state (topic being created, no leader yet,
 *   coordinator loading, broker down) is retried with exponential back-off and jitter, for as
 *   long as it takes. Only a configuration that can never work (isPermanentKafkaError: ACLs,
 *   credentials, an impossible replication factor) ends the process, so its orchestrator shows it.
 * - Crash: kafkajs restarts a consumer itself after a retriable error, but after a non-retriable
 *   one (KafkaJSNonRetriableError, e.g. from a handler or a producer's sequence error) it
 *   disconnects and stays stopped; the supervisor then builds a new consumer after a back-off.
 * - Readiness (`check`): up only while the consumer has joined its group and not crashed since, so
 *   /readyz tells the truth while it is starting, restarting or cut off from the brokers.
 *   Liveness stays up: the process is not stuck, it is recovering on its own.
 */
import type { Consumer, ConsumerConfig, ConsumerRunConfig, Kafka } from "kafkajs";
import type { Logger } from "../logger";
import type { KafkaConfig } from "../settings";
import { wakeablePause } from "../workers/wakeable-pause";
import { backoffWithJitter, createConsumer, ensureTopics, isPermanentKafkaError } from "./kafka";

export interface SupervisedConsumerOptions {
  kafka: Kafka;
  groupId: string;
  logger: Logger;
  /** Topics consumed. */
  topics: readonly string[];
  /** Topics created when missing before the consumer subscribes: the consumed ones, and its dead-letter topic. */
  ensureTopics: readonly string[];
  topicSettings: KafkaConfig["topics"];
  consumer?: Omit<ConsumerConfig, "groupId">;
  /** What consumer.run gets; the same handlers serve every consumer the supervisor builds. */
  run: ConsumerRunConfig;
  fromBeginning?: boolean;
  /** Back-off between start attempts and restarts after a crash. */
  backoff?: { baseMs: number; maxMs: number };
  /** A configuration that can never work; by default logged and the process exits with 1. */
  onFatal?: (error: unknown) => void;
}

export interface SupervisedConsumer {
  /** Starts supervising; resolves once the consumer runs the first time (or stop() was called first). */
  start(): Promise<void>;
  /** Readiness check: throws unless the consumer has joined its group and not crashed since. */
  check(): Promise<void>;
  readonly running: boolean;
  /** Restarts after a crash, and failed start attempts, since start (for tests and logs). */
  readonly restarts: number;
  /** The consumer of the current attempt (tests use it to watch its events). */
  readonly current: Consumer | undefined;
  stop(): Promise<void>;
}

const describe = (error: unknown) => (error instanceof Error ? `${error.name}: ${error.message}` : String(error));

export function superviseConsumer(options: SupervisedConsumerOptions): SupervisedConsumer {
  const { kafka, groupId, logger } = options;
  const backoff = options.backoff ?? { baseMs: 500, maxMs: 15_000 };
  const onFatal =
    options.onFatal ??
    ((error: unknown) => {
      logger.error("kafka consumer cannot work with this configuration, exiting", { group: groupId, error: describe(error) });
      process.exit(1);
    });
  let consumer: Consumer | undefined;
  let running = false;
  let stopped = false;
  let restarts = 0;
  let supervising: Promise<void> | undefined;
  let firstRun: () => void = () => {};
  const firstRunning = new Promise<void>((resolve) => (firstRun = resolve));
  let stopSignal: () => void = () => {};
  const stopping = new Promise<void>((resolve) => (stopSignal = resolve));

  const { pause, wake } = wakeablePause();

  /** A new consumer, and a promise resolved when it crashed for good (kafkajs will not restart it). */
  function build(): { consumer: Consumer; crashed: Promise<void> } {
    const fresh = createConsumer(kafka, groupId, options.consumer);
    let crashedForGood: () => void = () => {};
    const crashed = new Promise<void>((resolve) => (crashedForGood = resolve));
    fresh.on(fresh.events.GROUP_JOIN, ({ payload }) => {
      if (fresh !== consumer) return;
      running = true;
      logger.info("consumer joined its group", { group: groupId, assignment: payload.memberAssignment });
    });
    fresh.on(fresh.events.CRASH, ({ payload }) => {
      if (fresh !== consumer) return;
      running = false;
      logger.error("consumer crashed", {
        group: groupId,
        error: describe(payload.error),
        restart: payload.restart ? "by kafkajs" : "by the supervisor",
      });
      if (!payload.restart) crashedForGood();
    });
    fresh.on(fresh.events.STOP, () => {
      if (fresh === consumer) running = false;
    });
    return { consumer: fresh, crashed };
  }

  /** One start; resolves once running, with what tells of a crash (wrapped: a returned promise would be awaited). */
  async function attempt(): Promise<{ crashed: Promise<void> }> {
    await ensureTopics(kafka, options.ensureTopics, options.topicSettings);
    const built = build();
    consumer = built.consumer;
    try {
      await consumer.connect();
      await consumer.subscribe({ topics: [...options.topics], fromBeginning: options.fromBeginning ?? true });
      await consumer.run(options.run);
    } catch (error) {
      await consumer.disconnect().catch(() => {});
      throw error;
    }
    return { crashed: built.crashed };
  }

  async function supervise() {
    let failures = 0;
    while (!stopped) {
      try {
        const { crashed } = await attempt();
        if (stopped) break;
        failures = 0;
        firstRun();
        await Promise.race([crashed, stopping]);
        if (stopped) break;
        // kafkajs disconnected it; a new consumer after a pause (the cause may still be there).
        restarts += 1;
        await consumer?.disconnect().catch(() => {});
        const wait = backoffWithJitter(0, backoff);
        logger.warn("restarting the crashed consumer", { group: groupId, backoff_ms: wait });
        await pause(wait);
      } catch (error) {
        running = false;
        if (stopped) break;
        if (isPermanentKafkaError(error)) {
          onFatal(error);
          return;
        }
        restarts += 1;
        const wait = backoffWithJitter(failures, backoff);
        failures += 1;
        if (failures === 1 || failures % 10 === 0) {
          logger.warn("kafka consumer could not start yet, retrying", {
            group: groupId,
            error: describe(error),
            attempt: failures,
            backoff_ms: wait,
          });
        }
        await pause(wait);
      }
    }
  }

  return {
    start() {
      supervising ??= supervise();
      return Promise.race([firstRunning, stopping]);
    },
    async check() {
      if (!running) throw new Error("the kafka consumer is not running");
    },
    get running() {
      return running;
    },
    get restarts() {
      return restarts;
    },
    get current() {
      return consumer;
    },
    async stop() {
      stopped = true;
      running = false;
      stopSignal();
      wake();
      await supervising;
      await consumer?.disconnect().catch(() => {});
    },
  };
}
