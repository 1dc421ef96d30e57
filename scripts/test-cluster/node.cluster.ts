/**
 * The local cluster runs pods (scripts/cluster, issue 13): inside the sealed namespace, a node
 * Ready with the version we built, pods from an image packed here (Debian's busybox-static through
 * scripts/oci-image.ts, loaded with `scripts/cluster import`), CoreDNS answering the cluster's names
 * and nothing else, a ClusterIP Service reaching another pod, the same Service by name from a
 * process started with `scripts/cluster exec`, and containment still proven afterwards.
 *
 * Runs as root, like the fence test. It uses a cluster that is up and leaves it up; when none is,
 * it brings one up and takes it down again at the end (so `scripts/bun test
 * scripts/test-cluster/node.cluster.ts` works either way). Its objects live in a namespace of its own,
 * deleted at the end. Every wait is a poll with a deadline.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { cluster, clusterEnv, goTool, root, run } from "./support";

const kubeVersion = "v1.33.13";
const settings = clusterEnv(["CLUSTER_NODE_NAME", "CLUSTER_DNS_IP", "CLUSTER_DOMAIN", "KUBECONFIG"] as const);
const domain = settings.CLUSTER_DOMAIN;
const namespace = `node-test-${process.pid}`;
const image = `booking-rush.local/busybox-test:${process.pid}`;
// What the web pod serves: only this test's pod can answer it.
const token = `hello-from-web-${crypto.randomUUID()}`;

const kubectlPath = goTool("kubectl");
const kubectl = (...args: string[]) => run(kubectlPath, "--kubeconfig", settings.KUBECONFIG, ...args);
const inPod = (pod: string, script: string) => kubectl("-n", namespace, "exec", pod, "--", "sh", "-c", script);
const httpGet = (host: string) => `printf 'GET / HTTP/1.0\\r\\n\\r\\n' | nc -w 5 ${host} 80`;

/** Polls until `check` returns a value (not undefined), or throws after `seconds`. */
async function waitFor<T>(what: string, seconds: number, check: () => T | undefined): Promise<T> {
  const deadline = Date.now() + seconds * 1000;
  let last: T | undefined;
  while (Date.now() < deadline) {
    last = check();
    if (last !== undefined) return last;
    await Bun.sleep(250);
  }
  throw new Error(`${what}: not within ${seconds} s`);
}

/** Debian's busybox-static (downloaded, not installed) as a one-layer image with its applets linked. */
function packBusybox(work: string): string {
  const download = Bun.spawnSync(["apt-get", "download", "busybox-static"], { cwd: work, stdout: "pipe", stderr: "pipe" });
  if (download.exitCode !== 0) throw new Error(`apt-get download busybox-static: ${download.stderr}`);
  const deb = readdirSync(work).find((name) => name.endsWith(".deb"));
  if (!deb) throw new Error("apt-get download left no .deb");
  const extracted = join(work, "deb");
  if (run("dpkg-deb", "-x", join(work, deb), extracted).code !== 0) throw new Error("dpkg-deb -x failed");
  const rootfs = join(work, "rootfs");
  mkdirSync(join(rootfs, "bin"), { recursive: true });
  mkdirSync(join(rootfs, "www"));
  copyFileSync(join(extracted, "bin/busybox"), join(rootfs, "bin/busybox"));
  const applets = run(join(rootfs, "bin/busybox"), "--list").stdout.trim().split("\n");
  for (const applet of applets) if (applet !== "busybox") symlinkSync("busybox", join(rootfs, "bin", applet));
  writeFileSync(join(rootfs, "www/index.html"), `${token}\n`);
  const archive = join(work, "busybox.tar");
  const pack = run(
    join(root, "scripts/bun"),
    "run",
    join(root, "scripts/oci-image.ts"),
    "--name",
    image,
    "--rootfs",
    rootfs,
    "--out",
    archive,
    "--entrypoint",
    '["/bin/sh"]',
  );
  if (pack.code !== 0) throw new Error(`oci-image.ts: ${pack.stderr}`);
  return archive;
}

const manifests = `
apiVersion: v1
kind: Namespace
metadata: {name: ${namespace}}
---
apiVersion: v1
kind: Pod
metadata: {name: web, namespace: ${namespace}, labels: {app: web}}
spec:
  terminationGracePeriodSeconds: 1
  containers:
    - {name: web, image: "${image}", imagePullPolicy: Never, args: ["-c", "exec httpd -f -p 8080 -h /www"]}
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: ${namespace}}
spec:
  selector: {app: web}
  ports: [{port: 80, targetPort: 8080}]
---
apiVersion: v1
kind: Pod
metadata: {name: client, namespace: ${namespace}}
spec:
  terminationGracePeriodSeconds: 1
  containers:
    - {name: client, image: "${image}", imagePullPolicy: Never, args: ["-c", "exec sleep 3600"]}
`;

let work = "";
// Set when this file ran `up`: only then is the cluster this test's to take down.
let clusterRaised = false;

beforeAll(() => {
  if (process.getuid?.() !== 0) throw new Error("the cluster test needs root (network namespaces, iptables, cgroups)");
  if (cluster("status").code !== 0 || kubectl("get", "node", settings.CLUSTER_NODE_NAME).code !== 0) {
    clusterRaised = true;
    const up = cluster("up");
    if (up.code !== 0) throw new Error(`scripts/cluster up failed:\n${up.stderr}`);
  }
  work = mkdtempSync(join(tmpdir(), "node-test-"));
  const imported = cluster("import", packBusybox(work));
  if (imported.code !== 0) throw new Error(`scripts/cluster import failed: ${imported.stderr}`);
  const applied = Bun.spawnSync([kubectlPath, "--kubeconfig", settings.KUBECONFIG, "apply", "-f", "-"], {
    stdin: Buffer.from(manifests),
    stdout: "pipe",
    stderr: "pipe",
  });
  if (applied.exitCode !== 0) throw new Error(`kubectl apply: ${applied.stderr}`);
}, 600_000);

afterAll(() => {
  kubectl("delete", "namespace", namespace, "--wait=true", "--timeout=60s");
  run(
    "ctr",
    "--address",
    clusterEnv(["CLUSTER_CONTAINERD_ADDRESS"] as const).CLUSTER_CONTAINERD_ADDRESS,
    "-n",
    "k8s.io",
    "images",
    "rm",
    image,
  );
  if (work) rmSync(work, { recursive: true, force: true });
  if (clusterRaised) cluster("down");
}, 300_000);

describe("scripts/cluster: a node that runs pods, inside the fence", () => {
  test("the node is Ready and runs the version we built", () => {
    const node = JSON.parse(kubectl("get", "node", settings.CLUSTER_NODE_NAME, "-o", "json").stdout);
    const ready = node.status.conditions.find((condition: { type: string }) => condition.type === "Ready");
    expect(ready.status).toBe("True");
    expect(node.status.nodeInfo.kubeletVersion).toBe(kubeVersion);
    expect(node.spec.podCIDR).toMatch(/^10\.244\.\d+\.0\/24$/);
    const version = JSON.parse(kubectl("version", "-o", "json").stdout);
    expect(version.serverVersion.gitVersion).toBe(kubeVersion);
  });

  test("pods from an image imported with scripts/cluster import run", async () => {
    const wait = kubectl("-n", namespace, "wait", "--for=condition=Ready", "pod/web", "pod/client", "--timeout=120s");
    expect(wait.stderr).toBe("");
    expect(wait.code).toBe(0);
    const pods = JSON.parse(kubectl("-n", namespace, "get", "pods", "-o", "json").stdout);
    const ips = pods.items.map((pod: { status: { podIP: string } }) => pod.status.podIP);
    expect(ips).toHaveLength(2);
    expect(new Set(ips).size).toBe(2);
  }, 150_000);

  test("a pod resolves the cluster's names through CoreDNS and reaches a Service backed by another pod", async () => {
    const apiAddress = kubectl("get", "service", "kubernetes", "-o", "jsonpath={.spec.clusterIP}").stdout;
    const webAddress = kubectl("-n", namespace, "get", "service", "web", "-o", "jsonpath={.spec.clusterIP}").stdout;
    const api = inPod("client", `nslookup kubernetes.default.svc.${domain}`);
    expect(api.code).toBe(0);
    expect(api.stdout).toContain(`Server:\t\t${settings.CLUSTER_DNS_IP}`);
    expect(api.stdout).toContain(`Address: ${apiAddress}`);
    // A Service created a moment ago: CoreDNS has it once its watch has seen it.
    const web = await waitFor("web's DNS record", 30, () => {
      const answer = inPod("client", `nslookup web.${namespace}.svc.${domain}`);
      return answer.code === 0 ? answer.stdout : undefined;
    });
    expect(web).toContain(`Address: ${webAddress}`);
    // By its short name (the pod's search path), through the ClusterIP, to the web pod.
    const page = await waitFor("web through its Service", 30, () => {
      const answer = inPod("client", httpGet("web"));
      return answer.stdout.includes(token) ? answer.stdout : undefined;
    });
    expect(page).toStartWith("HTTP/1.1 200 OK");
    expect(inPod("client", httpGet(webAddress)).stdout).toContain(token);
    // A pod reaches itself through its own Service (the bridge's hairpin mode).
    expect(inPod("web", httpGet(webAddress)).stdout).toContain(token);
  }, 120_000);

  test("a name outside the cluster does not resolve (no forwarder: nothing leaves)", () => {
    const answer = inPod("client", "nslookup example.com");
    expect(answer.code).not.toBe(0);
    expect(answer.stdout + answer.stderr).toContain("NXDOMAIN");
    expect(answer.stdout).not.toMatch(/Name:\s+example\.com/);
  }, 60_000);

  test("a process started with scripts/cluster exec reaches the Service by name, like a pod", () => {
    const script = `
      for (const url of ["http://web.${namespace}/", "http://web.${namespace}.svc.${domain}/"]) {
        const response = await fetch(url, { signal: AbortSignal.timeout(10_000) });
        console.log(url, response.status, (await response.text()).trim());
      }
      const outside = await fetch("http://example.com/", { signal: AbortSignal.timeout(10_000) }).then(
        () => "reached", (error) => String(error.code ?? error));
      console.log("example.com", outside);`;
    const result = cluster("exec", "--", join(root, "scripts/bun"), "-e", script);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`http://web.${namespace}/ 200 ${token}`);
    expect(result.stdout).toContain(`http://web.${namespace}.svc.${domain}/ 200 ${token}`);
    expect(result.stdout).toContain("example.com ENOTFOUND");
  }, 60_000);

  test("after all that, containment is still proven: no packet left the host", () => {
    const verify = cluster("verify");
    expect(verify.stderr).not.toContain("NOT proven");
    expect(verify.code).toBe(0);
    expect(verify.stdout).toContain("left the host (mangle BOOKING-RUSH-EGRESS): 0");
  }, 60_000);
});
