/**
 * The cluster's scaling, load-test and ingress add-ons (scripts/cluster-addons), checked without a cluster:
 * - the manifests each add-on applies are accepted by a real Kubernetes 1.33 API server
 *   (scripts/kube-apiserver, the one the Lease tests use): CRDs and namespaces for real, everything
 *   else with a server-side dry run and strict field validation, which does reject a misspelt field;
 * - Traefik: the IngressClass `traefik` it serves, the Kubernetes Ingress provider alone, nothing it
 *   would send off the machine, non-root on a read-only root, and the chart's CI Ingress accepted;
 * - the chart's HPAs and KEDA ScaledObjects (values-ci-scaling.yaml) are accepted against the API
 *   and against KEDA's own CRDs (from the module the KEDA build uses);
 * - every image those manifests run is one the script builds, local, never pulled; the archives it
 *   builds hold that image with the binary its entrypoint names, which runs as the image's user;
 * - install/remove of the CRD-only add-ons against that API server, and clear refusals (no
 *   KUBECONFIG; the k6-operator, which the Go module proxy does not serve; k6, AGPL-3.0).
 * Needs KUBE_TEST_API_URL, KUBE_TEST_CA_FILE and KUBE_TEST_TOKEN (scripts/test sets them).
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseAllDocuments, stringify } from "yaml";
import { goTool, type Run, root, run, writeTestKubeconfig } from "./test-support";

const script = join(root, "scripts/cluster-addons");
const chart = join(root, "charts/booking-rush");

// biome-ignore lint/suspicious/noExplicitAny: Kubernetes objects of every kind
type K8sObject = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string }; spec?: any; [key: string]: any };
const addons = (...args: string[]) => run(["bash", script, ...args]);
const parseObjects = (text: string) =>
  parseAllDocuments(text)
    .map((document) => document.toJS() as K8sObject | null)
    .filter((object): object is K8sObject => object !== null);

const work = mkdtempSync(join(tmpdir(), "cluster-addons-test-"));
const kubeconfig = join(work, "kubeconfig");
let kubectlPath = "";
const kubectl = (args: string[], stdin?: string) => run([kubectlPath, ...args], { KUBECONFIG: kubeconfig }, stdin);

/** Creates CRDs and namespaces for real (a dry run of a custom object needs its CRD), dry-runs the rest. */
function applyToApiServer(objects: K8sObject[]): Run {
  const real = objects.filter((object) => object.kind === "CustomResourceDefinition" || object.kind === "Namespace");
  if (real.length > 0) {
    const created = kubectl(
      ["apply", "--server-side", "--force-conflicts", "--field-manager=addons-test", "-f", "-"],
      real.map((o) => stringify(o)).join("---\n"),
    );
    if (created.code !== 0) return created;
    for (const crd of real.filter((object) => object.kind === "CustomResourceDefinition")) waitEstablished(crd.metadata.name);
  }
  const rest = objects.filter((object) => !real.includes(object));
  if (rest.length === 0) return { code: 0, stdout: "", stderr: "" };
  return kubectl(["apply", "--dry-run=server", "--validate=strict", "-f", "-"], rest.map((o) => stringify(o)).join("---\n"));
}

/** A strict server-side dry run in the default namespace: what the API server would make of `manifest`. */
const dryRunInDefault = (manifest: string) =>
  kubectl(["apply", "--namespace", "default", "--dry-run=server", "--validate=strict", "-f", "-"], manifest);

/** `helm template ci` of the chart's CI profile (values-kind.yaml + values-ci.yaml), then `extra`. */
const renderCiProfile = (...extra: string[]) =>
  run([
    "bash",
    join(root, "scripts/helm"),
    "template",
    "ci",
    chart,
    "--namespace",
    "default",
    "-f",
    join(chart, "values-kind.yaml"),
    "-f",
    join(chart, "values-ci.yaml"),
    ...extra,
  ]);

function waitEstablished(crd: string) {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const status = kubectl(["get", `crd/${crd}`, "-o", 'jsonpath={.status.conditions[?(@.type=="Established")].status}']);
    if (status.stdout === "True") return;
    if (Date.now() > deadline) throw new Error(`CRD ${crd} not Established within 30 s: ${status.stdout} ${status.stderr}`);
    Bun.sleepSync(200);
  }
}

const containersOf = (object: K8sObject): { image: string; imagePullPolicy?: string }[] => {
  const pod = object.spec?.template?.spec;
  return pod ? [...(pod.initContainers ?? []), ...(pod.containers ?? [])] : [];
};

const rendered = new Map<string, K8sObject[]>();

beforeAll(() => {
  writeTestKubeconfig(kubeconfig);
  kubectlPath = goTool("kubectl");
  for (const addon of ["metrics-server", "keda", "traefik", "keda-crds", "k6-crds"]) {
    const output = addons("render", addon);
    if (output.code !== 0) throw new Error(`cluster-addons render ${addon} failed: ${output.stderr}`);
    rendered.set(addon, parseObjects(output.stdout));
  }
}, 300_000);

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe("scripts/cluster-addons", () => {
  test("parses, and refuses bad usage, unknown add-ons, a missing KUBECONFIG and the blocked k6 add-ons with the reason", () => {
    expect(run(["bash", "-n", script]).code).toBe(0);
    expect(addons().code).toBe(2);
    const unknown = addons("build", "prometheus-adapter");
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain("unknown add-on 'prometheus-adapter'");
    const noConfig = run(["bash", script, "install", "keda-crds"], { KUBECONFIG: "" });
    expect(noConfig.code).toBe(1);
    expect(noConfig.stderr).toContain("KUBECONFIG is not set");
    for (const command of ["install", "build", "render", "images", "archives"]) {
      const operator = addons(command, "k6-operator");
      expect(operator.code).toBe(1);
      expect(operator.stderr).toContain("proxy.golang.org answers 403");
      const runner = addons(command, "k6-runner");
      expect(runner.code).toBe(1);
      expect(runner.stderr).toContain("AGPL-3.0");
    }
  });

  test("every image an add-on's manifests run is one the script builds: local, never pulled", () => {
    const expected: Record<string, string[]> = {
      "metrics-server": ["booking-rush.local/metrics-server:v0.8.0"],
      keda: ["booking-rush.local/keda-metrics-apiserver:v2.18.3", "booking-rush.local/keda:v2.18.3"],
      traefik: ["booking-rush.local/traefik:v3.6.12"],
      "keda-crds": [],
      "k6-crds": [],
    };
    for (const [addon, images] of Object.entries(expected)) {
      const containers = (rendered.get(addon) ?? []).flatMap(containersOf);
      const used = [...new Set(containers.map((container) => container.image))].sort();
      const built = addons("images", addon).stdout.trim().split("\n").filter(Boolean).sort();
      expect({ addon, used }).toEqual({ addon, used: images });
      expect({ addon, built }).toEqual({ addon, built: images });
      for (const container of containers) expect(container.imagePullPolicy).toBe("Never");
    }
  });

  test("metrics-server: the resource metrics API with the kubelet flags this node needs", () => {
    const objects = rendered.get("metrics-server") ?? [];
    const apiService = objects.find((object) => object.kind === "APIService");
    expect(apiService?.metadata.name).toBe("v1beta1.metrics.k8s.io");
    const deployment = objects.find((object) => object.kind === "Deployment");
    const args: string[] = deployment?.spec.template.spec.containers[0].args;
    expect(args).toContain("--kubelet-preferred-address-types=InternalIP");
    expect(args).toContain("--kubelet-insecure-tls");
  });

  test("traefik: the IngressClass traefik, the Ingress provider alone, no outward traffic, non-root on a read-only root", () => {
    const objects = rendered.get("traefik") ?? [];
    const ingressClass = objects.find((object) => object.kind === "IngressClass");
    expect(ingressClass?.metadata.name).toBe("traefik");
    expect(ingressClass?.spec.controller).toBe("traefik.io/ingress-controller");
    const deployment = objects.find((object) => object.kind === "Deployment") as K8sObject;
    const pod = deployment.spec.template.spec;
    const container = pod.containers[0];
    const args: string[] = container.args;
    expect(args).toEqual(
      expect.arrayContaining([
        "--global.checknewversion=false",
        "--global.sendanonymoususage=false",
        "--entrypoints.web.address=:8000",
        "--providers.kubernetesingress=true",
        "--providers.kubernetesingress.ingressclass=traefik",
        "--ping=true",
      ]),
    );
    // Only the Ingress provider: no dashboard/API, no other provider, no ACME (it would reach out).
    expect(args.filter((arg) => /^--(api|providers\.(?!kubernetesingress)|certificatesresolvers|experimental|metrics)/.test(arg))).toEqual(
      [],
    );
    expect(pod.serviceAccountName).toBe("traefik");
    expect(pod.securityContext.runAsNonRoot).toBe(true);
    expect(container.securityContext).toMatchObject({
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
      capabilities: { drop: ["ALL"] },
    });
    expect(container.readinessProbe.httpGet).toEqual({ path: "/ping", port: "ping" });
    expect(container.resources.requests).toEqual({ cpu: "50m", memory: "64Mi" });
    const service = objects.find((object) => object.kind === "Service") as K8sObject;
    expect(service.spec.type).toBe("ClusterIP");
    expect(service.spec.ports).toEqual([{ name: "web", port: 80, targetPort: "web", protocol: "TCP" }]);
    // What the provider reads and the Ingress status it writes, nothing more.
    const role = objects.find((object) => object.kind === "ClusterRole") as K8sObject;
    const writes = role.rules.filter((rule: { verbs: string[] }) => rule.verbs.some((verb) => !["get", "list", "watch"].includes(verb)));
    expect(writes).toEqual([{ apiGroups: ["networking.k8s.io"], resources: ["ingresses/status"], verbs: ["update"] }]);
  });

  test("keda: KEDA's CRDs, operator, metrics API server and external metrics APIService", () => {
    const objects = rendered.get("keda") ?? [];
    const names = (kind: string) =>
      objects
        .filter((object) => object.kind === kind)
        .map((object) => object.metadata.name)
        .sort();
    expect(names("CustomResourceDefinition")).toEqual([
      "cloudeventsources.eventing.keda.sh",
      "clustercloudeventsources.eventing.keda.sh",
      "clustertriggerauthentications.keda.sh",
      "scaledjobs.keda.sh",
      "scaledobjects.keda.sh",
      "triggerauthentications.keda.sh",
    ]);
    expect(names("Deployment")).toEqual(["keda-metrics-apiserver", "keda-operator"]);
    expect(names("APIService")).toEqual(["v1beta1.external.metrics.k8s.io"]);
    expect(
      rendered
        .get("keda-crds")
        ?.map((object) => object.metadata.name)
        .sort(),
    ).toEqual(names("CustomResourceDefinition"));
  });

  test("the add-ons' manifests are accepted by a Kubernetes 1.33 API server, which rejects a misspelt field", () => {
    const version = kubectl(["version", "-o", "json"]);
    expect(JSON.parse(version.stdout).serverVersion.minor).toBe("33");
    for (const addon of ["metrics-server", "keda", "traefik", "k6-crds"]) {
      const result = applyToApiServer(rendered.get(addon) ?? []);
      expect({ addon, stderr: result.stderr, code: result.code }).toEqual({ addon, stderr: "", code: 0 });
    }
    const broken = structuredClone((rendered.get("metrics-server") ?? []).find((object) => object.kind === "Deployment") as K8sObject);
    broken.spec.template.spec.containers[0].imagePullPolicyy = "Never";
    const rejected = applyToApiServer([broken]);
    expect(rejected.code).not.toBe(0);
    expect(rejected.stderr).toContain('unknown field "spec.template.spec.containers[0].imagePullPolicyy"');
  });

  test("the chart's CPU HPAs and KEDA ScaledObjects (values-ci-scaling.yaml) are accepted against the API and KEDA's CRDs", () => {
    const helm = (...args: string[]) => run(["bash", join(root, "scripts/helm"), ...args]);
    expect(helm("dependency", "build", chart).code).toBe(0);
    const template = renderCiProfile("-f", join(chart, "values-ci-scaling.yaml"));
    expect(template.stderr).toBe("");
    const objects = parseObjects(template.stdout);
    const scaling = objects.filter((object) => object.kind === "HorizontalPodAutoscaler" || object.kind === "ScaledObject");
    expect(
      scaling
        .filter((object) => object.kind === "HorizontalPodAutoscaler")
        .map((object) => object.metadata.name)
        .sort(),
    ).toEqual(["ci-auth", "ci-booking", "ci-catalog", "ci-payment"]);
    expect(
      scaling
        .filter((object) => object.kind === "ScaledObject")
        .map((object) => object.metadata.name)
        .sort(),
    ).toEqual(["ci-notification", "ci-payment-saga", "ci-payment-worker", "ci-projector"]);
    // CPU only: nothing here serves the Prometheus adapter's requests-per-second metric.
    for (const hpa of scaling.filter((object) => object.kind === "HorizontalPodAutoscaler")) {
      expect(
        hpa.spec.metrics.map((metric: { type: string; resource?: { name: string } }) => `${metric.type}/${metric.resource?.name}`),
      ).toEqual(["Resource/cpu"]);
    }
    expect(applyToApiServer(rendered.get("keda-crds") ?? []).code).toBe(0);
    const accepted = dryRunInDefault(scaling.map((o) => stringify(o)).join("---\n"));
    expect(accepted.stderr).toBe("");
    expect(accepted.code).toBe(0);
    expect(accepted.stdout.match(/scaledobject\.keda\.sh\/\S+ created \(server dry run\)/g)?.length).toBe(4);
    // KEDA's CRD does validate: a trigger without its type is refused.
    const broken = structuredClone(scaling.find((object) => object.kind === "ScaledObject") as K8sObject);
    delete broken.spec.triggers[0].type;
    const rejected = dryRunInDefault(stringify(broken));
    expect(rejected.code).not.toBe(0);
    expect(rejected.stderr).toContain("spec.triggers[0].type: Required value");
  }, 120_000);

  test("the chart's CI Ingress (class traefik) is accepted by the API server", () => {
    const template = renderCiProfile("--show-only", "templates/ingress.yaml");
    expect(template.stderr).toBe("");
    const [ingress] = parseObjects(template.stdout);
    expect(ingress?.spec.ingressClassName).toBe("traefik");
    const accepted = dryRunInDefault(stringify(ingress));
    expect(accepted.stderr).toBe("");
    expect(accepted.stdout).toContain("ingress.networking.k8s.io/ci-api created (server dry run)");
  }, 120_000);

  test("install and remove the CRD-only add-ons against the API server, bounded", () => {
    const env = { KUBECONFIG: kubeconfig, CLUSTER_ADDONS_WAIT_SECONDS: "60" };
    const installed = run(["bash", script, "install", "keda-crds", "k6-crds"], env);
    expect(installed.stderr).toContain("keda-crds is Available");
    expect(installed.code).toBe(0);
    for (const crd of ["scaledobjects.keda.sh", "testruns.k6.io"]) expect(kubectl(["get", `crd/${crd}`]).code).toBe(0);
    const removed = run(["bash", script, "remove", "keda-crds", "k6-crds"], env);
    expect(removed.code).toBe(0);
    const deadline = Date.now() + 30_000;
    while (kubectl(["get", "crd/testruns.k6.io"]).code === 0 && Date.now() < deadline) Bun.sleepSync(200);
    for (const crd of ["scaledobjects.keda.sh", "testruns.k6.io"]) expect(kubectl(["get", `crd/${crd}`]).stderr).toContain("NotFound");
  }, 120_000);
});

describe("the add-ons' image archives", () => {
  /** The files of an OCI archive built by scripts/oci-image.ts: its one image's name, config and layer. */
  function openArchive(archive: string) {
    const dir = mkdtempSync(join(work, "image-"));
    expect(run(["tar", "-xf", archive, "-C", dir]).code).toBe(0);
    const blob = (digest: string) => join(dir, "blobs/sha256", digest.slice("sha256:".length));
    const index = JSON.parse(readFileSync(join(dir, "index.json"), "utf8"));
    const manifest = JSON.parse(readFileSync(blob(index.manifests[0].digest), "utf8"));
    const config = JSON.parse(readFileSync(blob(manifest.config.digest), "utf8"));
    const rootfs = join(dir, "rootfs");
    Bun.spawnSync(["mkdir", rootfs]);
    expect(run(["tar", "-xf", blob(manifest.layers[0].digest), "-C", rootfs]).code).toBe(0);
    return { name: index.manifests[0].annotations["io.containerd.image.name"] as string, config: config.config, rootfs };
  }

  // Cold, this builds the Go programs (docs/cluster.md lists the times); cached under .stack/tools after.
  test("build makes each image with its static binary, a non-root user and a writable /tmp, and it runs as that user", () => {
    const built = addons("build", "metrics-server", "keda", "traefik");
    expect(built.stderr).not.toContain("failed");
    expect(built.code).toBe(0);
    const entrypoints: Record<string, string> = {
      "booking-rush.local/metrics-server:v0.8.0": "/metrics-server",
      "booking-rush.local/keda:v2.18.3": "/keda",
      "booking-rush.local/keda-metrics-apiserver:v2.18.3": "/keda-adapter",
      "booking-rush.local/traefik:v3.6.12": "/traefik",
    };
    // A flag each program's --help names: the binary is the program the manifests configure.
    const helpNames: Record<string, string> = {
      "booking-rush.local/traefik:v3.6.12": "--providers.kubernetesingress",
    };
    for (const addon of ["metrics-server", "keda", "traefik"]) {
      const images = addons("images", addon).stdout.trim().split("\n");
      const archives = addons("archives", addon).stdout.trim().split("\n");
      expect(archives.length).toBe(images.length);
      images.forEach((image, i) => {
        const { name, config, rootfs } = openArchive(archives[i] ?? "");
        const entrypoint = entrypoints[image] ?? "(no entrypoint listed)";
        expect(name).toBe(image);
        expect(config.Entrypoint).toEqual([entrypoint]);
        expect(config.User).not.toMatch(/^0(:|$)/);
        expect(run(["file", "-L", join(rootfs, entrypoint)]).stdout).toContain("statically linked");
        expect(run(["stat", "-c", "%a", rootfs]).stdout.trim()).toBe("755");
        expect(run(["stat", "-c", "%a", join(rootfs, "tmp")]).stdout.trim()).toBe("1777");
        // As the image's user, with no network: / must be readable (a 0700 root locks it out).
        const user = String(config.User).split(":")[0] ?? "";
        const help = run(["unshare", "--net", "chroot", `--userspec=${user}:${user}`, rootfs, entrypoint, "--help"]);
        expect(help.code).toBe(0);
        expect(help.stdout + help.stderr).toContain(helpNames[image] ?? "--kubeconfig");
      });
    }
  }, 3_600_000);
});
