/**
 * Observability where it runs (issue 13, section 7), on the release release.cluster.ts exercised:
 * the in-release Prometheus scrapes every pod of the release, every alert rule evaluates without
 * error, every dashboard query returns series after the purchases (a failure lists the ones that do
 * not), and BookingRushLowStock fires on a zone taken below 10% and clears when the seats come back.
 */
import { describe, expect, test } from "bun:test";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { eventually } from "@booking-rush/test-support/eventually";
import { expectStatus, logIn, newBuyer, publishedZone, send } from "./support/api";
import { kubectlJson, root, seedDemo, serviceUrl } from "./support/release";

const prometheus = serviceUrl("prometheus", 9090);
const log = (message: string) => console.log(`[cluster] ${message}`);

async function prometheusApi<T>(path: string): Promise<T> {
  const answer = (await (await fetch(`${prometheus}/api/v1/${path}`, { signal: AbortSignal.timeout(15_000) })).json()) as {
    status: string;
    data: T;
    error?: string;
  };
  if (answer.status !== "success") throw new Error(`prometheus ${path}: ${answer.error}`);
  return answer.data;
}

const query = (expr: string) => prometheusApi<{ result: unknown[] }>(`query?query=${encodeURIComponent(expr)}`).then((data) => data.result);

/** Grafana's variables as a dashboard opened with its defaults would fill them. */
function withVariables(expr: string): string {
  return expr
    .replaceAll("$__rate_interval", "1m")
    .replaceAll("$service", ".*")
    .replaceAll("$payment_group", "payment")
    .replaceAll("$notification_group", "notification");
}

type Dashboard = { title: string; panels: { title: string; targets?: { expr?: string }[] }[] };

describe("the in-release Prometheus", () => {
  test("scrapes every pod of the release, and every target is up", async () => {
    // The pods that should be targets, read again on every try: an upgrade's old pods go away.
    const annotatedPods = () =>
      kubectlJson<{
        items: {
          metadata: { name: string; deletionTimestamp?: string; annotations?: Record<string, string> };
          status: { phase: string };
        }[];
      }>(["get", "pods"]).items.filter(
        (pod) =>
          pod.metadata.annotations?.["prometheus.io/scrape"] === "true" &&
          pod.status.phase === "Running" &&
          !pod.metadata.deletionTimestamp,
      );
    const { targets, pods } = await eventually(
      async () => {
        const pods = annotatedPods();
        const active = (
          await prometheusApi<{ activeTargets: { labels: Record<string, string>; health: string; lastError: string }[] }>(
            "targets?state=active",
          )
        ).activeTargets;
        const byPod = new Map(active.map((target) => [target.labels.pod, target]));
        const missing = pods
          .filter((pod) => byPod.get(pod.metadata.name)?.health !== "up")
          .map((pod) => `${pod.metadata.name}: ${byPod.get(pod.metadata.name)?.lastError || "not a target yet"}`);
        const down = active.filter((target) => target.health === "down").map((target) => `${target.labels.pod}: ${target.lastError}`);
        if (missing.length || down.length) throw new Error(`not scraped: ${[...missing, ...down].join("; ")}`);
        return { targets: active, pods };
      },
      { timeoutMs: 120_000, intervalMs: 2_000 },
    );
    expect(pods.length).toBeGreaterThan(10);
    log(`prometheus: ${targets.length} active targets, every one up, every one of the ${pods.length} annotated pods among them`);
  });

  test("every alert rule evaluates without error", async () => {
    const groups = await eventually(
      async () => {
        const rules = (
          await prometheusApi<{
            groups: { name: string; rules: { name: string; health: string; lastError?: string; lastEvaluation: string }[] }[];
          }>("rules")
        ).groups;
        const notYet = rules.flatMap((group) => group.rules).filter((rule) => rule.lastEvaluation.startsWith("0001-"));
        if (notYet.length) throw new Error(`not evaluated yet: ${notYet.map((rule) => rule.name).join(", ")}`);
        return rules;
      },
      { timeoutMs: 60_000, intervalMs: 2_000 },
    );
    const rules = groups.flatMap((group) => group.rules);
    expect(rules.length).toBeGreaterThan(5);
    expect(rules.filter((rule) => rule.health !== "ok").map((rule) => `${rule.name}: ${rule.lastError}`)).toEqual([]);
  });

  test("every dashboard query returns series after the purchases", async () => {
    const dir = join(root, "charts/booking-rush/dashboards");
    const dashboards = readdirSync(dir)
      .filter((file) => file.endsWith(".json"))
      .map((file) => JSON.parse(readFileSync(join(dir, file), "utf8")) as Dashboard);
    const queries = dashboards.flatMap((dashboard) =>
      dashboard.panels.flatMap((panel) =>
        (panel.targets ?? [])
          .filter((target) => target.expr)
          .map((target) => ({ where: `${dashboard.title} / ${panel.title}`, expr: withVariables(target.expr!) })),
      ),
    );
    expect(queries.length).toBeGreaterThan(20);
    const empty: string[] = [];
    for (const { where, expr } of queries) {
      // A panel that shows only what crosses a line ("zones out of sync: … > 0") is empty when all
      // is well: its series are the ones under the comparison.
      const series = expr.replace(/\s*(>|<|>=|<=|==|!=)\s*[0-9.]+\s*$/, "");
      if ((await query(series)).length === 0) empty.push(`${where}: ${series}`);
    }
    log(`dashboards: ${queries.length - empty.length} of ${queries.length} queries return series`);
    expect(empty).toEqual([]);
  });
});

describe("BookingRushLowStock", () => {
  test("fires on a zone taken below 10% and clears when the seats come back", async () => {
    const demo = seedDemo();
    const organizer = await logIn(demo.organizer.email, demo.organizer.password);
    const zone = await publishedZone(organizer, 20, "Low stock");
    const buyers = await Promise.all(Array.from({ length: 5 }, (_, index) => newBuyer(`low-stock-${index}`)));
    const holds: { token: string; bookingId: string }[] = [];
    for (const buyer of buyers) {
      const quantity = holds.length === 16 ? 3 : 4;
      const hold = expectStatus(
        await send("booking", "POST", "/bookings/reserve", {
          token: buyer.token,
          idempotencyKey: crypto.randomUUID(),
          body: { show_id: zone.showId, zone_id: zone.zoneId, quantity },
        }),
        201,
        "reserve",
      ).data;
      for (let seat = 0; seat < quantity; seat++) holds.push({ token: buyer.token, bookingId: hold.booking_id });
    }
    expect(holds.length).toBe(19);
    const alertFor = async (state: "firing" | "absent") => {
      const alerts = (await prometheusApi<{ alerts: { labels: Record<string, string>; state: string }[] }>("alerts")).alerts.filter(
        (alert) => alert.labels.alertname === "BookingRushLowStock" && alert.labels.zone === zone.zoneId,
      );
      if (state === "firing" && !alerts.some((alert) => alert.state === "firing"))
        throw new Error(`LowStock for the zone: ${JSON.stringify(alerts)}`);
      if (state === "absent" && alerts.length > 0) throw new Error(`LowStock still ${alerts.map((alert) => alert.state).join(",")}`);
    };
    const started = Date.now();
    await eventually(() => alertFor("firing"), { timeoutMs: 240_000, intervalMs: 3_000 });
    log(`LowStock fired ${Math.round((Date.now() - started) / 1000)} s after the zone fell to 1 of 20 seats`);
    for (const bookingId of new Set(holds.map((hold) => hold.bookingId))) {
      const token = holds.find((hold) => hold.bookingId === bookingId)!.token;
      expectStatus(
        await send("booking", "POST", `/bookings/${bookingId}/cancel`, { token, idempotencyKey: crypto.randomUUID() }),
        200,
        "cancel",
      );
    }
    const cleared = Date.now();
    await eventually(() => alertFor("absent"), { timeoutMs: 180_000, intervalMs: 3_000 });
    log(`LowStock cleared ${Math.round((Date.now() - cleared) / 1000)} s after the seats came back`);
  });
});
