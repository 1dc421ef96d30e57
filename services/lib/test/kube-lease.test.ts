/**
 * Leader election through a Lease against a real Kubernetes API server on loopback
 * (scripts/kube-apiserver: kube-apiserver built from the Go module proxy, Debian's etcd), reached
 * like a pod would: a kubeconfig with the server's CA and a bearer token, TLS verified.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { eventually } from "@booking-rush/test-support/eventually";
import { testLogger } from "@booking-rush/test-support/stack-config";
import { KubeConfig } from "@kubernetes/client-node";
import { coordinationApi, createLeaseLeadership } from "../src/clients/kube-lease";

const server = process.env.KUBE_TEST_API_URL;
const caFile = process.env.KUBE_TEST_CA_FILE;
const token = process.env.KUBE_TEST_TOKEN;
if (!server || !caFile || !token)
  throw new Error("KUBE_TEST_API_URL, KUBE_TEST_CA_FILE and KUBE_TEST_TOKEN must be set (bash scripts/kube-apiserver env)");

function kubeConfig(caData = readFileSync(caFile!).toString("base64")) {
  const config = new KubeConfig();
  config.loadFromOptions({
    clusters: [{ name: "test", server: server!, caData, skipTLSVerify: false }],
    users: [{ name: "tests", token: token! }],
    contexts: [{ name: "test", cluster: "test", user: "tests" }],
    currentContext: "test",
  });
  return config;
}

const name = `booking-rush-test-${crypto.randomUUID()}`;
const api = await coordinationApi(kubeConfig());
afterAll(async () => {
  await api.deleteNamespacedLease({ name, namespace: "default" }).catch(() => undefined);
});

describe("leadership through a Kubernetes Lease (real API server)", () => {
  test("one replica holds the Lease; one that stops renewing is replaced after the lease duration; stepping down hands over at once", async () => {
    const options = { namespace: "default", name, leaseDurationSeconds: 1 };
    const a = createLeaseLeadership(api, { ...options, identity: "pod-a" }, testLogger);
    const b = createLeaseLeadership(api, { ...options, identity: "pod-b" }, testLogger);
    expect(await a.lead()).toBe(true);
    expect(await b.lead()).toBe(false);
    expect(await a.lead()).toBe(true);
    expect((await api.readNamespacedLease({ name, namespace: "default" })).spec?.holderIdentity).toBe("pod-a");

    // pod-a stops renewing: pod-b takes the Lease once its renewal is overdue.
    await eventually(async () => expect(await b.lead()).toBe(true), { timeoutMs: 10_000, intervalMs: 200 });
    expect(await a.lead()).toBe(false);
    const lease = await api.readNamespacedLease({ name, namespace: "default" });
    expect(lease.spec).toMatchObject({ holderIdentity: "pod-b", leaseTransitions: 1 });

    await b.release();
    expect(await a.lead()).toBe(true);
    await a.release();
  });

  test("two replicas racing for a free Lease: exactly one wins", async () => {
    const raceName = `${name}-race`;
    const options = { namespace: "default", name: raceName, leaseDurationSeconds: 15 };
    const contenders = Array.from({ length: 5 }, (_, index) =>
      createLeaseLeadership(api, { ...options, identity: `pod-${index}` }, testLogger),
    );
    const results = await Promise.all(contenders.map((contender) => contender.lead()));
    expect(results.filter(Boolean)).toHaveLength(1);
    await api.deleteNamespacedLease({ name: raceName, namespace: "default" });
  });

  test("TLS is verified: a kubeconfig trusting another CA cannot reach the server", async () => {
    const directory = `${process.env.TMPDIR ?? "/tmp"}/kube-lease-test-${crypto.randomUUID()}`;
    const made = Bun.spawnSync([
      "openssl",
      "req",
      "-x509",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-days",
      "1",
      "-keyout",
      `${directory}.key`,
      "-out",
      `${directory}.crt`,
      "-subj",
      "/CN=127.0.0.1",
    ]);
    expect(made.exitCode).toBe(0);
    const untrusting = await coordinationApi(kubeConfig(readFileSync(`${directory}.crt`).toString("base64")));
    await expect(untrusting.readNamespacedLease({ name, namespace: "default" })).rejects.toThrow(/certificate|self.signed|verify/i);
  });
});
