/**
 * The alert rules as the chart renders them, checked by Prometheus' own promtool (Debian's
 * `prometheus` package, installed by scripts/stack): every rule file passes `promtool check rules`,
 * and `promtool test rules` replays series through each alert that matters: it fires on what it
 * is about, stays quiet on what it is not, and clears when the cause goes away.
 */
import { beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseAllDocuments, stringify } from "yaml";

const root = `${import.meta.dir}/../..`;
const chart = `${root}/charts/booking-rush`;
const work = mkdtempSync(join(tmpdir(), "alert-rules-"));
const run = (command: string[]) => {
  const result = Bun.spawnSync(command, { cwd: work, stdout: "pipe", stderr: "pipe" });
  return { code: result.exitCode, stdout: result.stdout.toString(), output: result.stdout.toString() + result.stderr.toString() };
};

type Rule = { alert: string; expr: string; annotations: { summary: string } };
// biome-ignore lint/suspicious/noExplicitAny: rendered Kubernetes objects of every kind
type RenderedObject = any;
type RuleGroups = { groups: { name: string; rules: Rule[] }[] };
let operatorRules: RuleGroups;
let inReleaseRules: string;

beforeAll(() => {
  expect(run(["promtool", "--version"]).code).toBe(0);
  const dependencies = run([`${root}/scripts/helm`, "dependency", "build", chart]);
  if (dependencies.code !== 0) throw new Error(dependencies.output);
  const render = (...args: string[]) => {
    const output = run([`${root}/scripts/helm`, "template", "booking-rush", chart, "--namespace", "booking-rush", ...args]);
    if (output.code !== 0) throw new Error(output.output);
    return parseAllDocuments(output.stdout)
      .map((document) => document.toJS() as RenderedObject)
      .filter(Boolean);
  };
  const rule = render().find((object) => object.kind === "PrometheusRule");
  operatorRules = rule.spec as RuleGroups;
  writeFileSync(join(work, "rules.yml"), stringify(operatorRules));
  // The in-release Prometheus' rule file (no operator): the same rules, as its ConfigMap carries them.
  const configMap = render("--set", "dependencies.prometheus.enabled=true", "--set", "alerts.prometheusOperator=false").find(
    (object) => object.kind === "ConfigMap" && object.metadata.name === "booking-rush-prometheus",
  );
  inReleaseRules = configMap.data["alerts.yml"];
  writeFileSync(join(work, "in-release.yml"), inReleaseRules);
}, 300_000);

const summaryOf = (alert: string) =>
  operatorRules.groups.flatMap((group) => group.rules).find((rule) => rule.alert === alert)!.annotations.summary;
/** The summary as Prometheus fills it in: `{{ $labels.x }}` replaced by the alert's label values. */
const filled = (alert: string, labels: Record<string, string>) =>
  summaryOf(alert).replace(/\{\{ \$labels\.(\w+) \}\}/g, (_, name: string) => labels[name] ?? "");

type Series = { series: string; values: string };
type Expectation = { at: string; firing: Record<string, string>[] };

/** Runs one promtool unit test of `alert` over `series` (one sample a minute) and returns promtool's verdict. */
function unitTest(name: string, alert: string, series: Series[], expectations: Expectation[]) {
  const file = join(work, `${name}.test.yml`);
  writeFileSync(
    file,
    stringify({
      rule_files: ["rules.yml"],
      evaluation_interval: "1m",
      tests: [
        {
          interval: "1m",
          input_series: series,
          alert_rule_test: expectations.map(({ at, firing }) => ({
            eval_time: at,
            alertname: alert,
            exp_alerts: firing.map((labels) => ({ exp_labels: labels, exp_annotations: { summary: filled(alert, labels) } })),
          })),
        },
      ],
    }),
  );
  return run(["promtool", "test", "rules", file]);
}

describe("alert rules (promtool)", () => {
  test("every rule file the chart renders passes promtool check rules: the PrometheusRule's and the in-release Prometheus'", () => {
    const operator = run(["promtool", "check", "rules", "rules.yml"]);
    expect(operator.output).toContain("SUCCESS");
    expect(operator.code).toBe(0);
    const inRelease = run(["promtool", "check", "rules", "in-release.yml"]);
    expect(inRelease.output).toContain("SUCCESS");
    expect(inRelease.code).toBe(0);
    // The checker itself fails on a broken rule.
    writeFileSync(join(work, "broken.yml"), stringify({ groups: [{ name: "x", rules: [{ alert: "X", expr: "sum(rate(x[5m])" }] }] }));
    expect(run(["promtool", "check", "rules", "broken.yml"]).code).not.toBe(0);
  });

  test("a unit test that expects the wrong thing fails (the harness can fail)", () => {
    const result = unitTest(
      "harness",
      "BookingRushLowStock",
      [
        { series: 'inventory_seats{zone="A",state="total"}', values: "100x10" },
        { series: 'inventory_seats{zone="A",state="available"}', values: "100x10" },
      ],
      [{ at: "5m", firing: [{ severity: "warning", zone: "A" }] }],
    );
    expect(result.code, result.output).not.toBe(0);
  });

  /** The same series as every booking replica exports it (read from Redis alike), one copy per pod. */
  const fromBookingReplicas = (series: Series[]) =>
    ["booking-1", "booking-2"].flatMap((pod) =>
      series.map(({ series: selector, values }) => ({ series: selector.replace("}", `,service="booking",pod="${pod}"}`), values })),
    );

  test("LowStock fires when a zone goes below 10% of its seats, once per zone however many booking replicas export it, and clears when seats come back", () => {
    const result = unitTest(
      "low-stock",
      "BookingRushLowStock",
      fromBookingReplicas([
        // Zone A: 100 seats; 50 left, then 5 left for 5 minutes (sold), then 40 (holds expired).
        { series: 'inventory_seats{zone="A",state="total"}', values: "100x20" },
        { series: 'inventory_seats{zone="A",state="available"}', values: "50 50 5 5 5 5 5 40x13" },
        { series: 'inventory_seats{zone="A",state="sold"}', values: "50 50 95 95 95 95 95 60x13" },
        // Zone B: plenty left; zone C has no seats at all (not "low"); zone D: 2 of 50 left throughout.
        { series: 'inventory_seats{zone="B",state="total"}', values: "200x20" },
        { series: 'inventory_seats{zone="B",state="available"}', values: "150x20" },
        { series: 'inventory_seats{zone="C",state="total"}', values: "0x20" },
        { series: 'inventory_seats{zone="C",state="available"}', values: "0x20" },
        { series: 'inventory_seats{zone="D",state="total"}', values: "50x20" },
        { series: 'inventory_seats{zone="D",state="available"}', values: "2x20" },
      ]),
      [
        { at: "1m", firing: [{ severity: "warning", zone: "D" }] },
        // Exactly one alert per zone: promtool fails on any alert not listed (a second replica's copy).
        {
          at: "5m",
          firing: [
            { severity: "warning", zone: "A" },
            { severity: "warning", zone: "D" },
          ],
        },
        { at: "9m", firing: [{ severity: "warning", zone: "D" }] },
      ],
    );
    expect(result.code, result.output).toBe(0);
    // The check can fail: one alert per replica is not what the rule gives.
    const perReplica = unitTest(
      "low-stock-per-replica",
      "BookingRushLowStock",
      fromBookingReplicas([
        { series: 'inventory_seats{zone="D",state="total"}', values: "50x5" },
        { series: 'inventory_seats{zone="D",state="available"}', values: "2x5" },
      ]),
      [
        {
          at: "3m",
          firing: [
            { severity: "warning", zone: "D", pod: "booking-1" },
            { severity: "warning", zone: "D", pod: "booking-2" },
          ],
        },
      ],
    );
    expect(perReplica.code, perReplica.output).not.toBe(0);
  });

  test("InventoryDiscrepancy fires once per zone that disagrees, however many booking replicas export it, and clears when the next reconciliation finds it equal", () => {
    const result = unitTest(
      "discrepancy",
      "BookingRushInventoryDiscrepancy",
      fromBookingReplicas([
        // Zone X: equal, then 4 seats apart for 6 minutes, then repaired; zone Y always equal.
        { series: 'inventory_discrepancy{zone="X"}', values: "0 0 4 4 4 4 4 4 0x10" },
        { series: 'inventory_discrepancy{zone="Y"}', values: "0x18" },
      ]),
      [
        { at: "1m", firing: [] },
        // Pending for its first 2 minutes, then firing: one alert, not one per replica.
        { at: "3m", firing: [] },
        { at: "5m", firing: [{ severity: "critical", zone: "X" }] },
        { at: "10m", firing: [] },
      ],
    );
    expect(result.code, result.output).toBe(0);
  });

  test("HighLatency fires on slow user requests, never on slow /metrics, /healthz or /readyz", () => {
    // Per minute: 60 requests; le="0.5" holds them all (fast) or none (slow).
    const buckets = (route: string, fastUpTo: string, slow: boolean) => [
      { series: `http_request_duration_seconds_bucket{service="booking",route="${route}",le="0.1"}`, values: slow ? "0x30" : "0+60x30" },
      { series: `http_request_duration_seconds_bucket{service="booking",route="${route}",le="0.5"}`, values: slow ? "0x30" : "0+60x30" },
      { series: `http_request_duration_seconds_bucket{service="booking",route="${route}",le="${fastUpTo}"}`, values: "0+60x30" },
      { series: `http_request_duration_seconds_bucket{service="booking",route="${route}",le="+Inf"}`, values: "0+60x30" },
    ];
    const scrapesOnly = unitTest(
      "latency-scrapes",
      "BookingRushHighLatency",
      [
        ...buckets("/metrics", "5", true),
        ...buckets("/readyz", "2.5", true),
        ...buckets("/healthz", "2.5", true),
        ...buckets("/api/v1/bookings", "1", false),
      ],
      [{ at: "20m", firing: [] }],
    );
    expect(scrapesOnly.code, scrapesOnly.output).toBe(0);
    const slowUsers = unitTest(
      "latency-users",
      "BookingRushHighLatency",
      [...buckets("/metrics", "5", false), ...buckets("/api/v1/bookings", "1", true)],
      [{ at: "20m", firing: [{ severity: "warning", service: "booking" }] }],
    );
    expect(slowUsers.code, slowUsers.output).toBe(0);
  });

  test("HighErrorRate counts user requests only: a failing /readyz is not an error rate", () => {
    const result = unitTest(
      "error-rate",
      "BookingRushHighErrorRate",
      [
        { series: 'http_requests_total{service="booking",route="/readyz",status="503"}', values: "0+60x30" },
        { series: 'http_requests_total{service="booking",route="/api/v1/bookings",status="201"}', values: "0+600x30" },
        { series: 'http_requests_total{service="payment",route="/api/v1/payments",status="201"}', values: "0+100x30" },
        { series: 'http_requests_total{service="payment",route="/api/v1/payments",status="500"}', values: "0+10x30" },
      ],
      [{ at: "20m", firing: [{ severity: "critical", service: "payment" }] }],
    );
    expect(result.code, result.output).toBe(0);
  });

  test("RedisHighMemory fires above 80% of maxmemory, and not when Redis has no maxmemory", () => {
    const result = unitTest(
      "redis-memory",
      "BookingRushRedisHighMemory",
      [
        { series: 'redis_memory_used_bytes{service="booking",pod="booking-1"}', values: "500x5 900x20" },
        { series: 'redis_memory_max_bytes{service="booking",pod="booking-1"}', values: "1000x25" },
        { series: 'redis_memory_used_bytes{service="booking",pod="booking-2"}', values: "900x25" },
        { series: 'redis_memory_max_bytes{service="booking",pod="booking-2"}', values: "0x25" },
      ],
      [
        { at: "5m", firing: [] },
        { at: "15m", firing: [{ severity: "warning", service: "booking", pod: "booking-1" }] },
      ],
    );
    expect(result.code, result.output).toBe(0);
  });

  test("ReconcilerFailing fires when no run has succeeded for 15 minutes (CronJob or loop), and clears after a success", () => {
    // The last success (unix seconds) as booking pods export it: a run every minute until 10m, then only failures until 40m.
    const lastSuccess = `${Array.from({ length: 11 }, (_, minute) => minute * 60).join(" ")} 600x30 2460x10`;
    const result = unitTest(
      "reconciler",
      "BookingRushReconcilerFailing",
      [
        { series: 'reconciler_last_success_timestamp_seconds{service="booking",pod="booking-1"}', values: lastSuccess },
        // A replica that started later and has read nothing yet (0) does not hide the others' value.
        { series: 'reconciler_last_success_timestamp_seconds{service="booking",pod="booking-2"}', values: "0x50" },
      ],
      [
        { at: "10m", firing: [] },
        { at: "24m", firing: [] },
        { at: "35m", firing: [{ severity: "critical" }] },
        { at: "45m", firing: [] },
      ],
    );
    expect(result.code, result.output).toBe(0);
  });

  test("ProjectorStalled fires when the projector applies nothing while its lag grows, not while it applies or the lag is flat", () => {
    // Timestamps in seconds at each minute: applying every minute until 20m, then never again.
    const applied = `${Array.from({ length: 21 }, (_, minute) => minute * 60).join(" ")} 1200x40`;
    const result = unitTest(
      "projector",
      "BookingRushProjectorStalled",
      [
        { series: 'projector_last_applied_timestamp_seconds{service="projector",pod="projector-1"}', values: applied },
        // Lag flat at 5 until 40m (nothing to apply: not stalled), then growing.
        { series: 'kafka_consumer_lag{service="projector",group="projector",topic="booking.confirmed"}', values: "5x40 5+10x20" },
      ],
      [
        { at: "15m", firing: [] },
        { at: "38m", firing: [] },
        { at: "50m", firing: [{ severity: "critical" }] },
      ],
    );
    expect(result.code, result.output).toBe(0);
  });

  test("QueueAdmitterStalled fires when no admitter has stepped for minutes, not while one steps, and clears when one does again", () => {
    // A step stamp every minute until 20m, none until 40m, then every minute again.
    const stamps = `${Array.from({ length: 21 }, (_, minute) => minute * 60).join(" ")} 1200x19 ${Array.from({ length: 20 }, (_, minute) => (40 + minute) * 60).join(" ")}`;
    const result = unitTest(
      "queue-admitter",
      "BookingRushQueueAdmitterStalled",
      [{ series: 'queue_admitter_last_step_timestamp_seconds{service="queue-admitter",pod="queue-admitter-1"}', values: stamps }],
      [
        { at: "15m", firing: [] },
        { at: "21m", firing: [] },
        { at: "30m", firing: [{ severity: "critical" }] },
        { at: "45m", firing: [] },
      ],
    );
    expect(result.code, result.output).toBe(0);
  });

  test("NotificationsDeadLettering fires when most events are dead-lettered, not on a few", () => {
    const result = unitTest(
      "notification",
      "BookingRushNotificationsDeadLettering",
      [
        { series: 'notification_events_total{service="notification",result="sent"}', values: "0+100x20 2000+10x30" },
        { series: 'notification_events_total{service="notification",result="dead_lettered"}', values: "0+2x20 40+90x30" },
      ],
      [
        { at: "20m", firing: [] },
        { at: "45m", firing: [{ severity: "critical", service: "notification" }] },
      ],
    );
    expect(result.code, result.output).toBe(0);
  });

  test("MetricsStale fires when a background sample has not been refreshed for minutes", () => {
    const result = unitTest(
      "stale",
      "BookingRushMetricsStale",
      [{ series: 'metrics_sample_age_seconds{service="payment-worker",source="kafka_consumer_lag",pod="p-1"}', values: "5x10 60+60x20" }],
      [
        { at: "9m", firing: [] },
        { at: "20m", firing: [{ severity: "warning", service: "payment-worker", source: "kafka_consumer_lag" }] },
      ],
    );
    expect(result.code, result.output).toBe(0);
  });
});
