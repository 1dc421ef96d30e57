/**
 * The developer loop on the local cluster (issue 13, "The developer loop"): skaffold (scripts/skaffold,
 * built from the Go module proxy) deploys the chart with the profile `local-cluster` and the service
 * image built and imported by scripts/images (skaffold builds nothing: no Docker engine, no
 * registry), waits for every Deployment through its own status check, and `skaffold delete` removes
 * the release again. Run from the host by scripts/test-cluster/run after uninstall.cluster.ts, when
 * the namespace is empty; skaffold.yaml names the release and its namespace (booking-rush).
 */
import { afterAll, expect, test } from "bun:test";
import { join } from "node:path";
import { eventually } from "@booking-rush/test-support/eventually";
import { root, run } from "./support/release";

const skaffoldRelease = { name: "booking-rush", namespace: "booking-rush" };
const skaffold = (...args: string[]) => run(["bash", join(root, "scripts/skaffold"), ...args], { timeoutMs: 900_000 });
const kubectl = (...args: string[]) => run([process.env.CLUSTER_KUBECTL ?? "kubectl", "--namespace", skaffoldRelease.namespace, ...args]);

/** The service image scripts/images built and the runner imported: `<name> <reference> <archive>` lines. */
function serviceImage(): string {
  const listed = run(["bash", join(root, "scripts/images"), "list"]);
  if (listed.code !== 0) throw new Error(`scripts/images list: ${listed.stderr}`);
  const line = listed.stdout.split("\n").find((row) => row.startsWith("booking-rush "));
  if (!line) throw new Error(`scripts/images lists no service image: ${listed.stdout}`);
  return line.split(/\s+/)[1]!;
}

afterAll(() => {
  // Whatever happened above, the release goes (the runner's `cluster down` follows anyway).
  skaffold("delete", "-p", "local-cluster");
});

test("skaffold deploy -p local-cluster rolls the chart out with the local image; skaffold delete removes it", async () => {
  const image = serviceImage();
  const deployed = skaffold("deploy", "-p", "local-cluster", "--images", `booking-rush=${image}`, "--status-check=true");
  if (deployed.code !== 0) throw new Error(`skaffold deploy exited ${deployed.code}: ${deployed.stderr.slice(-3000)}`);
  const said = `${deployed.stdout}\n${deployed.stderr}`.split("\n").filter((line) => /stabiliz|deploy/i.test(line));
  console.log(`[cluster] skaffold deploy -p local-cluster: ${said.slice(-3).join(" | ")}`);

  // Every Deployment of the release at its desired replicas, each service container on the local image.
  type Deployment = {
    metadata: { name: string };
    spec: { replicas: number; template: { spec: { containers: { image: string }[] } } };
    status: { readyReplicas?: number };
  };
  const listed = kubectl("get", "deployments", "--selector", `app.kubernetes.io/instance=${skaffoldRelease.name}`, "--output", "json");
  expect(listed.code).toBe(0);
  const deployments = (JSON.parse(listed.stdout) as { items: Deployment[] }).items;
  expect(deployments.length).toBeGreaterThan(10);
  const notReady = deployments.filter((item) => (item.status.readyReplicas ?? 0) < item.spec.replicas).map((item) => item.metadata.name);
  expect(notReady).toEqual([]);
  const booking = deployments.find((item) => item.metadata.name === `${skaffoldRelease.name}-booking`);
  expect(booking?.spec.template.spec.containers[0]?.image).toBe(image);

  const ready = run([
    "bash",
    join(root, "scripts/cluster"),
    "exec",
    "--",
    "curl",
    "-s",
    "-o",
    "/dev/null",
    "-w",
    "%{http_code}",
    `http://${skaffoldRelease.name}-booking.${skaffoldRelease.namespace}/readyz`,
  ]);
  expect(ready.stdout.trim()).toBe("200");

  const deleted = skaffold("delete", "-p", "local-cluster");
  expect(deleted.code).toBe(0);
  await eventually(
    () => {
      const pods = kubectl("get", "pods", "--selector", `app.kubernetes.io/instance=${skaffoldRelease.name}`, "--output", "name");
      if (pods.code !== 0) throw new Error(pods.stderr);
      if (pods.stdout.trim() !== "") throw new Error(`pods left: ${pods.stdout.trim().split("\n").join(", ")}`);
    },
    { timeoutMs: 180_000, intervalMs: 1_000 },
  );
}, 1_200_000);
