/**
 * The umbrella chart, checked offline (no cluster here): `helm lint` and `helm template` for the
 * default, kind, CI, load-test and production profiles; every rendered object validated against the Kubernetes
 * schemas (kubernetes-models) and the CRDs' (KEDA ScaledObject, PrometheusRule); and the policies
 * operators rely on, asserted object by object.
 */
import { beforeAll, describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { describeSettings } from "@booking-rush/lib/config";
import { clientPages } from "@booking-rush/web/routes";
import { parse, parseAllDocuments } from "yaml";
import { settingsCatalog } from "../../scripts/settings-catalog";
import { selectableNames } from "./support/metric-names";
import { unknownMetrics } from "./support/promql";
import { ingressBackend, publicRoutes } from "./support/public-routes";

const root = `${import.meta.dir}/../..`;
const chart = `${root}/charts/booking-rush`;
const helm = (...args: string[]) => {
  const result = Bun.spawnSync([`${root}/scripts/helm`, ...args], { cwd: root, stdout: "pipe", stderr: "pipe" });
  return { code: result.exitCode, stdout: result.stdout.toString(), stderr: result.stderr.toString() };
};

// biome-ignore lint/suspicious/noExplicitAny: rendered Kubernetes objects of every kind
type KubeValue = any;
type K8sObject = {
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  spec?: KubeValue;
  [key: string]: KubeValue;
};

const profiles = {
  default: [],
  kind: ["-f", `${chart}/values-kind.yaml`],
  production: ["-f", `${chart}/values-production.yaml`],
  loadtest: ["-f", `${chart}/values-kind.yaml`, "-f", `${chart}/values-loadtest.yaml`],
  ci: ["-f", `${chart}/values-kind.yaml`, "-f", `${chart}/values-ci.yaml`],
} as const;
const rendered = new Map<string, K8sObject[]>();
/** The profiles that run their dependencies in the release, rendered under another release name too. */
const inReleaseProfiles = ["kind", "loadtest", "ci"] as const;
const otherRelease = "other-name";
const renderedAsOther = new Map<string, K8sObject[]>();
const parseObjects = (text: string) =>
  parseAllDocuments(text)
    .map((document) => document.toJS() as K8sObject | null)
    .filter((object): object is K8sObject => object !== null);

beforeAll(() => {
  const dependencies = helm("dependency", "build", chart);
  if (dependencies.code !== 0) throw new Error(`helm dependency build failed: ${dependencies.stderr}`);
  for (const [profile, files] of Object.entries(profiles)) {
    const output = helm("template", "booking-rush", chart, "--namespace", "booking-rush", ...files);
    if (output.code !== 0) throw new Error(`helm template (${profile}) failed: ${output.stderr}`);
    rendered.set(
      profile,
      parseAllDocuments(output.stdout)
        .map((document) => document.toJS() as K8sObject | null)
        .filter((object): object is K8sObject => object !== null),
    );
  }
  for (const profile of inReleaseProfiles) {
    const output = helm("template", otherRelease, chart, "--namespace", "elsewhere", ...profiles[profile]);
    if (output.code !== 0) throw new Error(`helm template ${otherRelease} (${profile}) failed: ${output.stderr}`);
    renderedAsOther.set(profile, parseObjects(output.stdout));
  }
}, 300_000);

const objects = (profile: keyof typeof profiles, kind?: string) =>
  (rendered.get(profile) ?? []).filter((object) => !kind || object.kind === kind);
const named = (profile: keyof typeof profiles, kind: string, name: string) =>
  objects(profile, kind).find((object) => object.metadata.name === `booking-rush-${name}`);

/** The kubernetes-models class for an object, by its apiVersion and kind. */
async function modelOf(object: K8sObject) {
  const [group, version] = object.apiVersion.includes("/") ? object.apiVersion.split("/") : ["", object.apiVersion];
  const module =
    group === "keda.sh"
      ? `@kubernetes-models/keda/keda.sh/${version}`
      : group === "monitoring.coreos.com"
        ? `@kubernetes-models/prometheus-operator/monitoring.coreos.com/${version}`
        : group
          ? `kubernetes-models/${group}/${version}`
          : `kubernetes-models/${version}`;
  const exports = (await import(module)) as Record<string, new (data: unknown) => { validate(): void }>;
  const model = exports[object.kind];
  if (!model) throw new Error(`no schema for ${object.apiVersion} ${object.kind}`);
  return model;
}

const podSpecs = (profile: keyof typeof profiles) => [
  ...objects(profile, "Deployment").map((object) => ({ name: object.metadata.name, spec: object.spec.template.spec })),
  ...objects(profile, "StatefulSet").map((object) => ({ name: object.metadata.name, spec: object.spec.template.spec })),
  ...objects(profile, "CronJob").map((object) => ({ name: object.metadata.name, spec: object.spec.jobTemplate.spec.template.spec })),
  ...objects(profile, "Job").map((object) => ({ name: object.metadata.name, spec: object.spec.template.spec })),
];

describe("umbrella chart", () => {
  for (const [profile, files] of Object.entries(profiles)) {
    test(`helm lint passes (${profile} profile)`, () => {
      const lint = helm("lint", chart, ...files);
      expect(lint.stderr + lint.stdout).toContain("0 chart(s) failed");
      expect(lint.code).toBe(0);
    });

    test(`every rendered object is valid against its Kubernetes or CRD schema (${profile} profile)`, async () => {
      const all = objects(profile as keyof typeof profiles);
      expect(all.length).toBeGreaterThan(30);
      for (const object of all) {
        const Model = await modelOf(object);
        try {
          new Model(object).validate();
        } catch (error) {
          throw new Error(`${object.kind} ${object.metadata.name}: ${error instanceof Error ? error.message : String(error)}`);
        }
      }
    });

    test(`every container: resources, non-root, a versioned image, probes; ours read-only on /healthz and /readyz (${profile} profile)`, () => {
      const ours = (image: string) => image.split(":")[0]!.endsWith("booking-rush");
      for (const { name, spec } of podSpecs(profile as keyof typeof profiles)) {
        for (const container of spec.containers) {
          const where = `${name}/${container.name}`;
          expect(container.resources?.requests?.cpu, where).toBeDefined();
          expect(container.resources?.requests?.memory, where).toBeDefined();
          expect(container.resources?.limits?.memory, where).toBeDefined();
          expect(container.securityContext, where).toMatchObject({
            runAsNonRoot: true,
            allowPrivilegeEscalation: false,
            capabilities: { drop: ["ALL"] },
          });
          expect(container.image, where).toMatch(/:[\w.-]+$/);
          expect(container.image.endsWith(":latest"), where).toBe(false);
          if (ours(container.image)) expect(container.securityContext.readOnlyRootFilesystem, where).toBe(true);
        }
      }
      for (const workload of [
        ...objects(profile as keyof typeof profiles, "Deployment"),
        ...objects(profile as keyof typeof profiles, "StatefulSet"),
      ]) {
        for (const container of workload.spec.template.spec.containers) {
          expect(container.livenessProbe, `${workload.metadata.name}/${container.name}`).toBeDefined();
          expect(container.readinessProbe, `${workload.metadata.name}/${container.name}`).toBeDefined();
        }
      }
      for (const deployment of objects(profile as keyof typeof profiles, "Deployment").filter(
        (object) => object.metadata.labels?.["booking-rush/kind"],
      )) {
        const [container] = deployment.spec.template.spec.containers;
        expect(container.livenessProbe?.httpGet?.path, deployment.metadata.name).toBe("/healthz");
        expect(container.readinessProbe?.httpGet?.path, deployment.metadata.name).toBe("/readyz");
        expect(
          named(profile as keyof typeof profiles, "PodDisruptionBudget", deployment.metadata.name.replace("booking-rush-", "")),
          deployment.metadata.name,
        ).toBeDefined();
      }
    });
  }

  for (const profile of Object.keys(profiles) as (keyof typeof profiles)[]) {
    test(`every process's container runs services/<package>/bin/<its chart key>.ts under no other SERVICE_NAME (${profile} profile)`, () => {
      // The services' Deployments (a dependency's carry no booking-rush/kind) and the reconciler's CronJob.
      const workloads = [
        ...objects(profile, "Deployment")
          .filter((object) => object.metadata.labels?.["booking-rush/kind"])
          .map((object) => ({ object, spec: object.spec.template.spec })),
        ...objects(profile, "CronJob").map((object) => ({ object, spec: object.spec.jobTemplate.spec.template.spec })),
      ];
      expect(workloads.length, profile).toBeGreaterThanOrEqual(11);
      for (const { object, spec } of workloads) {
        const key = object.metadata.labels?.["app.kubernetes.io/name"];
        const [container] = spec.containers;
        expect(object.metadata.name, key).toBe(`booking-rush-${key}`);
        expect(container.args, object.metadata.name).toHaveLength(1);
        expect(container.args[0], object.metadata.name).toMatch(new RegExp(`^services/[a-z0-9-]+/bin/${key}\\.ts$`));
        const serviceName = container.env?.find((variable: { name: string }) => variable.name === "SERVICE_NAME");
        expect(serviceName?.value ?? key, object.metadata.name).toBe(key);
      }
    });
  }

  test("API services scale on CPU with an HPA (min 2, max 10, 60 s scale-down), booking also on requests per second", () => {
    for (const name of ["auth", "catalog", "booking", "payment"]) {
      const hpa = named("default", "HorizontalPodAutoscaler", name);
      expect(hpa, name).toBeDefined();
      expect(hpa!.spec).toMatchObject({ minReplicas: 2, maxReplicas: 10, behavior: { scaleDown: { stabilizationWindowSeconds: 60 } } });
      expect(hpa!.spec.metrics[0]).toMatchObject({ type: "Resource", resource: { name: "cpu" } });
    }
    const booking = named("default", "HorizontalPodAutoscaler", "booking")!;
    expect(booking.spec.metrics).toContainEqual({
      type: "Resource",
      resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 60 } },
    });
    expect(booking.spec.metrics.some((metric: { type: string }) => metric.type === "Pods")).toBe(true);
  });

  test("Kafka workers scale on consumer lag with KEDA: payment 1000, notification 5000, projector 500; min 2, max 10, 60 s cool-down", () => {
    const thresholds = { "payment-worker": "1000", notification: "5000", projector: "500", "payment-saga": "1000" };
    for (const [name, lag] of Object.entries(thresholds)) {
      const scaled = named("default", "ScaledObject", name);
      expect(scaled, name).toBeDefined();
      expect(scaled!.spec).toMatchObject({
        minReplicaCount: 2,
        maxReplicaCount: 10,
        cooldownPeriod: 60,
        scaleTargetRef: { name: `booking-rush-${name}` },
      });
      for (const trigger of scaled!.spec.triggers) expect(trigger).toMatchObject({ type: "kafka", metadata: { lagThreshold: lag } });
      // KEDA owns the replica count: the Deployment does not fight it.
      expect(named("default", "Deployment", name)!.spec.replicas).toBeUndefined();
    }
  });

  test("the reconciler is a CronJob every minute that never overlaps; migrations run as a pre-install/pre-upgrade hook", () => {
    const cron = named("default", "CronJob", "reconciler")!;
    expect(cron.spec).toMatchObject({ schedule: "* * * * *", concurrencyPolicy: "Forbid" });
    const migrate = named("default", "Job", "migrate")!;
    expect(migrate.metadata.annotations?.["helm.sh/hook"]).toBe("pre-install,pre-upgrade");
    expect(migrate.spec.template.spec.containers[0].args).toEqual(["drizzle/migrate.ts"]);
  });

  test("with the in-release PostgreSQL, an install migrates with an ordinary Job (the services wait for it), an upgrade with a pre-upgrade hook", () => {
    const install = named("kind", "Job", "migrate-install")!;
    expect(install.metadata.annotations?.["helm.sh/hook"]).toBeUndefined();
    expect(install.spec.template.spec.containers[0].args).toEqual(["drizzle/migrate.ts"]);
    expect(named("kind", "Job", "migrate")).toBeUndefined();
    const upgrade = helm("template", "booking-rush", chart, "--namespace", "booking-rush", "--is-upgrade", ...profiles.kind);
    expect(upgrade.code).toBe(0);
    const jobs = parseObjects(upgrade.stdout).filter((object) => object.kind === "Job");
    expect(jobs.map((job) => [job.metadata.name, job.metadata.annotations?.["helm.sh/hook"]])).toEqual([
      ["booking-rush-migrate", "pre-install,pre-upgrade"],
    ]);
    // Where each reads DATABASE_URL: the install's Job the release's Secret; the hook its own Secret,
    // a hook too, deleted once the hooks succeeded (helm uninstall leaves hook resources behind).
    const secretOf = (job: K8sObject) =>
      job.spec.template.spec.containers[0].env.find((variable: { name: string }) => variable.name === "DATABASE_URL").valueFrom.secretKeyRef
        .name;
    expect(secretOf(install)).toBe("booking-rush-secrets");
    expect(named("kind", "Secret", "migrate")).toBeUndefined();
    expect(secretOf(jobs[0]!)).toBe("booking-rush-migrate");
    const hookSecret = parseObjects(upgrade.stdout).find(
      (object) => object.kind === "Secret" && object.metadata.name === "booking-rush-migrate",
    )!;
    expect(hookSecret.metadata.annotations).toMatchObject({
      "helm.sh/hook": "pre-install,pre-upgrade",
      "helm.sh/hook-delete-policy": "before-hook-creation,hook-succeeded",
    });
  });

  test("a stopping service pod keeps serving 5 s before SIGTERM (preStop sleep inside its grace period); jobs do not wait", () => {
    for (const profile of ["default", "production", "ci"] as const) {
      const deployments = objects(profile, "Deployment").filter((object) => object.metadata.labels?.["booking-rush/kind"]);
      expect(deployments.length).toBeGreaterThan(5);
      for (const deployment of deployments) {
        const pod = deployment.spec.template.spec;
        expect(pod.containers[0].lifecycle?.preStop, `${profile} ${deployment.metadata.name}`).toEqual({ sleep: { seconds: 5 } });
        expect(pod.terminationGracePeriodSeconds).toBeGreaterThan(5);
      }
      const jobs = [
        ...objects(profile, "CronJob").map((cron) => cron.spec.jobTemplate.spec.template.spec),
        ...objects(profile, "Job").map((job) => job.spec.template.spec),
      ];
      for (const pod of jobs) expect(pod.containers[0].lifecycle).toBeUndefined();
    }
  });

  test("least RBAC: only the leader-electing workers (sweeper, queue admitter) may touch Leases, and nothing else", () => {
    const roles = objects("default", "Role");
    expect(roles.map((role) => role.metadata.name).sort()).toEqual(["booking-rush-expiry-sweeper", "booking-rush-queue-admitter"]);
    for (const role of roles)
      expect(role.rules).toEqual([{ apiGroups: ["coordination.k8s.io"], resources: ["leases"], verbs: ["get", "create", "update"] }]);
    for (const account of objects("default", "ServiceAccount"))
      expect(account.automountServiceAccountToken, account.metadata.name).toBe(false);
  });

  test("the ingress routes each /api/v1 prefix to its service, with TLS in production and none on kind", () => {
    const ingress = objects("production", "Ingress")[0]!;
    const routes = Object.fromEntries(
      ingress.spec.rules[0].http.paths.map((path: { path: string; backend: { service: { name: string } } }) => [
        path.path,
        path.backend.service.name,
      ]),
    );
    expect(routes).toMatchObject({
      "/api/v1/auth": "booking-rush-auth",
      "/api/v1/events": "booking-rush-catalog",
      "/api/v1/bookings": "booking-rush-booking",
      "/api/v1/admin": "booking-rush-booking",
      "/api/v1/admin/users": "booking-rush-auth",
      "/api/v1/admin/events": "booking-rush-catalog",
      "/api/v1/payments": "booking-rush-payment",
      "/": "booking-rush-web",
      "/assets": "booking-rush-web",
      "/events": "booking-rush-web",
    });
    for (const service of new Set(Object.values(routes)))
      expect(objects("production", "Service").some((object) => object.metadata.name === service)).toBe(true);
    expect(ingress.spec.tls).toEqual([{ hosts: ["api.booking-rush.example.com"], secretName: "booking-rush-api-tls" }]);
    expect(objects("kind", "Ingress")[0]!.spec.tls).toBeUndefined();
  });

  test("the ingress sends every public route of each service (its route plugins) to that service's Service", () => {
    const routes = publicRoutes();
    expect(routes.length).toBeGreaterThan(30);
    for (const profile of ["production", "kind", "ci"] as const) {
      const paths = objects(profile, "Ingress")[0]!.spec.rules[0].http.paths;
      const misrouted = routes
        .map((route) => {
          const path = route.path.replaceAll(/:[a-z_]+/g, "x");
          return { route: `${route.method} ${route.path}`, expected: `booking-rush-${route.service}`, got: ingressBackend(paths, path) };
        })
        .filter((route) => route.got !== route.expected);
      expect({ profile, misrouted }).toEqual({ profile, misrouted: [] });
    }
    // The matching is the Ingress API's: by path element, the longest prefix first.
    const paths = objects("ci", "Ingress")[0]!.spec.rules[0].http.paths;
    expect(ingressBackend(paths, "/api/v1/administrator")).toBeUndefined();
    expect(ingressBackend(paths, "/api/v1/admin/users/x/role")).toBe("booking-rush-auth");
    expect(ingressBackend(paths, "/api/v1/admin/inventory-status")).toBe("booking-rush-booking");
    expect(ingressBackend(paths, "/api/v1/admin/events/x/queue/pause")).toBe("booking-rush-catalog");
  });

  test("the ingress sends the web app its pages and assets, and nothing of the kernel or an unknown /api path", () => {
    for (const profile of ["production", "kind", "ci"] as const) {
      const paths = objects(profile, "Ingress")[0]!.spec.rules[0].http.paths;
      const pages = [...clientPages.map((page) => page.replace("*", "x/y")), "/assets/main-0a1b2c3d.js"];
      const misrouted = pages.filter((page) => ingressBackend(paths, page) !== "booking-rush-web");
      expect({ profile, misrouted }).toEqual({ profile, misrouted: [] });
      for (const kernelPath of ["/metrics", "/healthz", "/readyz", "/openapi", "/openapi/json", "/api/v1/no-such-route", "/eventsx"])
        expect(ingressBackend(paths, kernelPath), `${profile} ${kernelPath}`).not.toBe("booking-rush-web");
    }
  });

  test("the CI profile's Ingress is Traefik's, on a host that names no release", () => {
    for (const rendering of [objects("ci", "Ingress"), (renderedAsOther.get("ci") ?? []).filter((object) => object.kind === "Ingress")]) {
      expect(rendering.length).toBe(1);
      expect(rendering[0]!.spec.ingressClassName).toBe("traefik");
      expect(rendering[0]!.spec.rules.map((rule: { host: string }) => rule.host)).toEqual(["booking-rush.cluster.test"]);
      expect(rendering[0]!.spec.tls).toBeUndefined();
    }
  });

  test("values are checked against values.schema.json: a latest tag or an unknown key is refused", () => {
    expect(helm("template", "booking-rush", chart, "--set", "image.tag=latest").code).not.toBe(0);
    expect(helm("template", "booking-rush", chart, "--set", "services.booking.replicaz=3").code).not.toBe(0);
    expect(helm("template", "booking-rush", chart, "--set", "services.booking.kind=daemon").code).not.toBe(0);
  });

  test("every ConfigMap and Secret key is a setting the services read, and secret settings are only ever in the Secret", () => {
    const settings = new Map(describeSettings(settingsCatalog).map((row) => [row.name, row]));
    for (const profile of Object.keys(profiles) as (keyof typeof profiles)[]) {
      const configMap = objects(profile, "ConfigMap").find((object) => object.metadata.name === "booking-rush-config")!;
      for (const key of Object.keys(configMap.data ?? {})) {
        expect(settings.has(key), `${profile}: ConfigMap key ${key}`).toBe(true);
        expect(settings.get(key)?.secret, `${profile}: ${key} is secret and must not be in the ConfigMap`).toBe(false);
      }
      for (const secret of objects(profile, "Secret").filter((object) =>
        ["booking-rush-secrets", "booking-rush-migrate"].includes(object.metadata.name),
      )) {
        for (const key of Object.keys(secret.stringData ?? {})) expect(settings.has(key), `${profile}: Secret key ${key}`).toBe(true);
      }
    }
    // Every secret setting the services need in a cluster has its place in the Secret's values.
    const secretSettings = [...settings.values()].filter((row) => row.secret).map((row) => row.name);
    expect(secretSettings).toEqual(expect.arrayContaining(["DATABASE_URL", "JWT_SECRET", "QUEUE_PASS_SECRET", "REDLOCK_URLS"]));
  });

  test("without KEDA in the cluster the Kafka workers run fixed replicas and no ScaledObject is rendered", () => {
    const output = helm("template", "booking-rush", chart, "--set", "dependencies.keda.enabled=false");
    expect(output.code).toBe(0);
    const rendered = parseAllDocuments(output.stdout)
      .map((document) => document.toJS() as K8sObject | null)
      .filter((object): object is K8sObject => object !== null);
    expect(rendered.filter((object) => object.kind === "ScaledObject")).toEqual([]);
    const projector = rendered.find((object) => object.kind === "Deployment" && object.metadata.name === "booking-rush-projector")!;
    expect(projector.spec.replicas).toBe(2);
  });

  test("kind: every dependency in the release, wired: Sentinels watch the first Redis, the URLs the services get name the in-release servers", () => {
    for (const name of ["redis", "redis-sentinel", "redis-lock", "postgresql", "kafka"])
      expect(named("kind", "StatefulSet", name), name).toBeDefined();
    for (const name of ["otel-collector", "jaeger", "prometheus", "grafana"]) expect(named("kind", "Deployment", name), name).toBeDefined();
    const secret = objects("kind", "Secret").find((object) => object.metadata.name === "booking-rush-secrets")!;
    expect(secret.stringData.DATABASE_URL).toBe("postgres://booking_rush:booking_rush@booking-rush-postgresql:5432/booking_rush");
    expect(secret.stringData.REDLOCK_URLS.split(",")).toEqual(
      [0, 1, 2].map((index) => `redis://:booking-rush-dev@booking-rush-redis-lock-${index}.booking-rush-redis-lock:6379`),
    );
    const config = objects("kind", "ConfigMap").find((object) => object.metadata.name === "booking-rush-config")!;
    expect(config.data).toMatchObject({ REDIS_SENTINELS: "booking-rush-redis-sentinel:26379", KAFKA_BROKERS: "booking-rush-kafka:9092" });
    expect(objects("kind", "Service").map((service) => service.metadata.name)).toEqual(
      expect.arrayContaining([
        "booking-rush-redis-sentinel",
        "booking-rush-kafka",
        "booking-rush-postgresql",
        "booking-rush-grafana",
        "booking-rush-jaeger-query",
      ]),
    );
    // Prometheus carries the alert rules itself where there is no operator; Grafana gets every dashboard.
    expect(objects("kind", "PrometheusRule")).toEqual([]);
    const prometheus = objects("kind", "ConfigMap").find((object) => object.metadata.name === "booking-rush-prometheus")!;
    expect(prometheus.data["alerts.yml"]).toContain("BookingRushLowStock");
    const grafana = named("kind", "Deployment", "grafana")!;
    const dashboards = grafana.spec.template.spec.volumes.find((volume: { name: string }) => volume.name === "dashboards");
    expect(dashboards.projected.sources).toHaveLength(4);
  });

  test("the in-release Redis is a master and two replicas, writes need one in sync, a memory ceiling without eviction, drained a pod at a time (kind, and production when turned on)", () => {
    const output = helm(
      "template",
      "booking-rush",
      chart,
      "--namespace",
      "booking-rush",
      ...profiles.production,
      "--set",
      "dependencies.redis.enabled=true",
    );
    expect(output.code).toBe(0);
    const production = parseAllDocuments(output.stdout)
      .map((document) => document.toJS() as K8sObject | null)
      .filter((object): object is K8sObject => object !== null);
    for (const [profile, rendered] of [
      ["kind", objects("kind")],
      ["production", production],
    ] as const) {
      const find = (kind: string) => rendered.find((object) => object.kind === kind && object.metadata.name === "booking-rush-redis");
      const redis = find("StatefulSet")!;
      expect({ profile, pods: redis.spec.replicas }).toEqual({ profile, pods: 3 });
      const script = redis.spec.template.spec.containers[0].args[0] as string;
      expect(script).toContain("--min-replicas-to-write 1");
      // A ceiling under the container's limit, and never an evicted hold.
      expect(script).toContain(`--maxmemory ${profile === "kind" ? "384mb" : "768mb"} --maxmemory-policy noeviction`);
      // A restarted pod asks the Sentinels who is master before it starts (pod 0 is not always master).
      expect(script).toContain("SENTINEL get-master-addr-by-name mymaster");
      expect(find("PodDisruptionBudget")?.spec).toMatchObject({
        maxUnavailable: 1,
        selector: { matchLabels: redis.spec.selector.matchLabels },
      });
    }
  });

  test("a dependency turned on without its password is refused at render time, naming the value", () => {
    const output = helm("template", "booking-rush", chart, "--set", "dependencies.postgresql.enabled=true");
    expect(output.code).not.toBe(0);
    expect(output.stderr).toContain("dependencies.postgresql.password is required");
  });

  test("every alert's expression selects metrics the code exports (or the scrape itself)", () => {
    const rule = objects("default", "PrometheusRule")[0]!;
    const rules = rule.spec.groups.flatMap((group: { rules: { alert: string; expr: string }[] }) => group.rules);
    expect(rules.map((alert: { alert: string }) => alert.alert)).toEqual(
      expect.arrayContaining([
        "BookingRushHighErrorRate",
        "BookingRushHighLatency",
        "BookingRushServiceDown",
        "BookingRushLowStock",
        "BookingRushQueueBacklog",
        "BookingRushRedisHighMemory",
        "BookingRushReconcilerFailing",
        "BookingRushProjectorStalled",
        "BookingRushQueueAdmitterStalled",
        "BookingRushNotificationsDeadLettering",
        "BookingRushMetricsStale",
      ]),
    );
    // The only series from outside the code: Prometheus' own `up`. Redis memory is read by the booking service (no exporter needed).
    const external = new Set(["up"]);
    const known = new Set([...selectableNames, ...external]);
    for (const alert of rules) expect(unknownMetrics(alert.expr, known), alert.alert).toEqual([]);
    expect(unknownMetrics("rate(not_exported_total[5m])", known)).toEqual(["not_exported_total"]);
  });

  test("the mock gateway binds every interface in a pod: the chart sets MOCK_GATEWAY_HOST=0.0.0.0 and its port", () => {
    for (const profile of inReleaseProfiles) {
      const [container] = named(profile, "Deployment", "mock-gateway")!.spec.template.spec.containers;
      const env = Object.fromEntries(
        container.env
          .filter((variable: { value?: string }) => variable.value !== undefined)
          .map((variable: { name: string; value: string }) => [variable.name, variable.value]),
      );
      expect({ profile, host: env.MOCK_GATEWAY_HOST }).toEqual({ profile, host: "0.0.0.0" });
      expect(Number(env.MOCK_GATEWAY_PORT), profile).toBe(
        container.ports.find((port: { name: string }) => port.name === "http").containerPort,
      );
      expect(container.readinessProbe.httpGet.path, profile).toBe("/readyz");
      // It serves no /metrics: not scraped (a 404 target would read as a service down); every
      // other service and worker is.
      const deployments = objects(profile, "Deployment").filter((object) => object.metadata.labels?.["booking-rush/kind"]);
      const scraped = deployments
        .filter((deployment) => deployment.spec.template.metadata.annotations?.["prometheus.io/scrape"] === "true")
        .map((deployment) => deployment.metadata.name);
      expect(scraped.sort()).toEqual(
        deployments
          .map((deployment) => deployment.metadata.name)
          .filter((name) => !name.endsWith("-mock-gateway"))
          .sort(),
      );
    }
  });

  for (const profile of inReleaseProfiles) {
    for (const release of ["booking-rush", otherRelease]) {
      test(`every host name the ${profile} profile configures is a Service of the same release (release ${release})`, () => {
        const all = release === otherRelease ? renderedAsOther.get(profile)! : objects(profile);
        const hosts = configuredHosts(all, release, release === otherRelease ? "elsewhere" : "booking-rush");
        // What the services are told: each names an in-release part.
        expect(Object.keys(hosts)).toEqual(
          expect.arrayContaining([
            "REDIS_SENTINELS",
            "KAFKA_BROKERS",
            "OTEL_EXPORTER_OTLP_ENDPOINT",
            "SMTP_HOST",
            "PAYMENT_GATEWAY_URL",
            "DATABASE_URL",
            "REDLOCK_URLS",
          ]),
        );
        const services = new Set(all.filter((object) => object.kind === "Service").map((object) => object.metadata.name));
        const statefulSets = all.filter((object) => object.kind === "StatefulSet");
        const problems: string[] = [];
        for (const [setting, names] of Object.entries(hosts)) {
          for (const host of names) {
            // A Service name, or pod.service of a StatefulSet's headless Service (an ordinal it runs).
            const [first, second] = host.split(".");
            const service = second ?? first!;
            if (!service.startsWith(`${release}-`)) problems.push(`${setting}: ${host} is not named from the release`);
            if (!services.has(service)) problems.push(`${setting}: ${host} has no Service ${service} in the release`);
            if (second) {
              const set = statefulSets.find((object) => object.spec.serviceName === service);
              const ordinal = Number(first!.slice(first!.lastIndexOf("-") + 1));
              if (!set || first !== `${set.metadata.name}-${ordinal}` || ordinal >= set.spec.replicas)
                problems.push(`${setting}: ${host} is no pod of a StatefulSet behind ${service}`);
            }
          }
        }
        expect(problems).toEqual([]);
      });
    }
  }

  test("KEDA's operator, in its own namespace, is told the in-release Kafka by its namespaced name", () => {
    const output = helm("template", "ci", chart, "--namespace", "shop", ...profiles.ci, "-f", `${chart}/values-ci-scaling.yaml`);
    expect(output.code).toBe(0);
    const scaled = parseObjects(output.stdout).filter((object) => object.kind === "ScaledObject");
    expect(scaled.length).toBe(4);
    const servers = new Set(
      scaled.flatMap((object) =>
        object.spec.triggers.map((trigger: { metadata: { bootstrapServers: string } }) => trigger.metadata.bootstrapServers),
      ),
    );
    expect([...servers]).toEqual(["ci-kafka.shop.svc:9092"]);
  });

  test("the checks of configured hosts catch a name that is not rendered (an SMTP_HOST of another release)", () => {
    const all = objects("kind").map((object) =>
      object.kind === "ConfigMap" && object.metadata.name === "booking-rush-config"
        ? { ...object, data: { ...object.data, SMTP_HOST: "elsewhere-smtp" } }
        : object,
    );
    const hosts = configuredHosts(all, "booking-rush", "booking-rush");
    const services = new Set(all.filter((object) => object.kind === "Service").map((object) => object.metadata.name));
    expect(hosts.SMTP_HOST).toEqual(["elsewhere-smtp"]);
    expect(services.has("elsewhere-smtp")).toBe(false);
    expect(services.has("booking-rush-smtp")).toBe(true);
  });

  // A 2-core node has 2000m allocatable. The control plane, kubelet and containerd run beside the pods
  // (about 0.85 GB and a good share of a core at rest), CoreDNS and a k6 runner or ingress pod need
  // room, and a rolling update surges one pod per Deployment: the release may request at most 1.5 CPU.
  // Memory: at most 4 GiB, a quarter of a small 16 GB node after the control plane.
  const budget = { cpuMillis: 1500, memoryMiB: 4096 };
  for (const profile of ["kind", "ci"] as const) {
    test(`the ${profile} profile's pods request at most ${budget.cpuMillis / 1000} CPU and ${budget.memoryMiB} MiB: they fit a 2-core node`, () => {
      const total = requestedResources(objects(profile));
      console.log(`${profile} profile requests: ${total.cpuMillis}m CPU, ${total.memoryMiB} MiB`);
      expect(total.cpuMillis).toBeGreaterThan(0);
      expect(total.cpuMillis).toBeLessThanOrEqual(budget.cpuMillis);
      expect(total.memoryMiB).toBeLessThanOrEqual(budget.memoryMiB);
    });
  }

  test("the sum counts every pod: replicas of Deployments and StatefulSets (an HPA's minimum), one run of each Job and CronJob", () => {
    const pod = (cpu: string, memory: string) => ({ spec: { containers: [{ resources: { requests: { cpu, memory } } }] } });
    const total = requestedResources([
      { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "a" }, spec: { replicas: 3, template: pod("100m", "128Mi") } },
      { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "b" }, spec: { template: pod("0.5", "1Gi") } },
      {
        apiVersion: "autoscaling/v2",
        kind: "HorizontalPodAutoscaler",
        metadata: { name: "b" },
        spec: { minReplicas: 2, scaleTargetRef: { kind: "Deployment", name: "b" } },
      },
      { apiVersion: "apps/v1", kind: "StatefulSet", metadata: { name: "c" }, spec: { replicas: 2, template: pod("50m", "64Mi") } },
      {
        apiVersion: "batch/v1",
        kind: "CronJob",
        metadata: { name: "d" },
        spec: { jobTemplate: { spec: { template: pod("25m", "32Mi") } } },
      },
      { apiVersion: "batch/v1", kind: "Job", metadata: { name: "e" }, spec: { template: pod("25m", "32Mi") } },
    ]);
    expect(total).toEqual({ cpuMillis: 300 + 1000 + 100 + 25 + 25, memoryMiB: 384 + 2048 + 128 + 32 + 32 });
  });

  test("the CI profile: one replica of each service but two of booking, no Grafana, no KEDA or HPA, every in-release dependency and the SMTP sink", () => {
    expect(named("ci", "Deployment", "grafana")).toBeUndefined();
    expect(objects("ci", "ScaledObject")).toEqual([]);
    expect(objects("ci", "HorizontalPodAutoscaler")).toEqual([]);
    for (const deployment of objects("ci", "Deployment").filter((object) => object.metadata.labels?.["booking-rush/kind"])) {
      // The cluster test deletes a booking pod under load: the other one serves meanwhile.
      expect(deployment.spec.replicas, deployment.metadata.name).toBe(deployment.metadata.name.endsWith("-booking") ? 2 : 1);
    }
    for (const name of ["redis", "redis-sentinel", "redis-lock", "postgresql", "kafka"])
      expect(named("ci", "StatefulSet", name), name).toBeDefined();
    for (const name of ["otel-collector", "jaeger", "prometheus", "smtp", "mock-gateway"])
      expect(named("ci", "Deployment", name), name).toBeDefined();
    expect(objects("ci", "ConfigMap").find((object) => object.metadata.name === "booking-rush-config")!.data).toMatchObject({
      SMTP_HOST: "booking-rush-smtp",
      SMTP_PORT: "1025",
    });
  });

  test("with the Prometheus Operator a PodMonitor scrapes every service's and worker's pods on their http port, and the operator's selectors find it and the rules", () => {
    const [monitor] = objects("default", "PodMonitor");
    expect(monitor).toBeDefined();
    const labels = { release: "kube-prometheus-stack", "app.kubernetes.io/instance": "booking-rush" };
    expect(monitor!.metadata.labels).toMatchObject(labels);
    expect(objects("default", "PrometheusRule")[0]!.metadata.labels).toMatchObject(labels);
    expect(monitor!.spec.podMetricsEndpoints).toEqual([expect.objectContaining({ port: "http", path: "/metrics" })]);
    // The selector matches the pod template of every Deployment and the reconciler's CronJob, and no dependency's pods.
    const matches = (podLabels: Record<string, string>) =>
      Object.entries(monitor!.spec.selector.matchLabels as Record<string, string>).every(([key, value]) => podLabels[key] === value) &&
      (monitor!.spec.selector.matchExpressions as { key: string; operator: string; values: string[] }[]).every(
        (expression) => expression.operator === "In" && expression.values.includes(podLabels[expression.key]!),
      );
    const workloads = objects("default", "Deployment").map((object) => ({
      name: object.metadata.name,
      pod: object.spec.template,
      port: object.spec.template.spec.containers[0].ports?.[0]?.name,
    }));
    expect(workloads.length).toBeGreaterThanOrEqual(10);
    for (const workload of workloads) {
      expect(matches(workload.pod.metadata.labels), workload.name).toBe(true);
      expect(workload.port, workload.name).toBe("http");
    }
    for (const dependency of objects("kind", "StatefulSet"))
      expect(matches(dependency.spec.template.metadata.labels), dependency.metadata.name).toBe(false);
    // The reconciler's CronJob pods serve no /metrics (its last success reaches Prometheus through the booking service).
    expect(matches(named("default", "CronJob", "reconciler")!.spec.jobTemplate.spec.template.metadata.labels)).toBe(false);
    // The selector labels are the operator's to choose; without the operator neither object is rendered.
    const custom = helm("template", "booking-rush", chart, "--set", "alerts.operatorSelectorLabels.release=prom");
    expect(custom.code).toBe(0);
    expect(custom.stdout).toContain("release: prom\n");
    const none = helm("template", "booking-rush", chart, "--set", "alerts.prometheusOperator=false");
    expect(none.code).toBe(0);
    expect(none.stdout).not.toContain("kind: PodMonitor");
    expect(none.stdout).not.toContain("kind: PrometheusRule");
  });
});

/** Every host name the release's settings point the services (and its own parts) at, by setting. */
function configuredHosts(all: K8sObject[], release: string, namespace: string): Record<string, string[]> {
  const config = all.find((object) => object.kind === "ConfigMap" && object.metadata.name === `${release}-config`)!.data as Record<
    string,
    string
  >;
  const secret = (all.find((object) => object.kind === "Secret" && object.metadata.name === `${release}-secrets`)?.stringData ??
    {}) as Record<string, string>;
  const hostOfUrl = (url: string) => new URL(url).hostname;
  const hostsOfList = (list: string) => list.split(",").map((entry) => entry.slice(0, entry.lastIndexOf(":")));
  const hosts: Record<string, string[]> = {};
  if (config.REDIS_SENTINELS) hosts.REDIS_SENTINELS = hostsOfList(config.REDIS_SENTINELS);
  if (config.KAFKA_BROKERS) hosts.KAFKA_BROKERS = hostsOfList(config.KAFKA_BROKERS);
  if (config.SMTP_HOST) hosts.SMTP_HOST = [config.SMTP_HOST];
  if (config.OTEL_EXPORTER_OTLP_ENDPOINT) hosts.OTEL_EXPORTER_OTLP_ENDPOINT = [hostOfUrl(config.OTEL_EXPORTER_OTLP_ENDPOINT)];
  if (config.PAYMENT_GATEWAY_URL) hosts.PAYMENT_GATEWAY_URL = [hostOfUrl(config.PAYMENT_GATEWAY_URL)];
  if (secret.DATABASE_URL) hosts.DATABASE_URL = [hostOfUrl(secret.DATABASE_URL)];
  if (secret.REDLOCK_URLS) hosts.REDLOCK_URLS = secret.REDLOCK_URLS.split(",").map(hostOfUrl);
  // The parts' own wiring: the Collector's Jaeger exporter, Grafana's data sources, KEDA's brokers.
  for (const object of all.filter((candidate) => candidate.kind === "ConfigMap")) {
    for (const [key, text] of Object.entries((object.data ?? {}) as Record<string, string>)) {
      const source = `${object.metadata.name}/${key}`;
      for (const match of text.matchAll(/(?:url: https?:\/\/|endpoint: )([a-z][a-z0-9-]*)(?::\d+)/g))
        hosts[source] = [...(hosts[source] ?? []), match[1]!];
    }
  }
  for (const scaled of all.filter((candidate) => candidate.kind === "ScaledObject")) {
    // KEDA's operator reads these from its own namespace: they must name the release's namespace.
    for (const trigger of scaled.spec.triggers) {
      const names = hostsOfList(trigger.metadata.bootstrapServers);
      const suffix = `.${namespace}.svc`;
      hosts[`${scaled.metadata.name}/bootstrapServers`] = names.map((name) =>
        name.endsWith(suffix) ? name.slice(0, -suffix.length) : `${name} (not namespaced)`,
      );
    }
  }
  return hosts;
}

const cpuMillis = (quantity: string | number) =>
  String(quantity).endsWith("m") ? Number(String(quantity).slice(0, -1)) : Number(quantity) * 1000;
const memoryMiB = (quantity: string) => {
  const units: Record<string, number> = { Ki: 1 / 1024, Mi: 1, Gi: 1024 };
  const [, amount, unit] = /^(\d+(?:\.\d+)?)(Ki|Mi|Gi)$/.exec(quantity) ?? [];
  if (!amount || !unit) throw new Error(`memory quantity ${quantity} not understood`);
  return Number(amount) * units[unit]!;
};

/** What the release's pods request all together: replicas of each workload (an HPA's minimum when it owns them), one run of each Job and CronJob. */
function requestedResources(all: K8sObject[]) {
  const minimumOf = (name: string) =>
    all.find((object) => object.kind === "HorizontalPodAutoscaler" && object.spec.scaleTargetRef.name === name)?.spec.minReplicas;
  const pods = all.flatMap((object) => {
    if (object.kind === "Deployment" || object.kind === "StatefulSet")
      return [{ count: object.spec.replicas ?? minimumOf(object.metadata.name) ?? 1, spec: object.spec.template.spec }];
    if (object.kind === "Job") return [{ count: 1, spec: object.spec.template.spec }];
    if (object.kind === "CronJob") return [{ count: 1, spec: object.spec.jobTemplate.spec.template.spec }];
    return [];
  });
  let cpu = 0;
  let memory = 0;
  for (const { count, spec } of pods) {
    for (const container of spec.containers) {
      cpu += count * cpuMillis(container.resources.requests.cpu);
      memory += count * memoryMiB(container.resources.requests.memory);
    }
  }
  return { cpuMillis: cpu, memoryMiB: memory };
}

/** The images scripts/images builds (the one list of them): name → reference. */
function builtImages(): Map<string, string> {
  const list = Bun.spawnSync(["bash", `${root}/scripts/images`, "list"], { cwd: root, stdout: "pipe", stderr: "pipe" });
  if (list.exitCode !== 0) throw new Error(`scripts/images list failed: ${list.stderr.toString()}`);
  return new Map(
    list.stdout
      .toString()
      .trim()
      .split("\n")
      .map((line) => line.split(" ") as [string, string]),
  );
}

describe("the CI profile's images (scripts/images, no registry)", () => {
  test("every image the CI profile runs is one scripts/images builds, the service image never pulled", () => {
    const built = builtImages();
    const serviceReference = built.get("booking-rush") ?? "";
    const serviceRepository = serviceReference.slice(0, serviceReference.lastIndexOf(":"));
    expect(serviceRepository).toBe("booking-rush.local/booking-rush");
    const references = new Set(built.values());
    const used = new Set<string>();
    for (const { name, spec } of podSpecs("ci")) {
      for (const container of [...(spec.initContainers ?? []), ...spec.containers]) {
        if (container.image.startsWith(`${serviceRepository}:`)) {
          expect(container.imagePullPolicy, `${name}/${container.name}`).toBe("Never");
          used.add(serviceReference);
        } else {
          expect(references.has(container.image), `${name}/${container.name}: ${container.image}`).toBe(true);
          used.add(container.image);
        }
      }
    }
    // And nothing is built that the profile does not run.
    expect([...used].sort()).toEqual([...references].sort());
  });

  test("the local OTel Collector has every component the chart's collector config uses", () => {
    const configMap = objects("ci", "ConfigMap").find((object) => object.metadata.name === "booking-rush-otel-collector");
    const config = parse(configMap?.data["config.yaml"]) as Record<string, Record<string, unknown>>;
    const builder = readFileSync(`${root}/scripts/otelcol/builder-config.yaml`, "utf8");
    const kinds = { receivers: "receiver", processors: "processor", exporters: "exporter", extensions: "extension" } as const;
    for (const [section, kind] of Object.entries(kinds)) {
      for (const id of Object.keys(config[section] ?? {})) {
        const type = (id.split("/")[0] ?? id).replaceAll("_", "");
        expect(builder, `${section}.${id}`).toMatch(new RegExp(`/${type}${kind} v`));
      }
    }
  });
});
