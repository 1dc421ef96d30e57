/** The reconciler's clients and dependencies, built once from config. */
import {
  bookingTopics, closeRedis, consumerLag, createDurableScripts, createKafka, createLocks, createPostgres, createRedis, type KafkaConfig, type Logger, luaDirectory, type Metrics,
  type PostgresConfig, projectorConsumer, readLuaScripts, type RedisConfig, type RedlockConfig,
} from "@booking-rush/lib";
import { createDiscrepancyPublisher } from "./discrepancy-publisher";
import type { ReconcileDependencies, ReconcileOptions } from "./reconcile";
import { createReconcilerMetrics } from "./reconciler-metrics";
import type { ReconcilerConfig } from "./settings";

export interface ReconcilerServiceConfig {
  redis: RedisConfig;
  redlock: RedlockConfig;
  postgres: PostgresConfig;
  kafka: KafkaConfig;
  reconciler: ReconcilerConfig;
  booking: { recordTtlSeconds: number };
}

export function createReconciler(config: ReconcilerServiceConfig, logger: Logger, metrics: Metrics) {
  const redis = createRedis(config.redis, logger, "reconciler");
  const postgres = createPostgres(config.postgres, logger);
  const scripts = createDurableScripts(config.redis, logger, readLuaScripts(luaDirectory), { connections: 1, replicas: config.reconciler.fenceReplicas, waitTimeoutMs: 1_000 });
  const locks = createLocks(config.redlock, redis, logger);
  const kafka = createKafka(config.kafka, logger, "reconciler");
  const publisher = createDiscrepancyPublisher(kafka, config.kafka.topics, logger, crypto.randomUUID());
  const dependencies: ReconcileDependencies = { db: postgres.db, redis, scripts, locks, publisher, logger, metrics: createReconcilerMetrics(metrics) };
  const options: ReconcileOptions & { eventIds?: string[] } = {
    lock: config.reconciler.lock,
    lagWaitMs: config.reconciler.lagWaitMs,
    lagPollMs: config.reconciler.lagPollMs,
    fenceReplicas: config.reconciler.fenceReplicas,
    recordTtlSeconds: config.booking.recordTtlSeconds,
    projectorConsumer,
    projectorLag: async () => [...(await consumerLag(kafka, config.reconciler.projectorGroupId, bookingTopics)).values()].reduce((sum, lag) => sum + lag, 0),
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
