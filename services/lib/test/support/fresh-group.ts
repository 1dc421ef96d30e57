/**
 * A consumer group for one test that starts at the current end of its topics, as if it had
 * consumed everything before it. The local broker keeps every earlier test's messages (and a
 * production group does start from the beginning); a fresh group reading all of them first would
 * spend minutes on other tests' zones, some with deliberate gaps that hold a partition for the
 * projector's reorder wait. Call before the group's consumer starts: offsets can only be set for a
 * group with no member.
 */
import type { Kafka } from "kafkajs";
import { ensureTopics } from "../../src/clients/kafka";
import { stackConfig } from "./stack-config";

export async function groupAtEnd(kafka: Kafka, prefix: string, topics: readonly string[]): Promise<string> {
  const groupId = `${prefix}-${crypto.randomUUID()}`;
  await ensureTopics(kafka, topics, stackConfig.kafka.topics);
  const admin = kafka.admin();
  await admin.connect();
  try {
    for (const topic of topics) {
      const ends = await admin.fetchTopicOffsets(topic);
      await admin.setOffsets({ groupId, topic, partitions: ends.map((end) => ({ partition: end.partition, offset: end.high })) });
    }
  } finally {
    await admin.disconnect();
  }
  return groupId;
}
