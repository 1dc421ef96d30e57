/**
 * The local cluster's containment fence (scripts/cluster, issue 13 "Containment"), proven without
 * sending a packet off this machine: `ip route get` only reads the namespace's routing table, the
 * one connection that succeeds goes to the host's end of the veth, and the one that is refused never
 * leaves the namespace. Runs as root (network namespaces, iptables), as CI does.
 *
 * `up` (which also starts the cluster in it) → the namespace has lo, the veth and the pods' bridge
 * only, and no default route; non-local addresses
 * are unreachable from it; the host's veth address is reachable; a connection to a Service address
 * kube-proxy has not programmed is refused by the fence and counted; `up` again keeps everything
 * (counters too); `verify` fails when a fence rule is missing and `up` repairs it; the host's egress
 * counter reads zero. `down` → namespace, veth, chains and hooks gone, iptables-save as before `up`.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { cluster, clusterEnv, run } from "./support";

const fenceChain = "BOOKING-RUSH-FENCE";
const egressChain = "BOOKING-RUSH-EGRESS";
const unreachableAddresses = ["1.1.1.1", "8.8.8.8", "203.0.113.1", "2606:4700:4700::1111"];

const settingNames = [
  "CLUSTER_NETNS",
  "CLUSTER_VETH_HOST",
  "CLUSTER_VETH_NS",
  "CLUSTER_HOST_IP",
  "CLUSTER_NODE_IP",
  "CLUSTER_IPTABLES",
] as const;

const settings = clusterEnv(settingNames);
const netns = settings.CLUSTER_NETNS;
const iptablesSave = `${settings.CLUSTER_IPTABLES}-save`;
const inNamespace = (...command: string[]) => run("ip", "netns", "exec", netns, ...command);

/** iptables-save without comments and counters: what the rules are, not what they have counted. */
function hostRules(): string {
  const dump = run(iptablesSave);
  if (dump.code !== 0) throw new Error(`${iptablesSave} failed: ${dump.stderr}`);
  return dump.stdout
    .split("\n")
    .filter((line) => line !== "" && !line.startsWith("#"))
    .map((line) => line.replace(/ \[\d+:\d+\]$/, ""))
    .join("\n");
}

/** Packets counted by the rules of a table's dump whose line contains `marker`. */
function packetsCounted(dump: string, marker: string): { rules: number; packets: number } {
  let rules = 0;
  let packets = 0;
  for (const line of dump.split("\n")) {
    const counted = /^\[(\d+):\d+\] -A /.exec(line);
    if (!counted || !line.includes(marker)) continue;
    rules += 1;
    packets += Number(counted[1]);
  }
  return { rules, packets };
}

const serviceRejects = () => packetsCounted(inNamespace(iptablesSave, "-c", "-t", "filter").stdout, '"service range not programmed"');
const hostEgress = () => packetsCounted(run(iptablesSave, "-c", "-t", "mangle").stdout, "booking-rush-cluster-egress");
const namespaceExists = () =>
  run("ip", "netns", "list")
    .stdout.split("\n")
    .some((line) => line.split(" ")[0] === netns);
const forwarding = () => readFileSync("/proc/sys/net/ipv4/ip_forward", "utf8").trim();

let rulesBefore = "";
let forwardingBefore = "";
// Set once this file has run `up`: only then is the fence this test's to remove in afterAll.
let fenceRaised = false;

beforeAll(() => {
  if (process.getuid?.() !== 0) throw new Error("the fence test needs root (network namespaces, iptables)");
  if (namespaceExists()) throw new Error(`namespace ${netns} exists before the test: run 'scripts/cluster down' first`);
  rulesBefore = hostRules();
  forwardingBefore = forwarding();
});

afterAll(() => {
  // Whatever failed above, nothing of the fence this test raised stays on the machine.
  if (fenceRaised) cluster("down");
}, 300_000);

describe("scripts/cluster up: the sealed network", () => {
  test("up builds the fence and proves it", () => {
    fenceRaised = true;
    const up = cluster("up");
    expect(up.stderr).not.toContain("NOT proven");
    expect(up.code).toBe(0);
    expect(up.stdout).toContain("containment proven");
  }, 600_000);

  test("the namespace has lo, the veth and the pods' bridge only, and no default route", () => {
    expect(namespaceExists()).toBe(true);
    const links = run("ip", "-n", netns, "-o", "link", "show").stdout.trim().split("\n");
    const name = (line: string) => (line.split(": ")[1] ?? "").split("@")[0];
    // The cluster's pod bridge and its ports (each the namespace's end of a pod's veth) stay inside.
    const podSide = (line: string) => name(line) === "cni0" || line.includes(" master cni0 ");
    expect(
      links
        .filter((line) => !podSide(line))
        .map(name)
        .sort(),
    ).toEqual([settings.CLUSTER_VETH_NS, "lo"].sort());
    expect(run("ip", "-n", netns, "-4", "route", "show", "default").stdout.trim()).toBe("");
    expect(run("ip", "-n", netns, "-6", "route", "show", "default").stdout.trim()).toBe("");
    expect(run("ip", "-n", netns, "-4", "addr", "show", "dev", settings.CLUSTER_VETH_NS).stdout).toContain(
      `inet ${settings.CLUSTER_NODE_IP}/`,
    );
    // No IPv6 address on the veth at all, not even link-local.
    expect(run("ip", "-n", netns, "-6", "addr", "show", "dev", settings.CLUSTER_VETH_NS).stdout.trim()).toBe("");
    // Host forwarding was neither needed nor changed.
    expect(forwarding()).toBe(forwardingBefore);
  });

  test("ip route get answers unreachable for non-local addresses (nothing is sent)", () => {
    for (const address of unreachableAddresses) {
      const answer = run("ip", "-n", netns, "route", "get", address);
      expect({ address, code: answer.code }).toEqual({ address, code: 2 });
      expect(answer.stderr).toContain("Network is unreachable");
    }
    // The Service range stays in the namespace: routed onto its own lo, where the fence waits.
    expect(run("ip", "-n", netns, "route", "get", "10.96.0.10").stdout).toContain("dev lo");
  });

  test("a process in the namespace reaches the host's end of the veth", async () => {
    const received: string[] = [];
    const listener = Bun.listen({
      hostname: settings.CLUSTER_HOST_IP,
      port: 0,
      socket: { data: (_socket, data) => void received.push(data.toString()) },
    });
    try {
      const client = Bun.spawn(
        ["ip", "netns", "exec", netns, "bash", "-c", `echo fenced-hello > /dev/tcp/${settings.CLUSTER_HOST_IP}/${listener.port}`],
        { stdout: "pipe", stderr: "pipe" },
      );
      expect(await client.exited).toBe(0);
      const deadline = Date.now() + 10_000;
      while (!received.join("").includes("fenced-hello") && Date.now() < deadline) await Bun.sleep(20);
      expect(received.join("")).toContain("fenced-hello");
    } finally {
      listener.stop(true);
    }
  });

  test("a connection to a Service address not yet programmed is refused by the fence and counted", () => {
    const before = serviceRejects();
    expect(before.rules).toBe(2);
    const attempt = inNamespace("timeout", "20", "bash", "-c", "exec 3<>/dev/tcp/10.96.0.10/443");
    expect(attempt.code).toBe(1);
    expect(attempt.stderr).toContain("Connection refused");
    expect(serviceRejects().packets).toBeGreaterThanOrEqual(before.packets + 1);
  }, 30_000);

  test("up again changes nothing and keeps the counters", () => {
    const rules = hostRules();
    const counted = serviceRejects().packets;
    expect(counted).toBeGreaterThan(0);
    const again = cluster("up");
    expect(again.code).toBe(0);
    expect(hostRules()).toBe(rules);
    expect(serviceRejects()).toEqual({ rules: 2, packets: counted });
  }, 300_000);

  test("verify fails when a fence rule is missing, and up puts it back", () => {
    expect(inNamespace(settings.CLUSTER_IPTABLES, "-t", "filter", "-D", "OUTPUT", "-j", fenceChain).code).toBe(0);
    const broken = cluster("verify");
    expect(broken.code).not.toBe(0);
    expect(broken.stderr).toContain(`namespace OUTPUT does not jump to ${fenceChain}`);
    expect(cluster("up").code).toBe(0);
    expect(cluster("verify").code).toBe(0);
  }, 300_000);

  test("verify passes and the host's egress counter for the cluster's addresses reads zero", () => {
    const verify = cluster("verify");
    expect(verify.stderr).not.toContain("NOT proven");
    expect(verify.code).toBe(0);
    expect(verify.stdout).toContain(`left the host (mangle ${egressChain}): 0`);
    const egress = hostEgress();
    // Three sources (veth /30, pod range, Service range) per default-route interface, plus "other".
    expect(egress.rules).toBeGreaterThanOrEqual(6);
    expect(egress.packets).toBe(0);
  }, 60_000);
});

describe("scripts/cluster down: the machine as it was", () => {
  test("down removes the namespace, the veth, the chains and their hooks", () => {
    const down = cluster("down");
    expect(down.code).toBe(0);
    expect(namespaceExists()).toBe(false);
    expect(run("ip", "link", "show", "dev", settings.CLUSTER_VETH_HOST).code).not.toBe(0);
    expect(run(settings.CLUSTER_IPTABLES, "-t", "filter", "-n", "-L", fenceChain).code).not.toBe(0);
    expect(run(settings.CLUSTER_IPTABLES, "-t", "mangle", "-n", "-L", egressChain).code).not.toBe(0);
    const rules = hostRules();
    expect(rules).not.toContain(fenceChain);
    expect(rules).not.toContain(egressChain);
    expect(rules).toBe(rulesBefore);
    expect(forwarding()).toBe(forwardingBefore);
    expect(cluster("status").code).not.toBe(0);
    // down again is a no-op.
    expect(cluster("down").code).toBe(0);
  }, 300_000);
});
