import { Elysia } from "elysia";
import type { Metrics } from "../metrics";

const startedAt = new WeakMap<Request, number>();

/**
 * http_requests_total and http_request_duration_seconds labelled by route template (`/bookings/:id`),
 * never the raw path, so label cardinality stays bounded whatever ids callers send.
 */
export const httpMetricsPlugin = (metrics: Metrics) =>
  new Elysia({ name: "kernel.http-metrics" })
    .onRequest(({ request }) => {
      startedAt.set(request, performance.now());
    })
    .onAfterResponse({ as: "global" }, ({ request, route, set }) => {
      const started = startedAt.get(request);
      const labels = {
        method: request.method,
        // An unmatched request has no template; its path is caller-chosen and must not become a label.
        route: route || "unmatched",
        status: String(set.status ?? 200),
      };
      metrics.httpRequests.inc(labels);
      if (started !== undefined) metrics.httpRequestDuration.observe(labels, (performance.now() - started) / 1000);
    })
    .get(
      "/metrics",
      async ({ set }) => {
        set.headers["content-type"] = metrics.registry.contentType;
        return metrics.registry.metrics();
      },
      { detail: { hide: true } },
    );
