/**
 * A consumer group for one test that starts at the current end of its topics, as if it had
 * consumed everything before it. The local broker keeps every earlier test's messages (and a
 * production group does start from the beginning); a fresh group reading all of them first would
 * spend minutes on other tests' zones, some with deliberate gaps that hold a partition for the
 * projector's reorder wait. Call before the group's consumer starts: offsets can only be set for a
 * group with no member.
 *
 * How: what kafkajs' admin.setOffsets does, for all topics at once and with a short fetch wait —
 * a member joins, pauses everything, seeks every partition to its end, and leaves after its first
 * (empty) fetch, committing the seeked offsets.
 */

import { ensureTopics, retryTransientKafka } from "@booking-rush/lib/clients";
import type { Kafka } from "kafkajs";
import { stackConfig } from "./stack-config";

/** A loaded machine's broker answers NOT_LEADER_FOR_PARTITION and the like for a moment: the whole step is tried again. */
export function groupAtEnd(kafka: Kafka, prefix: string, topics: readonly string[]): Promise<string> {
  return retryTransientKafka(() => groupAtEndOnce(kafka, prefix, topics), { timeoutMs: 60_000 });
}

async function groupAtEndOnce(kafka: Kafka, prefix: string, topics: readonly string[]): Promise<string> {
  const groupId = `${prefix}-${crypto.randomUUID()}`;
  await ensureTopics(kafka, topics, stackConfig.kafka.topics);
  const admin = kafka.admin();
  await admin.connect();
  const ends = new Map<string, { partition: number; high: string }[]>();
  try {
    for (const topic of topics) ends.set(topic, await admin.fetchTopicOffsets(topic));
  } finally {
    await admin.disconnect();
  }

  const member = kafka.consumer({ groupId, maxWaitTimeInMs: 50, retry: { retries: 3 } });
  await member.connect();
  await member.subscribe({ topics: [...topics], fromBeginning: true });
  const fetched = new Promise<void>((resolve) => member.on(member.events.FETCH, () => resolve()));
  await member.run({ eachBatchAutoResolve: false, eachBatch: async () => {} });
  member.pause(topics.map((topic) => ({ topic })));
  for (const [topic, partitions] of ends) for (const end of partitions) member.seek({ topic, partition: end.partition, offset: end.high });
  await fetched;
  await member.disconnect();

  const check = kafka.admin();
  await check.connect();
  try {
    const committed = await check.fetchOffsets({ groupId, topics: [...topics] });
    for (const entry of committed) {
      const wanted = new Map(ends.get(entry.topic)!.map((end) => [end.partition, end.high]));
      for (const partition of entry.partitions) {
        if (partition.offset !== wanted.get(partition.partition))
          throw new Error(`group ${groupId} did not start at the end of ${entry.topic}/${partition.partition}`);
      }
    }
  } finally {
    await check.disconnect();
  }
  return groupId;
}
