/**
 * The release under test on the local cluster (scripts/test-cluster/run installs it): kubectl and
 * helm against it, and the public API through its Services, called by name from inside the
 * cluster's network namespace exactly as a pod would (the runner starts the tests with
 * `scripts/cluster exec`, whose resolver is the cluster's CoreDNS).
 */
import { join } from "node:path";
import { type RunOptions, root, runCommand } from "../support";

export { root };

/** A command to its end, killed after 2 minutes unless told otherwise. */
export const run = (command: string[], options: RunOptions = {}) => runCommand(command, { timeoutMs: 120_000, ...options });

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run the cluster tests with scripts/test-cluster/run`);
  return value;
}

/** What the runner exports: the release, its namespace, the tools, and the helm arguments it installed with. */
export const release = {
  name: required("CLUSTER_RELEASE"),
  namespace: required("CLUSTER_NAMESPACE"),
  kubectl: required("CLUSTER_KUBECTL"),
  helm: required("CLUSTER_HELM"),
  /** The chart and values arguments of `helm install`, one per line (an upgrade repeats them). */
  chartArgs: required("CLUSTER_HELM_CHART_ARGS").split("\n").filter(Boolean),
};

function checked(command: string[], options?: RunOptions): string {
  const result = run(command, options);
  if (result.code !== 0)
    throw new Error(`${command.slice(0, 4).join(" ")} … exited ${result.code}: ${result.stderr.trim() || result.stdout.trim()}`);
  return result.stdout;
}

/** kubectl in the release's namespace. */
export const kubectl = (args: string[], options?: RunOptions) =>
  checked([release.kubectl, "--namespace", release.namespace, ...args], options);

export const kubectlJson = <T>(args: string[]): T => JSON.parse(kubectl([...args, "--output", "json"])) as T;

export const helm = (args: string[], options?: { timeoutMs?: number }) =>
  checked([release.helm, "--namespace", release.namespace, ...args], options);

/** The release's settings as its pods see them: its ConfigMap and Secret. */
export function releaseSettings(): Record<string, string> {
  const config = kubectlJson<{ data: Record<string, string> }>(["get", "configmap", `${release.name}-config`]).data;
  const secret = kubectlJson<{ data: Record<string, string> }>(["get", "secret", `${release.name}-secrets`]).data;
  const decoded = Object.fromEntries(Object.entries(secret).map(([key, value]) => [key, Buffer.from(value, "base64").toString()]));
  return { ...config, ...decoded };
}

/** A Service of the release by its cluster DNS name (port 80 for the services, as the chart renders them). */
export const serviceUrl = (service: string, port?: number) =>
  `http://${release.name}-${service}.${release.namespace}.svc.cluster.local${port ? `:${port}` : ""}`;

/**
 * The release's Ingress as a client reaches it: the address its status names (written by the
 * Ingress controller that took it: Traefik's Service, scripts/cluster-addons install traefik) and
 * the host of its rule, sent as the Host header. Throws while no controller has written a status.
 */
export function ingressEntry(): { kind: "ingress"; url: string; host: string; className: string } {
  const ingress = kubectlJson<{
    spec: { ingressClassName: string; rules: { host: string }[] };
    status: { loadBalancer?: { ingress?: { hostname?: string; ip?: string }[] } };
  }>(["get", "ingress", `${release.name}-api`]);
  const endpoint = ingress.status.loadBalancer?.ingress?.[0];
  const address = endpoint?.hostname || endpoint?.ip;
  if (!address) throw new Error(`no controller has taken the Ingress ${release.name}-api (class ${ingress.spec.ingressClassName}) yet`);
  const host = ingress.spec.rules[0]?.host;
  if (!host) throw new Error(`the Ingress ${release.name}-api has no host`);
  return { kind: "ingress", url: `http://${address}`, host, className: ingress.spec.ingressClassName };
}

export type Demo = {
  organizer: { email: string; password: string };
  admin: { email: string; password: string };
  event_id: string;
  show_id: string;
  zones: Record<string, string>;
};

/**
 * The demo tenant, organizer, admin and event (scripts/seed.ts, idempotent) written into the
 * release's own PostgreSQL and Redis with the release's own settings, as an operator seeds a fresh
 * install. Its output names the credentials and ids.
 */
export function seedDemo(): Demo {
  const seeded = run([join(root, "scripts/bun"), "run", "scripts/seed.ts"], { env: releaseSettings() });
  if (seeded.code !== 0) throw new Error(`seed failed: ${seeded.stderr}`);
  return JSON.parse(seeded.stdout.slice(seeded.stdout.indexOf("{"))) as Demo;
}
