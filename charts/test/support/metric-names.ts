/**
 * Every metric name the code can expose on /metrics, read from the code itself: each metrics
 * factory of every process is instantiated on one fresh prom-client registry and the registry is
 * asked for its metrics. Nothing is scraped (`registry.metrics()` is never called): the gauges
 * that read Redis, Kafka or PostgreSQL do so only in their `collect()`, at scrape time, so the
 * clients they take are stubs that are never touched.
 */
import { createAuthMetrics } from "../../../services/auth/src/auth-metrics.ts";
import { createBookingMetrics } from "../../../services/booking/src/booking-metrics.ts";
import { createExpiryMetrics, createOutboxMetrics } from "../../../services/booking/src/worker-metrics.ts";
import { createCatalogMetrics } from "../../../services/catalog/src/catalog-metrics.ts";
import { registerConsumerLag } from "../../../services/lib/src/clients/kafka-lag.ts";
import { registerDbConnectionMetrics } from "../../../services/lib/src/clients/postgres.ts";
import { createMetrics, Histogram } from "../../../services/lib/src/metrics.ts";
import { createReconcilerMetrics } from "../../../services/lib/src/reconciliation/reconciler-metrics.ts";
import { createNotificationMetrics } from "../../../services/notification/src/notification-metrics.ts";
import { createPaymentMetrics } from "../../../services/payment/src/payment-metrics.ts";
import { createProjectorMetrics } from "../../../services/projector/src/projector-metrics.ts";

/** Stands in for a Redis or Kafka client: only a scrape would use it, and none happens here. */
const unusedClient = {} as never;

/**
 * Defined inline in services/booking/payment-saga.ts (the process entry point, which starts the
 * saga when imported), so listed by hand; the test checks that file still names them.
 */
export const handListedCounters = ["booking_saga_results_total", "booking_saga_failures_total"] as const;
export const handListedSource = "services/booking/payment-saga.ts";

function registeredMetrics() {
  // createMetrics also turns on prom-client's default process_* / nodejs_* metrics.
  const metrics = createMetrics("dashboards-test");
  createAuthMetrics(metrics);
  createCatalogMetrics(metrics);
  createBookingMetrics(metrics, unusedClient);
  createExpiryMetrics(metrics);
  createOutboxMetrics(metrics, unusedClient);
  createPaymentMetrics(metrics);
  createProjectorMetrics(metrics);
  createNotificationMetrics(metrics);
  createReconcilerMetrics(metrics);
  registerDbConnectionMetrics(metrics);
  registerConsumerLag(metrics, unusedClient, "dashboards-test", []);
  return metrics.registry.getMetricsAsArray();
}

const registered = registeredMetrics();

/** Base names as registered, e.g. `http_request_duration_seconds`. */
export const registeredNames: readonly string[] = [...registered.map((metric) => metric.name), ...handListedCounters];

/**
 * Names a PromQL query can select: every registered name, plus `_bucket`, `_sum` and `_count`
 * for histograms (the series Prometheus actually stores for them).
 */
export const selectableNames: ReadonlySet<string> = new Set([
  ...handListedCounters,
  ...registered.flatMap((metric) =>
    metric instanceof Histogram ? [metric.name, `${metric.name}_bucket`, `${metric.name}_sum`, `${metric.name}_count`] : [metric.name],
  ),
]);
