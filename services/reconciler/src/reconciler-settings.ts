import { settingsGroup } from "@booking-rush/lib/config";
import { Type } from "@sinclair/typebox";

export const reconcilerSettings = settingsGroup(
  {
    RECONCILER_MODE: Type.Union([Type.Literal("once"), Type.Literal("loop")], {
      default: "once",
      description:
        "once: one pass over every live event, then exit with its result (the CronJob); loop: a pass every interval, only while this replica leads",
    }),
    RECONCILER_INTERVAL_MS: Type.Integer({
      minimum: 1_000,
      maximum: 3_600_000,
      default: 60_000,
      description: "Loop mode: time between two passes",
    }),
    RECONCILER_EVENT_IDS: Type.Optional(
      Type.String({
        pattern: "^[0-9a-f-]{36}(,[0-9a-f-]{36})*$",
        description: "Only these events (comma-separated ids); unset: every published event",
      }),
    ),
    RECONCILER_LOCK_TTL_MS: Type.Integer({
      minimum: 500,
      maximum: 300_000,
      default: 30_000,
      description: "Lifetime of an event's repair lock (extended while the repair runs)",
    }),
    RECONCILER_LOCK_WAIT_MS: Type.Integer({
      minimum: 0,
      maximum: 600_000,
      default: 60_000,
      description: "How long a run waits for another run's repair of the same event",
    }),
    RECONCILER_LAG_WAIT_MS: Type.Integer({
      minimum: 0,
      maximum: 600_000,
      default: 30_000,
      description: "How long to wait for the projector to reach Redis' sequence before reporting the zone as lagging",
    }),
    RECONCILER_LAG_POLL_MS: Type.Integer({
      minimum: 10,
      maximum: 60_000,
      default: 500,
      description: "How often PostgreSQL is read again while waiting for the projector",
    }),
    RECONCILER_PROJECTOR_GROUP_ID: Type.String({
      minLength: 1,
      default: "projector",
      description: "The projector's consumer group, whose lag a rebuild waits out first",
    }),
    RECONCILER_FENCE_REPLICAS: Type.Integer({
      minimum: 0,
      maximum: 5,
      default: 1,
      description: "Replicas that must acknowledge a new fencing token before the holder writes",
    }),
  },
  (values) => ({
    mode: values.RECONCILER_MODE,
    intervalMs: values.RECONCILER_INTERVAL_MS,
    eventIds: values.RECONCILER_EVENT_IDS ? values.RECONCILER_EVENT_IDS.split(",") : undefined,
    lock: { ttlMs: values.RECONCILER_LOCK_TTL_MS, waitMs: values.RECONCILER_LOCK_WAIT_MS },
    lagWaitMs: values.RECONCILER_LAG_WAIT_MS,
    lagPollMs: values.RECONCILER_LAG_POLL_MS,
    fenceReplicas: values.RECONCILER_FENCE_REPLICAS,
    projectorGroupId: values.RECONCILER_PROJECTOR_GROUP_ID,
  }),
);

export type ReconcilerConfig = ReturnType<typeof reconcilerSettings.shape>;
