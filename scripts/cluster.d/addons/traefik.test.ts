/**
 * Traefik as built here from the Go module proxy (scripts/go-tools traefik) runs with the add-on's
 * own flags: out of a cluster, against the real API server of the Lease tests (scripts/kube-apiserver),
 * it takes the chart's CI Ingress (class traefik, host booking-rush.cluster.test), writes the
 * Ingress's status, and routes each /api/v1 path and the web app's pages by the Host header to the service the Ingress names;
 * another host gets Traefik's 404. There is no pod network here, so each of the release's Services
 * is an ExternalName to 127.0.0.1 on the port of a stand-in HTTP server that answers with its
 * service's name (the flags added: ExternalName Services allowed, this test's namespace only, the
 * API server's address and token). Only loopback is used.
 * Needs KUBE_TEST_API_URL, KUBE_TEST_CA_FILE and KUBE_TEST_TOKEN (scripts/test sets them).
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { eventually } from "@booking-rush/test-support/eventually";
import { freePort } from "@booking-rush/test-support/free-port";
import { parseAllDocuments, stringify } from "yaml";
import { goTool, required, root, run, writeTestKubeconfig } from "./test-support";

const work = mkdtempSync(join(tmpdir(), "traefik-test-"));
const kubeconfig = join(work, "kubeconfig");
const namespace = "traefik-smoke";
const host = "booking-rush.cluster.test";
const services = ["auth", "catalog", "booking", "payment", "web"] as const;

let kubectlPath = "";
const kubectl = (args: string[], stdin?: string) => run([kubectlPath, ...args], { KUBECONFIG: kubeconfig }, stdin);
const mustKubectl = (args: string[], stdin?: string) => {
  const result = kubectl(args, stdin);
  if (result.code !== 0) throw new Error(`kubectl ${args.join(" ")}: ${result.stderr}`);
  return result.stdout;
};

// biome-ignore lint/suspicious/noExplicitAny: Kubernetes objects as rendered
const parseObjects = (text: string): any[] =>
  parseAllDocuments(text)
    .map((document) => document.toJS())
    .filter(Boolean);

/** What a run creates in the namespace (an interrupted run's too): a status or port left over would pass or fail for nothing. */
function removeObjects() {
  mustKubectl(["delete", "ingress", "ci-api", "--namespace", namespace, "--ignore-not-found"]);
  mustKubectl(["delete", "service", ...services.map((service) => `ci-${service}`), "--namespace", namespace, "--ignore-not-found"]);
}

let traefik: ReturnType<typeof Bun.spawn> | undefined;
const backends: ReturnType<typeof Bun.serve>[] = [];
let web = 0;
let ping = 0;

beforeAll(async () => {
  const token = writeTestKubeconfig(kubeconfig);
  kubectlPath = goTool("kubectl");
  const binary = goTool("traefik");
  const rendered = run(["bash", join(root, "scripts/cluster-addons"), "render", "traefik"]);
  if (rendered.code !== 0) throw new Error(`cluster-addons render traefik: ${rendered.stderr}`);
  const objects = parseObjects(rendered.stdout);
  const ingressClass = objects.find((object) => object.kind === "IngressClass");
  const args: string[] = objects.find((object) => object.kind === "Deployment").spec.template.spec.containers[0].args;

  // Kept between runs: without a controller manager a deleted namespace never goes away.
  if (kubectl(["get", "namespace", namespace]).code !== 0) mustKubectl(["create", "namespace", namespace]);
  removeObjects();
  mustKubectl(["apply", "-f", "-"], stringify(ingressClass));
  // A stand-in per service, answering with its name; its Service an ExternalName to it.
  for (const service of services) {
    const server = Bun.serve({
      hostname: "127.0.0.1",
      port: 0,
      fetch: (request) => Response.json({ service, path: new URL(request.url).pathname, host: request.headers.get("host") }),
    });
    backends.push(server);
    mustKubectl(
      ["apply", "--namespace", namespace, "-f", "-"],
      stringify({
        apiVersion: "v1",
        kind: "Service",
        metadata: { name: `ci-${service}` },
        spec: { type: "ExternalName", externalName: "127.0.0.1", ports: [{ name: "http", port: server.port }] },
      }),
    );
  }
  const ingress = run([
    "bash",
    join(root, "scripts/helm"),
    "template",
    "ci",
    join(root, "charts/booking-rush"),
    "-f",
    join(root, "charts/booking-rush/values-kind.yaml"),
    "-f",
    join(root, "charts/booking-rush/values-ci.yaml"),
    "--show-only",
    "templates/ingress.yaml",
  ]);
  if (ingress.code !== 0) throw new Error(`helm template: ${ingress.stderr}`);
  mustKubectl(["apply", "--namespace", namespace, "-f", "-"], ingress.stdout);

  web = freePort();
  ping = freePort();
  const local = args.map((arg) =>
    arg
      .replace(/^--entrypoints\.web\.address=:8000$/, `--entrypoints.web.address=127.0.0.1:${web}`)
      .replace(/^--entrypoints\.traefik\.address=:8080$/, `--entrypoints.traefik.address=127.0.0.1:${ping}`),
  );
  expect(local).toContain(`--entrypoints.web.address=127.0.0.1:${web}`);
  expect(local).toContain(`--entrypoints.traefik.address=127.0.0.1:${ping}`);
  traefik = Bun.spawn(
    [
      binary,
      ...local,
      `--providers.kubernetesingress.endpoint=${required("KUBE_TEST_API_URL")}`,
      `--providers.kubernetesingress.token=${token}`,
      `--providers.kubernetesingress.certauthfilepath=${required("KUBE_TEST_CA_FILE")}`,
      "--providers.kubernetesingress.allowexternalnameservices=true",
      // The API server is shared with other tests: only this test's namespace.
      `--providers.kubernetesingress.namespaces=${namespace}`,
    ],
    { stdout: Bun.file(join(work, "traefik.log")), stderr: Bun.file(join(work, "traefik.err.log")), env: { PATH: process.env.PATH ?? "" } },
  );
}, 120_000);

afterAll(async () => {
  if (traefik) {
    traefik.kill("SIGTERM");
    await Promise.race([traefik.exited, Bun.sleep(10_000)]);
    if (traefik.exitCode === null) traefik.kill("SIGKILL");
  }
  for (const server of backends) server.stop(true);
  removeObjects();
  kubectl(["delete", "ingressclass", "traefik"]);
  rmSync(work, { recursive: true, force: true });
});

const through = (path: string, hostHeader = host) =>
  fetch(`http://127.0.0.1:${web}${path}`, { headers: { host: hostHeader }, signal: AbortSignal.timeout(5_000) });

test("Traefik takes the CI Ingress: its status names the Service, ping answers", async () => {
  const status = await eventually(
    () => {
      const hostname = mustKubectl([
        "get",
        "ingress",
        "ci-api",
        "--namespace",
        namespace,
        "-o",
        "jsonpath={.status.loadBalancer.ingress[0].hostname}",
      ]);
      if (!hostname) throw new Error("no status yet");
      return hostname;
    },
    { timeoutMs: 60_000, intervalMs: 500 },
  );
  expect(status).toBe("traefik.traefik.svc.cluster.local");
  // Traefik answers 404 on its ping entry point until the ping handler is up: wait for the 200.
  const pong = await eventually(
    async () => {
      const answer = await fetch(`http://127.0.0.1:${ping}/ping`);
      if (answer.status !== 200) throw new Error(`ping: ${answer.status}`);
      return answer;
    },
    { timeoutMs: 30_000, intervalMs: 250 },
  );
  expect(pong.status).toBe(200);
}, 90_000);

test("each /api/v1 path and each web page goes to the service the Ingress names, by the Host header; another host gets Traefik's 404", async () => {
  const expected: Record<string, string> = {
    "/api/v1/auth/login": "auth",
    "/api/v1/admin/users/x/role": "auth",
    "/api/v1/events/x/shows": "catalog",
    "/api/v1/shows/x/zones": "catalog",
    "/api/v1/categories": "catalog",
    "/api/v1/bookings/reserve": "booking",
    "/api/v1/admin/inventory-status": "booking",
    "/api/v1/payments/x": "payment",
    "/": "web",
    "/events/x": "web",
    "/assets/main-0a1b2c3d.js": "web",
  };
  // Routers appear once Traefik has read the Services too: the first path may still be a 404.
  await eventually(
    async () => {
      const answer = await through("/api/v1/payments/x");
      if (answer.status !== 200) throw new Error(`${answer.status}`);
    },
    { timeoutMs: 30_000, intervalMs: 250 },
  );
  const routed: Record<string, string> = {};
  for (const path of Object.keys(expected)) {
    const answer = await through(path);
    const text = await answer.text();
    if (answer.status !== 200) throw new Error(`${path}: ${answer.status} ${text}`);
    const body = JSON.parse(text) as { service: string; path: string; host: string };
    expect(body.path).toBe(path);
    expect(body.host).toBe(host);
    routed[path] = body.service;
  }
  expect(routed).toEqual(expected);
  const elsewhere = await through("/api/v1/events", "not-booking-rush.cluster.test");
  expect(elsewhere.status).toBe(404);
  expect(await elsewhere.text()).toBe("404 page not found\n");
  const outside = await through("/metrics");
  expect(outside.status).toBe(404);
}, 60_000);
