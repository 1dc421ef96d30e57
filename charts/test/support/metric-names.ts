/**
 * Every metric name the code can expose on /metrics, read from the code itself: each metrics
 * factory of every process is instantiated on one fresh prom-client registry and the registry is
 * asked for its metrics. Nothing is scraped (`registry.metrics()` is never called). The gauges
 * that read Redis, Kafka or PostgreSQL do so in background samplers: their first sample fails on
 * the stub clients (and is only counted as not refreshed), and every sampler is stopped at once.
 */
import { createAuthMetrics } from "@booking-rush/auth/auth-metrics";
import { createBookingMetrics } from "@booking-rush/booking/booking-metrics";
import { createQueueMetrics } from "@booking-rush/booking/queue-metrics";
import { createExpiryMetrics, createOutboxMetrics, createSagaMetrics } from "@booking-rush/booking/worker-metrics";
import { createCatalogMetrics } from "@booking-rush/catalog/catalog-metrics";
import { registerConsumerLag, registerDbConnectionMetrics } from "@booking-rush/lib/clients";
import { createMetrics, Histogram } from "@booking-rush/lib/observability";
import { createNotificationMetrics } from "@booking-rush/notification/notification-metrics";
import { createPaymentMetrics } from "@booking-rush/payment/payment-metrics";
import { createProjectorMetrics } from "@booking-rush/projector/projector-metrics";

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
  createQueueMetrics(metrics);
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
