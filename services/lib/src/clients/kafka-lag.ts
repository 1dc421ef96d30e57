/**
 * `kafka_consumer_lag{group,topic}`: messages in a topic that a consumer group has not committed
 * yet, summed over the partitions; what KEDA scales the workers on, read in the background from
 * the brokers (end offsets) and the group's committed offsets, never at scrape time. A partition
 * the group never committed counts from its start.
 */
import type { Kafka } from "kafkajs";
import { Gauge, type Metrics, type SamplingOptions, sampleInBackground } from "../metrics";
import { retryTransientKafka } from "./kafka";

export function consumerLag(kafka: Kafka, groupId: string, topics: readonly string[]): Promise<Map<string, number>> {
  // Bounded: a broker that stays in trouble fails this sample, and the next one tries again.
  return retryTransientKafka(() => consumerLagOnce(kafka, groupId, topics), { timeoutMs: 5_000 });
}

async function consumerLagOnce(kafka: Kafka, groupId: string, topics: readonly string[]): Promise<Map<string, number>> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const committed = await admin.fetchOffsets({ groupId, topics: [...topics] });
    const lag = new Map<string, number>();
    for (const topic of topics) {
      const ends = await admin.fetchTopicOffsets(topic);
      const offsets = new Map(
        (committed.find((entry) => entry.topic === topic)?.partitions ?? []).map((partition) => [
          partition.partition,
          Number(partition.offset),
        ]),
      );
      let total = 0;
      for (const end of ends) {
        const done = offsets.get(end.partition) ?? -1;
        const from = done >= 0 ? done : Number(end.low);
        total += Math.max(0, Number(end.high) - from);
      }
      lag.set(topic, total);
    }
    return lag;
  } finally {
    await admin.disconnect();
  }
}

/**
 * Registers the gauge for one consumer group on the process's registry and keeps it fresh in the
 * background (source `kafka_consumer_lag` in metrics_sample_age_seconds).
 */
export function registerConsumerLag(
  metrics: Metrics,
  kafka: Kafka,
  groupId: string,
  topics: readonly string[],
  sampling?: SamplingOptions,
) {
  const gauge = new Gauge({
    name: "kafka_consumer_lag",
    help: "Messages not yet committed by the consumer group, per topic (sampled in the background; see metrics_sample_age_seconds)",
    labelNames: ["group", "topic"],
    registers: [metrics.registry],
  });
  const sampler = sampleInBackground(
    metrics,
    "kafka_consumer_lag",
    async () => {
      for (const [topic, lag] of await consumerLag(kafka, groupId, topics)) gauge.set({ group: groupId, topic }, lag);
    },
    sampling,
  );
  return { gauge, ...sampler };
}
