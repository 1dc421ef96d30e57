/**
 * Every metric name the code can expose on /metrics, read from the code itself: each metrics
 * factory of every process is instantiated on one fresh prom-client registry and the registry is
 * asked for its metrics. Nothing is scraped (`registry.metrics()` is never called). The gauges
 * that read Redis, Kafka or PostgreSQL do so in background samplers: their first sample fails on
 * the stub clients (and is only counted as not refreshed), and every sampler is stopped at once.
 */
import { createAuthMetrics } from "../../../services/auth/src/auth-metrics.ts";
import { createBookingMetrics } from "../../../services/booking/src/booking-metrics.ts";
import { createExpiryMetrics, createOutboxMetrics, createSagaMetrics } from "../../../services/booking/src/worker-metrics.ts";
import { createCatalogMetrics } from "../../../services/catalog/src/catalog-metrics.ts";
import { registerConsumerLag } from "../../../services/lib/src/clients/kafka-lag.ts";
import { registerDbConnectionMetrics } from "../../../services/lib/src/clients/postgres.ts";
import { createMetrics, Histogram } from "../../../services/lib/src/metrics.ts";
import { createNotificationMetrics } from "../../../services/notification/src/notification-metrics.ts";
import { createPaymentMetrics } from "../../../services/payment/src/payment-metrics.ts";
import { createProjectorMetrics } from "../../../services/projector/src/projector-metrics.ts";

/** Stands in for a Redis or Kafka client: only a background sample would use it, and it fails harmlessly. */
const unusedClient = {} as never;

function registeredMetrics() {
  // createMetrics also turns on prom-client's default process_* / nodejs_* metrics.
  const metrics = createMetrics("dashboards-test");
  createAuthMetrics(metrics);
  createCatalogMetrics(metrics);
  // Also the reconciler's outcomes and the live stock, which the booking service exports from Redis.
  createBookingMetrics(metrics, { redis: unusedClient, db: unusedClient });
  createExpiryMetrics(metrics);
  createOutboxMetrics(metrics, unusedClient);
  createSagaMetrics(metrics);
  createPaymentMetrics(metrics);
  createProjectorMetrics(metrics);
  createNotificationMetrics(metrics);
  registerDbConnectionMetrics(metrics);
  registerConsumerLag(metrics, unusedClient, "dashboards-test", []);
  metrics.stopSampling();
  return metrics;
}

/** A fresh registry holding every metric of every process, nothing observed yet. */
export const freshMetrics = registeredMetrics();
const registered = freshMetrics.registry.getMetricsAsArray();

/** Base names as registered, e.g. `http_request_duration_seconds`. */
export const registeredNames: readonly string[] = registered.map((metric) => metric.name);

/**
 * Names a PromQL query can select: every registered name, plus `_bucket`, `_sum` and `_count`
 * for histograms (the series Prometheus actually stores for them).
 */
export const selectableNames: ReadonlySet<string> = new Set([
  ...registered.flatMap((metric) =>
    metric instanceof Histogram ? [metric.name, `${metric.name}_bucket`, `${metric.name}_sum`, `${metric.name}_count`] : [metric.name],
  ),
]);
