/**
 * The projector's consumer: every booking topic, every partition at once, into one buffer that is
 * written as a batch (applyBatch) when it holds `batchSize` events or `flushIntervalMs` passed.
 * A message's offset is resolved only once its event is in PostgreSQL (or dead-lettered), in
 * partition order, so a crash or a rebalance redelivers exactly what was not written; a redelivered
 * event is recognised by id and changes nothing. While PostgreSQL is down the batch is retried with
 * a growing back-off and the consumer keeps its heartbeats, so nothing is lost or reassigned.
 */
import { backoffWithJitter, createWorkerConsumer, type Database, deadLetterMessage, type Kafka } from "@booking-rush/lib/clients";
import type { KafkaConfig } from "@booking-rush/lib/config";
import { bookingTopics } from "@booking-rush/lib/contracts";
import { inConsumerSpan, type Logger } from "@booking-rush/lib/observability";
import type { EachBatchPayload, KafkaMessage } from "kafkajs";
import { applyBatch, type PendingEvent } from "./apply-batch";
import { parseBookingEvent } from "./booking-event";
import type { ProjectorMetrics } from "./projector-metrics";
import type { ProjectorConfig } from "./settings";

interface Waiter {
  pending: PendingEvent;
  done: Promise<void>;
  resolve: () => void;
}

export interface ProjectorDependencies {
  kafka: Kafka;
  db: Database;
  logger: Logger;
  metrics: ProjectorMetrics;
}

export function createProjector(
  { kafka, db, logger, metrics }: ProjectorDependencies,
  config: ProjectorConfig & { topics: KafkaConfig["topics"] },
) {
  const worker = createWorkerConsumer({
    kafka,
    groupId: config.groupId,
    logger,
    topics: bookingTopics,
    deadLetterTopic: config.deadLetterTopic,
    topicSettings: config.topics,
  });
  let buffer: Waiter[] = [];
  let flushing: Promise<void> | undefined;
  let timer: Timer | undefined;
  let failures = 0;

  /**
   * All of them at once, so a backlog of events that can never apply does not crawl; the producer
   * splits the send into requests the broker accepts and replaces itself after a failure.
   */
  async function deadLetter(items: { source: { message: KafkaMessage; topic: string; partition: number }; reason: string }[]) {
    if (items.length === 0) return;
    await worker.deadLetters.send([
      { topic: config.deadLetterTopic, messages: items.map(({ source, reason }) => deadLetterMessage(source, reason)) },
    ]);
    metrics.events.inc({ result: "rejected" }, items.length);
    for (const { source, reason } of items.slice(0, 10)) {
      logger.warn("booking event dead-lettered", {
        topic: source.topic,
        partition: source.partition,
        offset: source.message.offset,
        reason,
      });
    }
    if (items.length > 10) logger.warn("booking events dead-lettered", { count: items.length });
  }

  /** Writes what the buffer holds; held-back events stay for the next flush. Retries until written or stopping. */
  async function flush(): Promise<void> {
    if (buffer.length === 0) return;
    const taken = buffer;
    buffer = [];
    const started = performance.now();
    try {
      const outcome = await inConsumerSpan(
        "projector apply batch",
        taken.map((waiter) => waiter.pending.traceparent),
        () =>
          applyBatch(
            db,
            taken.map((waiter) => waiter.pending),
            config,
          ),
      );
      failures = 0;
      metrics.batchDuration.observe((performance.now() - started) / 1000);
      metrics.events.inc({ result: "applied" }, outcome.applied);
      metrics.events.inc({ result: "duplicate" }, outcome.duplicates);
      if (outcome.applied + outcome.duplicates > 0) metrics.lastApplied.setToCurrentTime();
      const byEvent = new Map(taken.map((waiter) => [waiter.pending, waiter]));
      await deadLetter(
        outcome.rejected.flatMap(({ pending, reason }) => {
          const source = sources.get(pending);
          return source ? [{ source, reason }] : [];
        }),
      );
      for (const { pending } of outcome.rejected) byEvent.get(pending)?.resolve();
      for (const pending of outcome.done) byEvent.get(pending)?.resolve();
      const held = new Set(outcome.heldBack);
      buffer = [...taken.filter((waiter) => held.has(waiter.pending)), ...buffer];
    } catch (error) {
      failures += 1;
      metrics.flushFailures.inc();
      buffer = [...taken, ...buffer];
      const backoff = backoffWithJitter(failures - 1, { baseMs: 200, maxMs: 5_000 });
      if (failures === 1 || failures % 10 === 0)
        logger.warn("projector batch failed, retrying", {
          error: error instanceof Error ? error.message : String(error),
          attempt: failures,
          backoff_ms: backoff,
        });
      await Bun.sleep(backoff);
    }
  }

  const sources = new WeakMap<PendingEvent, { message: KafkaMessage; topic: string; partition: number }>();

  function scheduleFlush(now: boolean) {
    if (flushing) return;
    if (now) {
      clearTimeout(timer);
      timer = undefined;
      flushing = flush().finally(() => {
        flushing = undefined;
        if (buffer.length > 0 && !worker.stopping()) scheduleFlush(buffer.length >= config.batchSize);
      });
      return;
    }
    timer ??= setTimeout(() => {
      timer = undefined;
      scheduleFlush(true);
    }, config.flushIntervalMs);
  }

  function enqueue(pending: PendingEvent): Waiter {
    let resolve: () => void = () => {};
    const done = new Promise<void>((settle) => (resolve = settle));
    const waiter = { pending, done, resolve };
    buffer.push(waiter);
    scheduleFlush(buffer.length >= config.batchSize);
    return waiter;
  }

  /** Dead-letters events that cannot even be parsed, retrying (heartbeating) until sent; false when the partition is gone meanwhile. */
  async function deadLetterUnparsable(
    items: Parameters<typeof deadLetter>[0],
    { heartbeat, isRunning, isStale }: Pick<EachBatchPayload, "heartbeat" | "isRunning" | "isStale">,
  ): Promise<boolean> {
    for (let attempt = 0; ; attempt += 1) {
      try {
        await deadLetter(items);
        return true;
      } catch (error) {
        const wait = backoffWithJitter(attempt, { baseMs: 200, maxMs: 5_000 });
        if (attempt === 0 || attempt % 10 === 9)
          logger.warn("dead-letter send failed, retrying", {
            error: error instanceof Error ? error.message : String(error),
            count: items.length,
            backoff_ms: wait,
          });
        const until = Date.now() + wait;
        while (Date.now() < until) {
          if (worker.stopping() || !isRunning() || isStale()) return false;
          await Bun.sleep(Math.min(1_000, until - Date.now()));
          await heartbeat().catch(() => {});
        }
      }
    }
  }

  async function eachBatch({ batch, resolveOffset, heartbeat, isRunning, isStale }: EachBatchPayload) {
    const waiters: { offset: string; waiter?: Waiter }[] = [];
    const unparsable: Parameters<typeof deadLetter>[0] = [];
    for (const message of batch.messages) {
      const parsed = parseBookingEvent(message.value);
      if ("reason" in parsed) {
        unparsable.push({ source: { message, topic: batch.topic, partition: batch.partition }, reason: parsed.reason });
        waiters.push({ offset: message.offset });
        continue;
      }
      const traceparent = message.headers?.traceparent?.toString();
      const pending: PendingEvent = { event: parsed.event, receivedAt: Date.now(), ...(traceparent ? { traceparent } : {}) };
      sources.set(pending, { message, topic: batch.topic, partition: batch.partition });
      waiters.push({ offset: message.offset, waiter: enqueue(pending) });
    }
    // Before any offset is resolved: an unparsable event's offset moves on only once it is dead-lettered.
    if (unparsable.length > 0 && !(await deadLetterUnparsable(unparsable, { heartbeat, isRunning, isStale }))) return;
    // Offsets are resolved in partition order, each once its event is written.
    for (const { offset, waiter } of waiters) {
      while (waiter) {
        const written = await Promise.race([waiter.done.then(() => true), Bun.sleep(1_000).then(() => false)]);
        if (written) break;
        if (!isRunning() || isStale()) return;
        await heartbeat();
      }
      resolveOffset(offset);
    }
    await heartbeat();
  }

  // stop(): writes what can be written, then leaves the group; the rest is redelivered to whoever takes over.
  return worker.run(
    { eachBatchAutoResolve: false, partitionsConsumedConcurrently: bookingTopics.length * config.topics.partitions, eachBatch },
    async () => {
      clearTimeout(timer);
      await flushing;
      await flush().catch(() => {});
    },
  );
}

export type Projector = ReturnType<typeof createProjector>;
