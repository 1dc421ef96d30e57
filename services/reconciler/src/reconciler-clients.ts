/**
 * The reconciler's clients and dependencies, built once from config: the reconciler's own process
 * and the booking service's admin endpoints (inventory status, sync) use the same.
 */
import {
  closeRedis,
  consumerLag,
  createDurableScripts,
  createKafka,
  createLocks,
  createPostgres,
  createRedis,
  luaDirectory,
  readLuaScripts,
} from "@booking-rush/lib/clients";
import type { KafkaConfig, PostgresConfig, RedisConfig, RedlockConfig } from "@booking-rush/lib/config";
import { bookingTopics } from "@booking-rush/lib/contracts";
import type { Logger } from "@booking-rush/lib/observability";
import { projectorConsumer } from "@booking-rush/projector/booking-rows";
import { createDiscrepancyPublisher } from "./discrepancy-publisher";
import type { ReconcileDependencies, ReconcileOptions } from "./reconcile";
import type { ReconcilerConfig } from "./reconciler-settings";

export interface ReconcilerServiceConfig {
  redis: RedisConfig;
  redlock: RedlockConfig;
  postgres: PostgresConfig;
  kafka: KafkaConfig;
  reconciler: ReconcilerConfig;
  booking: { recordTtlSeconds: number; holdMs: number };
}

/**
 * An event's discrepancy stays exported for three passes of the loop, and at least 15 minutes (the
 * chart's CronJob runs every minute; its schedule is not known here): long enough never to vanish
 * between two passes, short enough that an event no longer reconciled leaves the dashboards.
 */
const discrepancyTtlSeconds = (intervalMs: number) => Math.max(900, Math.ceil((3 * intervalMs) / 1000));

export function createReconciler(config: ReconcilerServiceConfig, logger: Logger) {
  const redis = createRedis(config.redis, logger, "reconciler");
  const postgres = createPostgres(config.postgres, logger);
  const scripts = createDurableScripts(config.redis, logger, readLuaScripts(luaDirectory), {
    connections: 1,
    replicas: config.reconciler.fenceReplicas,
    waitTimeoutMs: 1_000,
  });
  const locks = createLocks(config.redlock, redis, logger);
  const kafka = createKafka(config.kafka, logger, "reconciler");
  const publisher = createDiscrepancyPublisher(kafka, config.kafka.topics, logger, crypto.randomUUID());
  const dependencies: ReconcileDependencies = { db: postgres.db, redis, scripts, locks, publisher, logger };
  const options: ReconcileOptions & { eventIds?: string[] } = {
    lock: config.reconciler.lock,
    lagWaitMs: config.reconciler.lagWaitMs,
    lagPollMs: config.reconciler.lagPollMs,
    fenceReplicas: config.reconciler.fenceReplicas,
    recordTtlSeconds: config.booking.recordTtlSeconds,
    holdMs: config.booking.holdMs,
    discrepancyTtlSeconds: discrepancyTtlSeconds(config.reconciler.intervalMs),
    projectorConsumer,
    projectorLag: async () =>
      [...(await consumerLag(kafka, config.reconciler.projectorGroupId, bookingTopics)).values()].reduce((sum, lag) => sum + lag, 0),
    ...(config.reconciler.eventIds ? { eventIds: config.reconciler.eventIds } : {}),
  };
  return {
    dependencies,
    options,
    kafka,
    postgres,
    async close() {
      await publisher.close();
      await locks.close();
      await scripts.close();
      await closeRedis(redis);
      await postgres.close();
    },
  };
}
