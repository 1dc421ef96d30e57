/**
 * The developer loop's skaffold.yaml, run through skaffold v2 itself (scripts/skaffold: built from the
 * Go module proxy, run in a network namespace with loopback only for these commands), offline:
 * - `skaffold render -p local-cluster --images booking-rush=<local image>` renders exactly what
 *   `helm template` renders with the same values and image (plus the namespace manifest), with the
 *   local image, never pulled, in every container of the service image;
 * - every port-forward (the APIs, the web app) names a Service of that rendering, on its port;
 * - `skaffold diagnose --yaml-only` parses the config and applies the profile (CI values, no Grafana
 *   port-forward); the plain `diagnose` needs the Dockerfile's base image from Docker Hub, which it
 *   cannot reach from there (and must not: it fails, not leaks).
 */
import { afterAll, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse, parseAllDocuments } from "yaml";

const root = join(import.meta.dir, "../..");
const chart = join(root, "charts/booking-rush");
const image = { repository: "booking-rush.local/booking-rush", tag: "skaffold-test" };
const work = mkdtempSync(join(tmpdir(), "skaffold-test-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

type Run = { code: number; stdout: string; stderr: string };
function run(command: string[]): Run {
  const result = Bun.spawnSync(command, { cwd: root, stdout: "pipe", stderr: "pipe" });
  return { code: result.exitCode, stdout: result.stdout.toString(), stderr: result.stderr.toString() };
}
const skaffold = (...args: string[]) => run(["bash", join(root, "scripts/skaffold"), ...args]);

// biome-ignore lint/suspicious/noExplicitAny: rendered Kubernetes objects of every kind
type K8sObject = { kind: string; metadata: { name: string }; spec?: any; [key: string]: any };
const parseObjects = (text: string) =>
  parseAllDocuments(text)
    .map((document) => document.toJS() as K8sObject | null)
    .filter((object): object is K8sObject => object !== null);
/** skaffold re-serialises the manifests: a block string may lose its leading newline. */
function normalised(value: unknown): unknown {
  if (typeof value === "string") return value.replace(/^\n+/, "");
  if (Array.isArray(value)) return value.map(normalised);
  if (value && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, normalised(v)]));
  return value;
}
const key = (object: K8sObject) => `${object.kind}/${object.metadata.name}`;

// Cold, the first call builds skaffold (docs/cluster.md lists the time); cached under .stack/tools after.
test("skaffold render -p local-cluster is the chart's CI rendering with the local image, offline", () => {
  const output = join(work, "rendered.yaml");
  const rendered = skaffold(
    "render",
    "-p",
    "local-cluster",
    "--images",
    `booking-rush=${image.repository}:${image.tag}`,
    "--digest-source=none",
    "--offline=true",
    "--output",
    output,
  );
  expect(rendered.stderr.trim()).toBe("");
  expect(rendered.code).toBe(0);
  const bySkaffold = parseObjects(readFileSync(output, "utf8"));

  expect(run(["bash", join(root, "scripts/helm"), "dependency", "build", chart]).code).toBe(0);
  const template = run([
    "bash",
    join(root, "scripts/helm"),
    "template",
    "booking-rush",
    chart,
    "--namespace",
    "booking-rush",
    "-f",
    join(chart, "values-kind.yaml"),
    "-f",
    join(chart, "values-ci.yaml"),
    "--set",
    `image.repository=${image.repository}`,
    "--set",
    `image.tag=${image.tag}`,
  ]);
  expect(template.code).toBe(0);
  const byHelm = parseObjects(template.stdout);
  const namespaceManifest = parse(readFileSync(join(root, "k8s/namespace.yaml"), "utf8"));

  expect(bySkaffold.map(key).sort()).toEqual([...byHelm, namespaceManifest].map(key).sort());
  const helmObjects = new Map(byHelm.map((object) => [key(object), object]));
  for (const object of bySkaffold.filter((o) => o.kind !== "Namespace")) {
    expect({ object: key(object), manifest: normalised(object) }).toEqual({
      object: key(object),
      manifest: normalised(helmObjects.get(key(object))),
    });
  }

  const containers = bySkaffold.flatMap((object) => {
    const pod = object.spec?.template?.spec ?? object.spec?.jobTemplate?.spec?.template?.spec;
    return pod ? [...(pod.initContainers ?? []), ...(pod.containers ?? [])] : [];
  });
  const ours = containers.filter((container: { image: string }) => container.image.startsWith(`${image.repository}:`));
  expect(ours.length).toBeGreaterThan(10);
  for (const container of ours) expect([container.image, container.imagePullPolicy]).toEqual([`${image.repository}:${image.tag}`, "Never"]);

  // Every port-forward of the developer loop names a Service the chart renders, on a port it has.
  const services = new Map(bySkaffold.filter((object) => object.kind === "Service").map((object) => [object.metadata.name, object]));
  const config = parse(readFileSync(join(root, "skaffold.yaml"), "utf8"));
  for (const forward of config.portForward as { resourceName: string; port: number }[]) {
    if (forward.resourceName.endsWith("-grafana")) continue; // not in the CI values (no Grafana here)
    const service = services.get(forward.resourceName);
    expect(service, forward.resourceName).toBeDefined();
    expect(
      service!.spec.ports.map((port: { port: number }) => port.port),
      forward.resourceName,
    ).toContain(forward.port);
  }
}, 900_000);

test("skaffold diagnose --yaml-only applies the local-cluster profile; plain diagnose cannot reach a registry", () => {
  const diagnosed = skaffold("diagnose", "-p", "local-cluster", "--yaml-only");
  expect(diagnosed.code).toBe(0);
  const effective = parse(diagnosed.stdout);
  expect(effective.build.local.push).toBe(false);
  const release = effective.deploy.helm.releases[0];
  expect(release.valuesFiles).toEqual([join(chart, "values-kind.yaml"), join(chart, "values-ci.yaml")]);
  expect(effective.portForward.map((forward: { resourceName: string }) => forward.resourceName)).toEqual([
    "booking-rush-booking",
    "booking-rush-catalog",
    "booking-rush-web",
  ]);
  // Each API and the web app on the port its process listens on (docs/architecture.md).
  expect(effective.portForward.map((forward: { localPort: number }) => forward.localPort)).toEqual([3003, 3002, 3005]);

  const offline = skaffold("diagnose", "-p", "local-cluster");
  expect(offline.code).not.toBe(0);
  expect(offline.stdout + offline.stderr).toContain("network is unreachable");
}, 300_000);
