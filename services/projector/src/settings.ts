import { settingsGroup } from "@booking-rush/lib/config";
import { Type } from "@sinclair/typebox";

export const projectorSettings = settingsGroup(
  {
    PROJECTOR_GROUP_ID: Type.String({ minLength: 1, default: "projector", description: "Kafka consumer group of the projector" }),
    PROJECTOR_BATCH_SIZE: Type.Integer({
      minimum: 1,
      maximum: 10_000,
      default: 500,
      description: "Events that make the projector write a batch at once",
    }),
    PROJECTOR_FLUSH_INTERVAL_MS: Type.Integer({
      minimum: 10,
      maximum: 5_000,
      default: 1_000,
      description: "Longest time an event waits before its batch is written (at most 5 s)",
    }),
    PROJECTOR_REORDER_WAIT_MS: Type.Integer({
      minimum: 0,
      maximum: 600_000,
      default: 30_000,
      description: "How long an event waits for an earlier one of its zone (from another topic) before it is applied anyway",
    }),
    PROJECTOR_DEAD_LETTER_TOPIC: Type.String({
      minLength: 1,
      default: "projector.dead-letter",
      description: "Where events that can never be applied go, with the reason",
    }),
  },
  (values) => ({
    groupId: values.PROJECTOR_GROUP_ID,
    batchSize: values.PROJECTOR_BATCH_SIZE,
    flushIntervalMs: values.PROJECTOR_FLUSH_INTERVAL_MS,
    reorderWaitMs: values.PROJECTOR_REORDER_WAIT_MS,
    deadLetterTopic: values.PROJECTOR_DEAD_LETTER_TOPIC,
  }),
);

export type ProjectorConfig = ReturnType<typeof projectorSettings.shape>;
