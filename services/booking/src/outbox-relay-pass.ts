/**
 * The outbox relay: moves booking events from each event's Redis outbox stream to Kafka.
 *
 * Per event: read with the consumer group (own unacknowledged entries first, then new ones), send
 * with the idempotent producer, then XACK + XDEL. At least once: an entry leaves Redis only after
 * Kafka has it, so with Kafka down entries wait in the stream and go out when it is back; a crash
 * between send and ack re-sends, and consumers drop the repeat by `event_id`.
 *
 * One relay at a time sends a given event (a lease in Redis, renewed by a heartbeat), so the event's
 * messages keep the order the scripts wrote them in even with several replicas; the events
 * themselves are shared out between replicas. Entries a dead relay read but never acknowledged are
 * claimed with XAUTOCLAIM once idle for claimIdleMs.
 */
import { type Kafka, type LuaScripts, lazyProducer, type Redis, type TopicMessages } from "@booking-rush/lib/clients";
import type { KafkaConfig } from "@booking-rush/lib/config";
import { outboxTopics } from "@booking-rush/lib/contracts";
import { eventKeys, eventRegistryKey, outboxGroup } from "@booking-rush/lib/inventory";
import { type Logger, startProducerSpan } from "@booking-rush/lib/observability";
import { outboxLeaseReleaseScript, outboxLeaseScript } from "./booking-scripts";
import { entryFields, type OutboxEntry, outboxMessage } from "./outbox-message";
import type { OutboxRelayConfig } from "./settings";

export interface OutboxRelayOptions extends Omit<OutboxRelayConfig, "consumerName" | "pollIntervalMs"> {
  consumerName: string;
  /** How the topics are created when missing (KAFKA_TOPIC_PARTITIONS, KAFKA_TOPIC_REPLICATION_FACTOR). */
  topics: KafkaConfig["topics"];
}

export interface OutboxRelayDependencies {
  redis: Redis;
  /** Runs outbox-lease and outbox-lease-release. */
  scripts: LuaScripts;
  kafka: Kafka;
  logger: Logger;
  /** Called with each batch delivered to Kafka, by topic. */
  onDelivered?: (topic: string, count: number) => void;
}

type StreamReply = [stream: string, entries: [id: string, fields: string[] | null][]][] | null;

interface EventState {
  /** Local deadline of the lease; nothing is sent for the event after it without a renewal. */
  leaseUntil: number;
  /** Entries read earlier may still be unacknowledged (a failed send, a claim): re-read them first. */
  checkPending: boolean;
  lastClaimAt: number;
}

export function createOutboxRelay(dependencies: OutboxRelayDependencies, options: OutboxRelayOptions) {
  const { redis, scripts, kafka, logger } = dependencies;
  const { consumerName, batchSize, leaseMs, claimIdleMs } = options;
  const events = new Map<string, EventState>();
  // Created with the eight topics on first use; after a failed send it is replaced (a new producer
  // id starts clean sequence numbers rather than risking a stuck OutOfOrderSequence state after the
  // broker came back), and a batch is sent in requests sized to the broker's limits (kafka.ts).
  const producer = lazyProducer(kafka, outboxTopics, options.topics, logger);

  async function takeLease(eventId: string): Promise<boolean> {
    const state = events.get(eventId) ?? { leaseUntil: 0, checkPending: true, lastClaimAt: 0 };
    const askedAt = Date.now();
    const held = (await outboxLeaseScript(scripts, { eventId, holder: consumerName, leaseMs })) === 1;
    if (!held) {
      events.delete(eventId);
      return false;
    }
    state.leaseUntil = askedAt + leaseMs;
    events.set(eventId, state);
    return true;
  }

  /** Entries another relay read and never acknowledged become ours once idle long enough. */
  async function claimAbandoned(stream: string, state: EventState) {
    let cursor = "0-0";
    let claimed = 0;
    // Bounded: a stream holds at most a few batches of unacknowledged entries.
    for (let round = 0; round < 10; round += 1) {
      const [next, ids] = (await redis.xautoclaim(
        stream,
        outboxGroup,
        consumerName,
        claimIdleMs,
        cursor,
        "COUNT",
        batchSize,
        "JUSTID",
      )) as [string, string[]];
      claimed += ids.length;
      cursor = next;
      if (cursor === "0-0") break;
    }
    state.lastClaimAt = Date.now();
    if (claimed > 0) {
      state.checkPending = true;
      logger.info("claimed outbox entries of another relay", { stream, entries: claimed });
    }
    await forgetGoneRelays(stream);
  }

  /** Consumers of relays that are gone (nothing pending, idle past the claim time) are dropped, so the group does not grow with every restart. */
  async function forgetGoneRelays(stream: string) {
    const consumers = (await redis.xinfo("CONSUMERS", stream, outboxGroup)) as (string | number)[][];
    for (const flat of consumers) {
      const consumer = Object.fromEntries(Array.from({ length: flat.length / 2 }, (_, index) => [flat[2 * index], flat[2 * index + 1]]));
      if (consumer.name !== consumerName && Number(consumer.pending) === 0 && Number(consumer.idle) > claimIdleMs) {
        await redis.xgroup("DELCONSUMER", stream, outboxGroup, String(consumer.name));
      }
    }
  }

  async function read(stream: string, from: "0" | ">"): Promise<OutboxEntry[]> {
    const reply = (await redis.xreadgroup("GROUP", outboxGroup, consumerName, "COUNT", batchSize, "STREAMS", stream, from)) as StreamReply;
    return (reply?.[0]?.[1] ?? []).map(([id, flat]) => ({ id, fields: entryFields(flat) ?? {} }));
  }

  /** The group is created at publish time; a stream Redis lost (or never wrote) gets it back here. */
  async function recreateGroup(stream: string) {
    await redis.xgroup("CREATE", stream, outboxGroup, "0", "MKSTREAM").catch((error: Error) => {
      if (!error.message.startsWith("BUSYGROUP")) throw error;
    });
  }

  async function send(eventId: string, entries: OutboxEntry[]) {
    const byTopic = new Map<string, TopicMessages>();
    const spans: ReturnType<typeof startProducerSpan>[] = [];
    for (const entry of entries) {
      if (!entry.fields.type) continue; // deleted before it was acknowledged: nothing left to send
      // The event's trace goes on through this send: HTTP request → outbox → Kafka → consumers.
      const span = startProducerSpan(`${entry.fields.type} send`, entry.fields.traceparent || undefined);
      spans.push(span);
      const { topic, message } = outboxMessage(eventId, entry.fields, span.traceparent);
      const batch = byTopic.get(topic) ?? { topic, messages: [] };
      batch.messages.push(message);
      byTopic.set(topic, batch);
    }
    if (byTopic.size === 0) return;
    try {
      await producer.send([...byTopic.values()], -1);
    } catch (error) {
      for (const span of spans) span.end(error);
      throw error;
    }
    for (const span of spans) span.end();
    for (const batch of byTopic.values()) dependencies.onDelivered?.(batch.topic, batch.messages.length);
  }

  /** One batch of one event; resolves to how many entries went to Kafka. */
  async function relayEvent(eventId: string, state: EventState): Promise<number> {
    try {
      return await relayBatch(eventId, state);
    } catch (error) {
      if (!(error instanceof Error) || !error.message.startsWith("NOGROUP")) throw error;
      await recreateGroup(eventKeys(eventId).outbox);
      return 0;
    }
  }

  async function relayBatch(eventId: string, state: EventState): Promise<number> {
    // Never act on a lease that may be running out: another relay may own the event by then.
    if (Date.now() >= state.leaseUntil - leaseMs / 3 && !(await takeLease(eventId))) return 0;
    const stream = eventKeys(eventId).outbox;
    if (Date.now() - state.lastClaimAt >= claimIdleMs / 2) await claimAbandoned(stream, state);
    let entries: OutboxEntry[] = [];
    if (state.checkPending) {
      entries = await read(stream, "0");
      if (entries.length === 0) state.checkPending = false;
    }
    if (entries.length === 0) entries = await read(stream, ">");
    if (entries.length === 0) return 0;
    // From here until the ack these entries are pending on us; a failure leaves them to be re-read.
    state.checkPending = true;
    await send(eventId, entries);
    const ids = entries.map((entry) => entry.id);
    await redis
      .multi()
      .xack(stream, outboxGroup, ...ids)
      .xdel(stream, ...ids)
      .exec();
    return entries.length;
  }

  return {
    consumerName,

    /** One pass over every loaded event; resolves to how many entries went to Kafka. */
    async step(): Promise<number> {
      const registered = await redis.smembers(eventRegistryKey);
      for (const eventId of events.keys()) if (!registered.includes(eventId)) events.delete(eventId);
      let relayed = 0;
      let firstFailure: unknown;
      // One event's trouble must not hold up the others: each is tried, the first failure reported.
      for (const eventId of registered) {
        try {
          if (!events.has(eventId) && !(await takeLease(eventId))) continue;
          relayed += await relayEvent(eventId, events.get(eventId)!);
        } catch (error) {
          firstFailure ??= error;
        }
      }
      if (firstFailure !== undefined && relayed === 0) throw firstFailure;
      if (firstFailure !== undefined)
        logger.warn("outbox relay: an event failed this pass", {
          error: firstFailure instanceof Error ? firstFailure.message : String(firstFailure),
        });
      return relayed;
    },

    /** Keeps the leases of the events this relay sends; run every leaseMs / 3, also while a send hangs. */
    async renewLeases(): Promise<void> {
      for (const eventId of [...events.keys()]) {
        if (!(await takeLease(eventId))) logger.warn("outbox lease lost to another relay", { event_id: eventId });
      }
    },

    /** Hands every lease back so other replicas take over at once, and disconnects from Kafka. */
    async close(): Promise<void> {
      for (const eventId of events.keys()) {
        await outboxLeaseReleaseScript(scripts, { eventId, holder: consumerName }).catch(() => {});
      }
      events.clear();
      await producer.close();
    },
  };
}

export type OutboxRelay = ReturnType<typeof createOutboxRelay>;
