/**
 * The release's scaling objects for real (issue 13, "Scaling objects for real"). scripts/test-cluster/run
 * runs this file from the host after installing the add-ons (`scripts/cluster-addons install
 * metrics-server keda`) and upgrading the release with values-ci-scaling.yaml on top of the CI profile:
 * - every HPA of the release reads its CPU metric through metrics-server: `kubectl get hpa` shows a
 *   current utilisation, not <unknown>, and the HPA says ScalingActive;
 * - every ScaledObject of the release is Ready per KEDA, its Active condition is evaluated (True or
 *   False, not Unknown), and the HPA KEDA made for it reads the lag through the external metrics API.
 * The flash-sale TestRun under the k6-operator is not here: the operator cannot be built (the Go module
 * proxy answers 403 for github.com/grafana/k6-operator) and no k6 runner image is built (go.k6.io/k6
 * is AGPL-3.0); docs/cluster.md says how to run loadtest/run-testrun.sh on a cluster that has both.
 * Reads from the environment: KUBECONFIG, CLUSTER_RELEASE, CLUSTER_NAMESPACE (as the runner sets them).
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { eventually } from "@booking-rush/test-support/eventually";
import { helm, kubectlJson, release, root, run } from "./support/release";

type Condition = { type: string; status: string; reason?: string; message?: string };
const condition = (object: { status?: { conditions?: Condition[] } }, type: string) =>
  object.status?.conditions?.find((c) => c.type === type);
const namespace = release.namespace;
/** kubectl against the whole cluster (the APIServices are not namespaced). */
const kubectl = (...args: string[]) => run([release.kubectl, ...args]);
// biome-ignore lint/suspicious/noExplicitAny: Kubernetes objects as kubectl prints them
const getJson = (...args: string[]) => kubectlJson<{ items: any[] }>(["get", ...args]);

beforeAll(() => {
  // The add-ons (built once, imported, applied, waited for until Available), then the release with
  // its autoscalers on: the CI profile's values plus values-ci-scaling.yaml.
  // Each add-on may take up to 8 min on a loaded machine (metrics-server is ready after its first scrape).
  const addons = run(["bash", join(root, "scripts/cluster-addons"), "install", "metrics-server", "keda"], {
    timeoutMs: 1_080_000,
    env: { CLUSTER_ADDONS_WAIT_SECONDS: "480" },
  });
  if (addons.code !== 0) throw new Error(`scripts/cluster-addons install metrics-server keda: ${addons.stderr.slice(-6000)}`);
  helm(
    ["upgrade", release.name, ...release.chartArgs, "--values", "charts/booking-rush/values-ci-scaling.yaml", "--wait", "--timeout", "10m"],
    { timeoutMs: 660_000 },
  );
}, 1_800_000);

// An aggregated API that is not served blocks every namespace deletion (the namespace controller
// must list all APIs): if the add-ons did not come up, they go, so the uninstall after this file
// is not held up by them.
afterAll(() => {
  const unserved = ["v1beta1.metrics.k8s.io", "v1beta1.external.metrics.k8s.io"].filter((name) => {
    const found = kubectl("get", `apiservice/${name}`, "-o", "json");
    return found.code === 0 && condition(JSON.parse(found.stdout), "Available")?.status !== "True";
  });
  if (unserved.length === 0) return;
  console.log(`[cluster] APIServices not Available (${unserved.join(", ")}): removing keda and metrics-server`);
  run(["bash", join(root, "scripts/cluster-addons"), "remove", "keda", "metrics-server"], { timeoutMs: 600_000 });
}, 700_000);

const selector = `app.kubernetes.io/instance=${release.name}`;
type Hpa = { metadata: { name: string; ownerReferences?: { kind: string }[] } };
/** The release's own CPU HPAs; KEDA's (owned by a ScaledObject, carrying its labels) are checked with the ScaledObjects. */
// biome-ignore lint/suspicious/noExplicitAny: Kubernetes objects as kubectl prints them
const cpuHpas = (): any[] =>
  getJson("hpa", "-l", selector).items.filter((hpa: Hpa) => !hpa.metadata.ownerReferences?.some((owner) => owner.kind === "ScaledObject"));

describe("the release's scaling objects", () => {
  test("the metrics APIs are served: metrics-server's and KEDA's APIServices are Available", () => {
    for (const name of ["v1beta1.metrics.k8s.io", "v1beta1.external.metrics.k8s.io"]) {
      const found = kubectl("get", `apiservice/${name}`, "-o", "json");
      if (found.code !== 0) throw new Error(`APIService ${name} is missing: bash scripts/cluster-addons install metrics-server keda`);
      expect({ name, available: condition(JSON.parse(found.stdout), "Available")?.status }).toEqual({ name, available: "True" });
    }
  });

  test("every HPA reads its pods' CPU through metrics-server: a current utilisation, not <unknown>", async () => {
    const hpas = cpuHpas();
    expect(hpas.map((hpa: { metadata: { name: string } }) => hpa.metadata.name).sort()).toEqual(
      ["auth", "booking", "catalog", "payment"].map((service) => `${release.name}-${service}`),
    );
    // metrics-server scrapes every 15 s and the HPA controller syncs every 15 s.
    await eventually(
      () => {
        const problems: string[] = [];
        for (const hpa of cpuHpas()) {
          const cpu = (hpa.status?.currentMetrics ?? []).find(
            (metric: { type: string; resource?: { name: string } }) => metric.type === "Resource" && metric.resource?.name === "cpu",
          );
          const active = condition(hpa, "ScalingActive");
          if (typeof cpu?.resource?.current?.averageUtilization !== "number") problems.push(`${hpa.metadata.name}: no CPU utilisation`);
          if (active?.status !== "True") problems.push(`${hpa.metadata.name}: ScalingActive ${active?.status} (${active?.message})`);
        }
        if (problems.length > 0) throw new Error(problems.join("; "));
      },
      { timeoutMs: 240_000, intervalMs: 2_000 },
    );
    const table = kubectl("get", "hpa", "-n", namespace, ...cpuHpas().map((hpa: Hpa) => hpa.metadata.name));
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/cpu: \d+%\/\d+%/);
    expect(table.stdout).not.toContain("<unknown>");
    console.log(`[cluster] HPAs on CPU through metrics-server:\n${table.stdout.trimEnd()}`);
  }, 300_000);

  test("every ScaledObject is Ready per KEDA, its Active condition evaluated, its HPA reading the lag", async () => {
    const scaled = getJson("scaledobject", "-l", selector).items;
    expect(scaled.map((object: { metadata: { name: string } }) => object.metadata.name).sort()).toEqual(
      ["notification", "payment-saga", "payment-worker", "projector"].map((service) => `${release.name}-${service}`),
    );
    await eventually(
      () => {
        const problems: string[] = [];
        for (const object of getJson("scaledobject", "-l", selector).items) {
          const name = object.metadata.name;
          const ready = condition(object, "Ready");
          const active = condition(object, "Active");
          if (ready?.status !== "True") problems.push(`${name}: Ready ${ready?.status} (${ready?.message})`);
          if (active?.status !== "True" && active?.status !== "False")
            problems.push(`${name}: Active ${active?.status} (${active?.message})`);
          const hpaName = object.status?.hpaName ?? `keda-hpa-${name}`;
          const hpa = kubectl("get", "hpa", hpaName, "-n", namespace, "-o", "json");
          if (hpa.code !== 0) {
            problems.push(`${name}: no HPA ${hpaName}`);
            continue;
          }
          const external = (JSON.parse(hpa.stdout).status?.currentMetrics ?? []).filter(
            (metric: { type: string }) => metric.type === "External",
          );
          if (external.length !== object.spec.triggers.length)
            problems.push(`${name}: ${external.length} of ${object.spec.triggers.length} external metrics read`);
        }
        if (problems.length > 0) throw new Error(problems.join("; "));
      },
      { timeoutMs: 240_000, intervalMs: 2_000 },
    );
    const table = kubectl("get", "scaledobject", "-n", namespace, "-l", selector);
    console.log(`[cluster] ScaledObjects on Kafka lag through KEDA:\n${table.stdout.trimEnd()}`);
  }, 300_000);
});
