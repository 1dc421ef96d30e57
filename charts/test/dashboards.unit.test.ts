// biome-ignore-all lint/suspicious/noTemplateCurlyInString: `${datasource}` is the dashboards' Grafana variable, not a template literal
/**
 * The Grafana dashboards shipped with the chart: their shape, and that every metric their queries
 * select is one the code registers (names read from the code's own metrics factories, see
 * support/metric-names.ts). Needs no server.
 */
import { describe, expect, test } from "bun:test";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { freshMetrics, registeredNames, selectableNames } from "./support/metric-names";
import { metricNamesIn, unknownMetrics } from "./support/promql";

const dashboardsDir = join(import.meta.dir, "..", "booking-rush", "dashboards");
const datasource = { type: "prometheus", uid: "${datasource}" };

type Target = { refId?: string; expr?: unknown; datasource?: unknown };
type Panel = {
  id?: number;
  type?: string;
  title?: string;
  datasource?: unknown;
  gridPos?: { h: number; w: number; x: number; y: number };
  targets?: Target[];
};
type Variable = { name?: string; type?: string; query?: unknown; definition?: string };
type Dashboard = {
  uid?: string;
  title?: string;
  schemaVersion?: number;
  tags?: string[];
  panels?: Panel[];
  templating?: { list?: Variable[] };
};

const files = readdirSync(dashboardsDir)
  .filter((file) => file.endsWith(".json"))
  .sort();
const dashboards = files.map((file) => ({ file, dashboard: JSON.parse(readFileSync(join(dashboardsDir, file), "utf8")) as Dashboard }));

describe("the PromQL metric checker", () => {
  test("finds the metric and nothing else: not functions, label names, by lists, durations or variables", () => {
    expect(
      metricNamesIn(
        'histogram_quantile(0.99, sum by (service, route, le) (rate(http_request_duration_seconds_bucket{service=~"$service", status!="500"}[$__rate_interval])))',
      ),
    ).toEqual(["http_request_duration_seconds_bucket"]);
    expect(metricNamesIn("sum(rate(a_total[5m] offset 1h)) by (group) / on (group) group_left (topic) max without (instance) (b)")).toEqual(
      ["a_total", "b"],
    );
    expect(metricNamesIn('(sum(x{s=~"5.."}) or vector(0)) / scalar(y) > bool 0 and time() - z')).toEqual(["x", "y", "z"]);
    expect(metricNamesIn('{__name__="by_name"}[1h30m:1m]')).toEqual(["by_name"]);
  });

  test("reports a metric the code does not register", () => {
    expect(unknownMetrics("rate(not_a_metric_total[5m])", selectableNames)).toEqual(["not_a_metric_total"]);
    // The reservation-failure counter is registered without a _total suffix.
    expect(unknownMetrics("sum by (code) (rate(booking_reservation_failures_total[5m]))", selectableNames)).toEqual([
      "booking_reservation_failures_total",
    ]);
    expect(unknownMetrics("sum by (code) (rate(booking_reservation_failures[5m]))", selectableNames)).toEqual([]);
  });

  test("refuses what it cannot read", () => {
    expect(() => metricNamesIn("rat(http_requests_total[5m])")).toThrow('unknown function "rat"');
    expect(() => metricNamesIn("sum(rate(http_requests_total[5m])")).toThrow("unbalanced");
    expect(() => metricNamesIn("http_requests_total ; 1")).toThrow("cannot read");
  });
});

describe("the metric registry read from the code", () => {
  test("holds the default process metrics, every factory's metrics and histogram series", () => {
    for (const name of [
      "process_cpu_seconds_total",
      "process_resident_memory_bytes",
      "http_requests_total",
      "http_request_duration_seconds_bucket",
      "booking_reservations_total",
      "kafka_consumer_lag",
      "db_connections_active",
      "inventory_discrepancy",
      "auth_logins_total",
      "catalog_cache_lookups_total",
      "notifications_sent_total",
      "projector_batch_duration_seconds_count",
      "outbox_lag_entries",
      "booking_saga_results_total",
      "redis_memory_used_bytes",
      "redis_memory_max_bytes",
      "metrics_sample_age_seconds",
      "projector_last_applied_timestamp_seconds",
      "reconciler_last_success_timestamp_seconds",
      // Exported by the booking service from what the reconciler leaves in Redis, and the live stock.
      "reconciler_runs_total",
      "reconciler_zones_total",
      "inventory_seats",
    ])
      expect(selectableNames.has(name)).toBe(true);
    expect(new Set(registeredNames).size).toBe(registeredNames.length);
  });

  test('on a fresh registry the labelled outcome counters are at 0 for every known label value, so panels show 0 and not "No data"', async () => {
    // Scraping reads no dependency: every I/O-backed value is sampled in the background.
    const text = await freshMetrics.registry.metrics();
    const zero = (name: string, labels: string) =>
      text.split("\n").some((line) => line.startsWith(`${name}{${labels},`) && line.endsWith(" 0"));
    const expected: [string, string[]][] = [
      [
        "payment_outcomes_total",
        ["succeeded", "failed", "already_done", "unknown_payment", "refunded", "refund_after_charge", "nothing_to_refund"],
      ],
      ["booking_saga_results_total", ["confirmed", "released", "expired", "already_closed", "ignored"]],
      ["booking_reservations_total", ["reserved", "replayed", "rejected"]],
      ["notification_events_total", ["sent", "duplicate", "dead_lettered"]],
      ["projector_events_total", ["applied", "duplicate", "rejected"]],
      // Not reconciler_runs_total: the booking service shows Redis' count, so it has no series
      // before its first sample (0 then the count would read as that many runs at once), and every
      // known result from that sample on (services/booking/test/stock-metrics.test.ts).
    ];
    const missing = expected.flatMap(([name, results]) =>
      results.filter((result) => !zero(name, `result="${result}"`)).map((result) => `${name}{result="${result}"}`),
    );
    // Counters of another label: the notification panels by template and by failure reason.
    const byLabel: [string, string, string[]][] = [
      [
        "notifications_sent_total",
        "template",
        ["booking-confirmed", "booking-expired", "booking-promoted", "waitlist-closed", "payment-failed", "payment-refunded"],
      ],
      [
        "notification_failures_total",
        "reason",
        ["not_json", "invalid_event", "unknown_user", "smtp_rejected", "smtp_unavailable", "retries_exhausted", "infrastructure"],
      ],
      // The live-sales panels: money by currency, and the waitlist's events as the relay delivers them.
      ["payment_revenue_minor_units_total", "currency", ["THB"]],
      ["payment_refunds_minor_units_total", "currency", ["THB"]],
      [
        "outbox_relayed_total",
        "topic",
        ["booking.created", "booking.confirmed", "booking.waitlisted", "booking.promoted", "booking.waitlist_closed"],
      ],
    ];
    for (const [name, label, values] of byLabel)
      missing.push(...values.filter((value) => !zero(name, `${label}="${value}"`)).map((value) => `${name}{${label}="${value}"}`));
    expect(missing).toEqual([]);
    // And the check can fail: a label value nobody initialises is not there.
    expect(zero("payment_outcomes_total", 'result="no_such_result"')).toBe(false);
  });
});

describe("dashboards", () => {
  test("the four dashboards are there, with unique uids and titles", () => {
    expect(files).toEqual(["booking.json", "infrastructure.json", "payment.json", "system-overview.json"]);
    const uids = dashboards.map(({ dashboard }) => dashboard.uid);
    const titles = dashboards.map(({ dashboard }) => dashboard.title);
    expect(new Set(uids).size).toBe(uids.length);
    expect(new Set(titles).size).toBe(titles.length);
  });

  for (const { file, dashboard } of dashboards) {
    describe(file, () => {
      const panels = dashboard.panels ?? [];

      test("has a uid, a title, the booking-rush tag and a Prometheus data source variable", () => {
        expect(dashboard.uid).toMatch(/^[A-Za-z0-9_-]{1,40}$/);
        expect(typeof dashboard.title).toBe("string");
        expect(dashboard.title!.length).toBeGreaterThan(0);
        expect(dashboard.schemaVersion).toBe(39);
        expect(dashboard.tags).toContain("booking-rush");
        const variable = dashboard.templating?.list?.find((entry) => entry.name === "datasource");
        expect(variable).toMatchObject({ type: "datasource", query: "prometheus" });
      });

      test("has at least 3 panels, each on ${datasource} with a place on the grid that no other panel takes", () => {
        expect(panels.length).toBeGreaterThanOrEqual(3);
        const ids = panels.map((panel) => panel.id);
        expect(new Set(ids).size).toBe(ids.length);
        for (const panel of panels) {
          expect(["timeseries", "stat", "table", "text"]).toContain(panel.type!);
          expect(panel.title?.length ?? 0).toBeGreaterThan(0);
          expect(panel.datasource).toEqual(datasource);
          const grid = panel.gridPos!;
          expect(grid).toBeDefined();
          for (const value of [grid.h, grid.w, grid.x, grid.y]) expect(Number.isInteger(value) && value >= 0).toBe(true);
          expect(grid.w).toBeGreaterThan(0);
          expect(grid.h).toBeGreaterThan(0);
          expect(grid.x + grid.w).toBeLessThanOrEqual(24);
        }
        const overlaps = panels.flatMap((a, i) =>
          panels
            .slice(i + 1)
            .filter((b) => {
              const [p, q] = [a.gridPos!, b.gridPos!];
              return p.x < q.x + q.w && q.x < p.x + p.w && p.y < q.y + q.h && q.y < p.y + p.h;
            })
            .map((b) => `${a.title} / ${b.title}`),
        );
        expect(overlaps).toEqual([]);
      });

      test("every query panel has targets, each with an expr (and any target data source is ${datasource})", () => {
        for (const panel of panels.filter((entry) => entry.type !== "text")) {
          expect(panel.targets?.length ?? 0).toBeGreaterThan(0);
          const refIds = panel.targets!.map((target) => target.refId);
          expect(new Set(refIds).size).toBe(refIds.length);
          for (const target of panel.targets!) {
            expect(typeof target.expr).toBe("string");
            expect((target.expr as string).trim().length).toBeGreaterThan(0);
            if (target.datasource !== undefined) expect(target.datasource).toEqual(datasource);
          }
        }
      });

      test("every metric a query selects is registered by the code", () => {
        const unknown = panels.flatMap((panel) =>
          (panel.targets ?? []).flatMap((target) =>
            unknownMetrics(String(target.expr), selectableNames).map((name) => `${panel.title}: ${name}`),
          ),
        );
        const variables = (dashboard.templating?.list ?? []).filter((variable) => variable.type === "query");
        for (const variable of variables) {
          const query =
            typeof variable.query === "string" ? variable.query : ((variable.query as { query?: string } | undefined)?.query ?? "");
          const labelValues = /^label_values\(\s*([A-Za-z_:][A-Za-z0-9_:]*)\s*,/.exec(query);
          if (labelValues) unknown.push(...(selectableNames.has(labelValues[1]!) ? [] : [`variable ${variable.name}: ${labelValues[1]}`]));
          else unknown.push(...unknownMetrics(query, selectableNames).map((name) => `variable ${variable.name}: ${name}`));
        }
        expect(unknown).toEqual([]);
      });

      test("every query selects at least one metric", () => {
        const empty = panels.flatMap((panel) =>
          (panel.targets ?? []).filter((target) => metricNamesIn(String(target.expr)).length === 0).map(() => panel.title),
        );
        expect(empty).toEqual([]);
      });
    });
  }
});
