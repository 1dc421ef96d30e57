/** The real outbox relay and expiry sweeper on the local stack, as their entrypoints wire them. */

import { startOutboxRelay } from "@booking-rush/booking/outbox-relay-loop";
import { type OutboxRelayConfig, outboxRelaySettings } from "@booking-rush/booking/settings";
import { createOutboxMetrics } from "@booking-rush/booking/worker-metrics";
import { createKafka, type Redis } from "@booking-rush/lib/clients";
import { loadConfig } from "@booking-rush/lib/config";
import { createMetrics, type Metrics } from "@booking-rush/lib/observability";
import { stackConfig, testLogger } from "./stack-config";

export const testKafka = createKafka(stackConfig.kafka, testLogger, "booking-test");

const relayDefaults = loadConfig({ relay: outboxRelaySettings }, {}).relay;

export function startTestRelay(redis: Redis, overrides: Partial<OutboxRelayConfig> = {}) {
  const metrics = createMetrics("relay-test");
  const worker = startOutboxRelay(
    { redis, kafka: testKafka, logger: testLogger, metrics: createOutboxMetrics(metrics, redis) },
    {
      ...relayDefaults,
      topics: stackConfig.kafka.topics,
      pollIntervalMs: 20,
      consumerName: `test-relay-${crypto.randomUUID()}`,
      ...overrides,
    },
  );
  return { ...worker, metrics };
}

/** The value of one sample in a registry's text exposition (summed over its label sets). */
export async function metricValue(metrics: Metrics, name: string): Promise<number> {
  const text = await metrics.registry.metrics();
  return text
    .split("\n")
    .filter((line) => line.startsWith(`${name}{`) || line.startsWith(`${name} `))
    .reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(" ") + 1)), 0);
}

export { stack } from "./stack";
