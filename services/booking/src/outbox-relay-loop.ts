/**
 * The relay's loop: passes back to back while there is work, a short pause when every outbox is
 * empty, a growing back-off while Kafka or Redis is down. A heartbeat renews the leases on its own
 * timer, so a send that hangs on an unreachable broker does not hand the event to another relay.
 */

import { hostname } from "node:os";
import { createLuaScripts, type Kafka, luaDirectory, type Redis, readLuaScripts } from "@booking-rush/lib/clients";
import type { KafkaConfig } from "@booking-rush/lib/config";
import type { Logger } from "@booking-rush/lib/observability";
import { startWorkerLoop } from "@booking-rush/lib/process";
import { createOutboxRelay } from "./outbox-relay-pass";
import type { OutboxRelayConfig } from "./settings";
import type { createOutboxMetrics } from "./worker-metrics";

export interface OutboxRelayLoopDependencies {
  redis: Redis;
  kafka: Kafka;
  logger: Logger;
  metrics: ReturnType<typeof createOutboxMetrics>;
}

export function startOutboxRelay(
  { redis, kafka, logger, metrics }: OutboxRelayLoopDependencies,
  config: OutboxRelayConfig & { topics: KafkaConfig["topics"] },
) {
  const relay = createOutboxRelay(
    {
      redis,
      kafka,
      logger,
      scripts: createLuaScripts(redis, readLuaScripts(luaDirectory)),
      onDelivered: (topic, count) => metrics.relayed.inc({ topic }, count),
    },
    { ...config, consumerName: config.consumerName ?? `${hostname()}-${process.pid}` },
  );
  const loop = startWorkerLoop({
    name: "outbox relay",
    logger,
    intervalMs: config.pollIntervalMs,
    whileBusy: true,
    onFailure: () => metrics.failures.inc(),
    step: () => relay.step(),
  });
  const heartbeat = setInterval(
    () => {
      relay.renewLeases().catch((error: Error) => logger.warn("outbox lease renewal failed", { error: error.message }));
    },
    Math.floor(config.leaseMs / 3),
  );
  logger.info("outbox relay started", { consumer: relay.consumerName });
  return {
    relay,
    loop,
    async stop() {
      await loop.stop();
      clearInterval(heartbeat);
      await relay.close();
    },
  };
}
