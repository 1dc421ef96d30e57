/**
 * `helm uninstall` of the release the other cluster tests used (run last by scripts/test-cluster/run):
 * it leaves no pod, no Job and no Service of the release behind. The StatefulSets' volume claims stay,
 * as Kubernetes keeps them on purpose (data outlives the release); they are listed, then removed
 * with the namespace so the next install starts empty.
 */
import { expect, test } from "bun:test";
import { eventually } from "@booking-rush/test-support/eventually";
import { helm, kubectl, kubectlJson, release } from "./support/release";

test("helm uninstall leaves no pod of the release", async () => {
  expect(kubectlJson<{ items: unknown[] }>(["get", "pods"]).items.length).toBeGreaterThan(0);
  helm(["uninstall", release.name, "--wait", "--timeout", "5m"], { timeoutMs: 330_000 });
  const left = await eventually(
    () => {
      const pods = kubectlJson<{ items: { metadata: { name: string } }[] }>(["get", "pods"]).items.map((pod) => pod.metadata.name);
      if (pods.length > 0) throw new Error(`pods left: ${pods.join(", ")}`);
      return kubectlJson<{ items: { kind: string; metadata: { name: string } }[] }>([
        "get",
        "deployments,statefulsets,cronjobs,jobs,services,configmaps,secrets",
      ]).items;
    },
    { timeoutMs: 180_000, intervalMs: 1_000 },
  );
  const ofRelease = left
    .filter((item) => item.metadata.name.startsWith(`${release.name}-`))
    .map((item) => `${item.kind}/${item.metadata.name}`);
  expect(ofRelease).toEqual([]);
  const claims = kubectlJson<{ items: { metadata: { name: string } }[] }>(["get", "persistentvolumeclaims"]).items.map(
    (claim) => claim.metadata.name,
  );
  console.log(`[cluster] helm uninstall: no pod left; volume claims kept by design: ${claims.join(", ") || "none"}`);
  kubectl(["delete", "namespace", release.namespace, "--wait", "--timeout=180s"], { timeoutMs: 200_000 });
});
