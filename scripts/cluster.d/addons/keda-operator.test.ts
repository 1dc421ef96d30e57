/**
 * KEDA as built here from the Go module proxy (scripts/go-tools keda-operator, keda-adapter) runs: out
 * of a cluster, against the real API server of the Lease tests (scripts/kube-apiserver) and the local
 * stack's real Kafka, the operator takes a ScaledObject with a Kafka trigger, reads the consumer
 * group's lag, marks it Ready and Active, and makes its HPA (owned by the ScaledObject); the metrics
 * API server serves that lag as the external metric the HPA names, fetched from the operator over
 * its mTLS gRPC service, with authentication and authorisation delegated to the API server; deleting
 * the ScaledObject goes through KEDA's finalizer. Only loopback is used (no pod, no DNS).
 * Needs KUBE_TEST_API_URL, KUBE_TEST_CA_FILE, KUBE_TEST_TOKEN and KAFKA_BROKERS (scripts/test sets them).
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "@booking-rush/test-support/free-port";
import { Kafka, logLevel } from "kafkajs";
import { stringify } from "yaml";
import { goTool, required, root, run, writeTestKubeconfig } from "./test-support";

const work = mkdtempSync(join(tmpdir(), "keda-operator-test-"));
const kubeconfig = join(work, "kubeconfig");
const certs = join(work, "certs");
const runId = `${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`;
const namespace = "keda-smoke";
const name = `worker-${runId}`;
const topic = `keda-smoke-${runId}`;
const messages = 40;
const lagThreshold = 5;

let kubectlPath = "";
const kubectl = (args: string[], stdin?: string) => run([kubectlPath, ...args], { KUBECONFIG: kubeconfig }, stdin);
const mustKubectl = (args: string[], stdin?: string) => {
  const result = kubectl(args, stdin);
  if (result.code !== 0) throw new Error(`kubectl ${args.join(" ")}: ${result.stderr}`);
  return result.stdout;
};

let operator: ReturnType<typeof Bun.spawn> | undefined;
let adapter: ReturnType<typeof Bun.spawn> | undefined;
let brokers = "";
let token = "";
let adapterPort = 0;

/** A port free right now on 127.0.0.1 (the adapter must be told the operator's gRPC address). */
beforeAll(async () => {
  brokers = required("KAFKA_BROKERS");
  token = writeTestKubeconfig(kubeconfig);
  kubectlPath = goTool("kubectl");
  const operatorPath = goTool("keda-operator");
  const adapterPath = goTool("keda-adapter");

  // KEDA's CRDs from its module, the namespaces, and a Deployment to scale (nothing runs its pods).
  const crds = run(["bash", join(root, "scripts/cluster-addons"), "render", "keda-crds"]);
  if (crds.code !== 0) throw new Error(`cluster-addons render keda-crds: ${crds.stderr}`);
  mustKubectl(["apply", "--server-side", "--force-conflicts", "--field-manager=keda-operator-test", "-f", "-"], crds.stdout);
  for (const ns of ["keda", namespace]) if (kubectl(["get", "namespace", ns]).code !== 0) mustKubectl(["create", "namespace", ns]);
  mustKubectl(["create", "deployment", name, "--namespace", namespace, "--image=booking-rush.local/none:1", "--replicas=1"]);

  // A topic with messages nobody has consumed: the group's lag is all of them.
  const kafka = new Kafka({ clientId: "keda-operator-test", brokers: brokers.split(","), logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: 1, replicationFactor: 1 }], waitForLeaders: true });
  await admin.disconnect();
  const producer = kafka.producer();
  await producer.connect();
  await producer.send({ topic, messages: Array.from({ length: messages }, (_, i) => ({ value: `m${i}` })) });
  await producer.disconnect();

  // The operator serves its gRPC metrics service over TLS from --cert-dir (in the cluster, the
  // Secret it rotates); here a throwaway CA and certificate.
  Bun.spawnSync(["mkdir", "-p", certs]);
  const openssl = (...args: string[]) => {
    const result = run(["openssl", ...args]);
    if (result.code !== 0) throw new Error(`openssl ${args[0]}: ${result.stderr}`);
  };
  openssl(
    "req",
    "-x509",
    "-newkey",
    "rsa:2048",
    "-nodes",
    "-keyout",
    join(certs, "ca.key"),
    "-out",
    join(certs, "ca.crt"),
    "-days",
    "1",
    "-subj",
    "/CN=keda-test-ca",
  );
  openssl(
    "req",
    "-newkey",
    "rsa:2048",
    "-nodes",
    "-keyout",
    join(certs, "tls.key"),
    "-out",
    join(certs, "tls.csr"),
    "-subj",
    "/CN=localhost",
  );
  writeFileSync(join(certs, "ext"), "subjectAltName=DNS:localhost,IP:127.0.0.1\n");
  openssl(
    "x509",
    "-req",
    "-in",
    join(certs, "tls.csr"),
    "-CA",
    join(certs, "ca.crt"),
    "-CAkey",
    join(certs, "ca.key"),
    "-CAcreateserial",
    "-out",
    join(certs, "tls.crt"),
    "-days",
    "1",
    "-extfile",
    join(certs, "ext"),
  );

  // Out of a pod there is no service-account file to read the namespace from.
  const env = { ...process.env, KEDA_CLUSTER_OBJECT_NAMESPACE: "keda", POD_NAMESPACE: "keda", WATCH_NAMESPACE: "" };
  const grpcPort = freePort();
  operator = Bun.spawn(
    [
      operatorPath,
      `--kubeconfig=${kubeconfig}`,
      "--metrics-bind-address=0",
      "--health-probe-bind-address=0",
      `--metrics-service-bind-address=127.0.0.1:${grpcPort}`,
      `--cert-dir=${certs}`,
      `--ca-dir=${certs}`,
      "--zap-log-level=info",
    ],
    { env, stdout: Bun.file(join(work, "operator.log")), stderr: "pipe" },
  );
  adapterPort = freePort();
  adapter = Bun.spawn(
    [
      adapterPath,
      `--kubeconfig=${kubeconfig}`,
      `--lister-kubeconfig=${kubeconfig}`,
      `--authentication-kubeconfig=${kubeconfig}`,
      `--authorization-kubeconfig=${kubeconfig}`,
      "--bind-address=127.0.0.1",
      `--secure-port=${adapterPort}`,
      `--tls-cert-file=${join(certs, "tls.crt")}`,
      `--tls-private-key-file=${join(certs, "tls.key")}`,
      `--client-ca-file=${join(certs, "ca.crt")}`,
      `--cert-dir=${certs}`,
      `--metrics-service-address=127.0.0.1:${grpcPort}`,
      "--metrics-service-grpc-authority=localhost",
    ],
    { env, stdout: Bun.file(join(work, "adapter.log")), stderr: Bun.file(join(work, "adapter.err")) },
  );
}, 120_000);

afterAll(async () => {
  kubectl(["delete", "scaledobject", name, "--namespace", namespace, "--ignore-not-found", "--wait=false"]);
  for (const started of [adapter, operator]) {
    if (!started) continue;
    started.kill("SIGTERM");
    await Promise.race([started.exited, Bun.sleep(10_000)]);
    if (started.exitCode === null) started.kill("SIGKILL");
  }
  kubectl(["delete", "hpa", `keda-hpa-${name}`, "--namespace", namespace, "--ignore-not-found"]);
  kubectl(["delete", "deployment", name, "--namespace", namespace, "--ignore-not-found"]);
  const kafka = new Kafka({ clientId: "keda-operator-test", brokers: brokers.split(","), logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
  await admin.disconnect();
  rmSync(work, { recursive: true, force: true });
}, 60_000);

type Condition = { type: string; status: string; message?: string };
async function until<T>(what: string, seconds: number, probe: () => T | undefined): Promise<T> {
  const deadline = Date.now() + seconds * 1000;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${what} within ${seconds} s (operator log: ${join(work, "operator.log")})`);
    await Bun.sleep(1000);
  }
}

test("the operator makes a Kafka ScaledObject Ready and Active from the lag, with its HPA; the metrics API server serves the lag; a delete passes the finalizer", async () => {
  mustKubectl(
    ["apply", "-f", "-"],
    stringify({
      apiVersion: "keda.sh/v1alpha1",
      kind: "ScaledObject",
      metadata: { name, namespace },
      spec: {
        scaleTargetRef: { name },
        minReplicaCount: 1,
        maxReplicaCount: 3,
        pollingInterval: 2,
        triggers: [
          {
            type: "kafka",
            metadata: {
              bootstrapServers: brokers,
              consumerGroup: `keda-smoke-${runId}`,
              topic,
              lagThreshold: String(lagThreshold),
              offsetResetPolicy: "earliest",
            },
          },
        ],
      },
    }),
  );
  const conditions = await until("ScaledObject Ready and Active", 90, () => {
    const got = kubectl(["get", "scaledobject", name, "--namespace", namespace, "-o", "jsonpath={.status.conditions}"]);
    const parsed: Condition[] = got.code === 0 && got.stdout ? JSON.parse(got.stdout) : [];
    const status = (type: string) => parsed.find((c) => c.type === type)?.status;
    return status("Ready") === "True" && status("Active") === "True" ? parsed : undefined;
  });
  expect(conditions.find((c) => c.type === "Active")?.message).toContain("triggers are active");

  const hpa = JSON.parse(mustKubectl(["get", "hpa", `keda-hpa-${name}`, "--namespace", namespace, "-o", "json"]));
  expect(hpa.spec.scaleTargetRef).toEqual({ apiVersion: "apps/v1", kind: "Deployment", name });
  expect([hpa.spec.minReplicas, hpa.spec.maxReplicas]).toEqual([1, 3]);
  const external = hpa.spec.metrics.map(
    (metric: { type: string; external?: { metric: { name: string }; target: { averageValue: string } } }) => ({
      type: metric.type,
      name: metric.external?.metric.name,
      target: metric.external?.target.averageValue,
    }),
  );
  expect(external).toEqual([{ type: "External", name: `s0-kafka-${topic}`, target: String(lagThreshold) }]);

  // What the HPA controller would ask the aggregator for, asked of KEDA's metrics API server directly.
  // The lag is 40, but KEDA caps it at partitions × lagThreshold (1 × 5) so that the HPA never asks
  // for more consumers than partitions.
  const ca = readFileSync(join(certs, "ca.crt"), "utf8");
  const selector = encodeURIComponent(`scaledobject.keda.sh/name=${name}`);
  const url = `https://localhost:${adapterPort}/apis/external.metrics.k8s.io/v1beta1/namespaces/${namespace}/s0-kafka-${topic}?labelSelector=${selector}`;
  const deadline = Date.now() + 60_000;
  let served: { kind: string; items: { metricName: string; value: string }[] } | undefined;
  while (!served) {
    const response = await fetch(url, { headers: { authorization: `Bearer ${token}` }, tls: { ca } }).catch(() => undefined);
    if (response?.status === 200) served = (await response.json()) as typeof served;
    else if (Date.now() > deadline)
      throw new Error(`KEDA's metrics API server did not serve ${url} within 60 s (${response?.status}; logs in ${work})`);
    else await Bun.sleep(1000);
  }
  expect(served.kind).toBe("ExternalMetricValueList");
  expect(served.items.map((item) => [item.metricName, item.value])).toEqual([[`s0-kafka-${topic}`, String(lagThreshold)]]);
  // Authentication goes to the API server (TokenReview): a token it does not know is refused.
  const stranger = await fetch(url, { headers: { authorization: "Bearer not-a-known-token" }, tls: { ca } });
  expect(stranger.status).toBe(401);

  // The HPA goes with its ScaledObject through the garbage collector (kube-controller-manager, not
  // running here): KEDA's part is the owner reference, and releasing its finalizer on delete.
  const scaledObject = JSON.parse(mustKubectl(["get", "scaledobject", name, "--namespace", namespace, "-o", "json"]));
  expect(scaledObject.metadata.finalizers).toContain("finalizer.keda.sh");
  expect(hpa.metadata.ownerReferences).toEqual([
    expect.objectContaining({ kind: "ScaledObject", name, uid: scaledObject.metadata.uid, controller: true }),
  ]);
  mustKubectl(["delete", "scaledobject", name, "--namespace", namespace, "--wait=true", "--timeout=60s"]);
  expect(kubectl(["get", "scaledobject", name, "--namespace", namespace]).stderr).toContain("NotFound");
}, 240_000);
