/**
 * Every image the chart's CI profile runs (scripts/images), proven to work WITHOUT a cluster: each
 * archive is unpacked the way a runtime would (its layers in order, whiteouts applied), and the
 * container the chart renders (values-kind.yaml + values-ci.yaml) is run from it as the chart says:
 * its command/args over the image's entrypoint/cmd, its env (Secrets and ConfigMaps resolved), its
 * user, its volumes (emptyDirs as tmpfs, ConfigMaps as files), a read-only root where the chart asks
 * for one. Everything runs in a network namespace of the test's own with loopback only, each
 * container in its own mount and PID namespace (which go away with it), and is ended by pid.
 * Runs as root, as CI does. beforeAll builds what is missing or changed (`scripts/images build`, one
 * image at a time; nothing for unchanged images; a cold build with the Go programs is ~16 min).
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { type Subprocess, spawn } from "bun";
import { parseAllDocuments } from "yaml";
import { type Run, root, runCommand as run } from "./support";

const chart = join(root, "charts/booking-rush");
const release = "booking-rush";
/** The namespace the chart is rendered for: the Kafka broker advertises its namespaced Service name. */
const namespace = "booking-rush";

function mustRun(command: string[]): string {
  const result = run(command);
  if (result.code !== 0) throw new Error(`${command.join(" ")} failed (${result.code}): ${result.stderr.slice(-2000)}`);
  return result.stdout;
}
const quote = (text: string) => `'${text.replaceAll("'", `'\\''`)}'`;

// ---- the chart, rendered as the CI profile ------------------------------------------------------

// biome-ignore lint/suspicious/noExplicitAny: rendered Kubernetes objects of every kind
type KubeValue = any;
type K8sObject = {
  kind: string;
  metadata: { name: string };
  spec?: KubeValue;
  data?: Record<string, string>;
  stringData?: Record<string, string>;
};
// biome-ignore lint/suspicious/noExplicitAny: a rendered container
type Container = any;
type Workload = { podSecurity: { fsGroup?: number }; container: Container; volumes: Container[] };

let objects: K8sObject[] = [];
let images = new Map<string, { reference: string; archive: string }>();

function workload(name: string, containerName?: string): Workload {
  const object = objects.find((item) => ["Deployment", "StatefulSet"].includes(item.kind) && item.metadata.name === `${release}-${name}`);
  if (!object) throw new Error(`the CI profile renders no workload ${release}-${name}`);
  const spec = object.spec.template.spec;
  const container = containerName ? spec.containers.find((item: Container) => item.name === containerName) : spec.containers[0];
  return { podSecurity: spec.securityContext ?? {}, container, volumes: spec.volumes ?? [] };
}

function secretValue(name: string, key: string): string {
  const secret = objects.find((item) => item.kind === "Secret" && item.metadata.name === name);
  const value = secret?.stringData?.[key] ?? (secret?.data?.[key] ? Buffer.from(secret.data[key], "base64").toString() : undefined);
  if (value === undefined) throw new Error(`no ${key} in Secret ${name}`);
  return value;
}
function configMapData(name: string): Record<string, string> {
  const configMap = objects.find((item) => item.kind === "ConfigMap" && item.metadata.name === name);
  if (!configMap?.data) throw new Error(`no ConfigMap ${name}`);
  return configMap.data;
}

/** The container's environment as the kubelet would give it: envFrom, then env (valueFrom resolved). */
function containerEnv(container: Container): Record<string, string> {
  const env: Record<string, string> = {};
  for (const source of container.envFrom ?? []) {
    if (source.configMapRef) Object.assign(env, configMapData(source.configMapRef.name));
    if (source.secretRef) {
      const secret = objects.find((item) => item.kind === "Secret" && item.metadata.name === source.secretRef.name);
      for (const key of Object.keys({ ...secret?.stringData, ...secret?.data })) env[key] = secretValue(source.secretRef.name, key);
    }
  }
  for (const entry of container.env ?? []) {
    if (entry.value !== undefined) env[entry.name] = String(entry.value);
    else if (entry.valueFrom?.secretKeyRef)
      env[entry.name] = secretValue(entry.valueFrom.secretKeyRef.name, entry.valueFrom.secretKeyRef.key);
    else if (entry.valueFrom?.configMapKeyRef)
      env[entry.name] = configMapData(entry.valueFrom.configMapKeyRef.name)[entry.valueFrom.configMapKeyRef.key] ?? "";
  }
  return env;
}

// ---- images: unpacked like a runtime does ----------------------------------------------------------

type ImageConfig = { Env?: string[]; Entrypoint?: string[]; Cmd?: string[]; User?: string; WorkingDir?: string };
type Unpacked = { rootfs: string; config: ImageConfig };
const scratch = mkdtempSync(join(tmpdir(), "images-test-"));
const unpacked = new Map<string, Unpacked>();

/** An OCI layout (scripts/oci-image.ts) or a `docker save` archive → a root directory and the config. */
function unpack(name: string): Unpacked {
  const cached = unpacked.get(name);
  if (cached) return cached;
  const image = images.get(name);
  if (!image) throw new Error(`scripts/images does not build ${name}`);
  const dir = join(scratch, name);
  const archive = join(dir, "archive");
  const rootfs = join(dir, "rootfs");
  mkdirSync(archive, { recursive: true });
  mkdirSync(rootfs);
  mustRun(["tar", "-xf", image.archive, "-C", archive]);
  const blob = (digest: string) => join(archive, "blobs", ...digest.split(":"));
  let config: ImageConfig;
  let layers: string[];
  if (existsSync(join(archive, "index.json"))) {
    const index = JSON.parse(readFileSync(join(archive, "index.json"), "utf8"));
    const manifest = JSON.parse(readFileSync(blob(index.manifests[0].digest), "utf8"));
    config = JSON.parse(readFileSync(blob(manifest.config.digest), "utf8")).config;
    layers = manifest.layers.map((layer: { digest: string }) => blob(layer.digest));
  } else {
    const [manifest] = JSON.parse(readFileSync(join(archive, "manifest.json"), "utf8"));
    expect(manifest.RepoTags).toContain(image.reference);
    config = JSON.parse(readFileSync(join(archive, manifest.Config), "utf8")).config;
    layers = manifest.Layers.map((layer: string) => join(archive, layer));
  }
  for (const layer of layers) {
    const entries = mustRun(["tar", "-tf", layer]).split("\n");
    // Whiteouts: a later layer deletes what an earlier one added.
    for (const entry of entries) {
      const base = entry.split("/").pop() ?? "";
      if (base === ".wh..wh..opq") rmSync(join(rootfs, dirname(entry)), { recursive: true, force: true });
      else if (base.startsWith(".wh.")) rmSync(join(rootfs, dirname(entry), base.slice(4)), { recursive: true, force: true });
    }
    mustRun(["tar", "-xf", layer, "-C", rootfs, "--numeric-owner", "--same-permissions", "--exclude=.wh.*", "--exclude=*/.wh.*"]);
  }
  const result = { rootfs, config: config ?? {} };
  unpacked.set(name, result);
  return result;
}

// ---- a private network namespace, containers in it -----------------------------------------------

/** What the kubelet and cluster DNS give every container here: the release's Services' names (and
 * the pod's own) resolve to this namespace's loopback, where the test's other containers listen. */
const serviceNames = [
  "redis",
  "redis-0.booking-rush-redis",
  "redis-sentinel",
  "kafka",
  "postgresql",
  "smtp",
  "jaeger-collector",
  "otel-collector",
];
const netns = `br-images-${process.pid}`;
const running: Started[] = [];

type Started = { process: Subprocess; log: () => string };

/**
 * Runs `argv` from the image as the container would: a mount namespace with the image's root
 * (read-only when asked), /proc of a PID namespace of its own, a few devices, tmpfs for each
 * emptyDir, the ConfigMaps' files; `env -i` with the image's and the container's variables; then
 * `unshare --root --wd --setgid --setuid` drops into the root as the container's user.
 */
/** A path inside a root with its symlinks followed inside that root (as runtimes do for mounts):
 * /var/run/postgresql in a Debian root is <root>/run/postgresql, never the host's /run. */
function inRoot(rootfs: string, path: string): string {
  let parts = path.split("/").filter(Boolean);
  let resolved: string[] = [];
  for (let hops = 0; parts.length > 0; ) {
    const part = parts.shift() as string;
    if (part === "..") {
      resolved.pop();
      continue;
    }
    const candidate = join(rootfs, ...resolved, part);
    let target: string | undefined;
    try {
      target = readlinkSync(candidate);
    } catch {
      target = undefined;
    }
    if (target === undefined) {
      resolved.push(part);
      continue;
    }
    if (++hops > 40) throw new Error(`too many symlinks under ${rootfs} resolving ${path}`);
    const rest = target.split("/").filter(Boolean);
    if (target.startsWith("/")) resolved = [];
    parts = [...rest, ...parts];
  }
  return join(rootfs, ...resolved);
}

function containerScript(
  image: Unpacked,
  spec: {
    hostname: string;
    argv: string[];
    env: Record<string, string>;
    uid: number;
    gid: number;
    readOnly: boolean;
    tmpfs: { path: string; gid: number }[];
    files: { path: string; dir: string }[];
    workdir: string;
  },
) {
  const r = image.rootfs;
  const lines = ["set -e", `r=${quote(r)}`, 'mount --bind "$r" "$r"', `hostname ${quote(spec.hostname)}`];
  const hosts = join(scratch, `hosts-${spec.hostname}`);
  writeFileSync(
    hosts,
    `127.0.0.1 localhost ${spec.hostname} ${serviceNames.map((item) => `${release}-${item} ${release}-${item}.${namespace}.svc`).join(" ")}\n`,
  );
  writeFileSync(inRoot(r, "/etc/hosts"), "");
  for (const mountPoint of ["/proc", "/dev", ...spec.tmpfs.map((item) => item.path), ...spec.files.map((item) => item.path)]) {
    mkdirSync(inRoot(r, mountPoint), { recursive: true });
  }
  if (spec.readOnly) lines.push('mount -o remount,bind,ro "$r"');
  lines.push(
    'mount -t proc proc "$r/proc"',
    'mount -t tmpfs -o mode=755 tmpfs "$r/dev"',
    'mkdir "$r/dev/shm" && mount -t tmpfs -o mode=1777 tmpfs "$r/dev/shm"',
  );
  for (const device of ["null", "zero", "random", "urandom", "full"])
    lines.push(`touch "$r/dev/${device}" && mount --bind /dev/${device} "$r/dev/${device}"`);
  for (const volume of spec.tmpfs)
    lines.push(`mount -t tmpfs -o mode=2775,uid=${spec.uid},gid=${volume.gid} tmpfs ${quote(inRoot(r, volume.path))}`);
  for (const file of spec.files) lines.push(`mount --bind -o ro ${quote(file.dir)} ${quote(inRoot(r, file.path))}`);
  lines.push(`mount --bind -o ro ${quote(hosts)} ${quote(inRoot(r, "/etc/hosts"))}`);
  const env = Object.entries(spec.env).map(([key, value]) => quote(`${key}=${value}`));
  lines.push(
    `exec env -i ${env.join(" ")} /usr/bin/unshare --root="$r" --wd=${quote(spec.workdir)} --setgid ${spec.gid} --setuid ${spec.uid} -- ${spec.argv.map(quote).join(" ")}`,
  );
  return [
    "ip",
    "netns",
    "exec",
    netns,
    "unshare",
    "--mount",
    "--uts",
    "--propagation",
    "private",
    "--pid",
    "--fork",
    "--kill-child",
    "sh",
    "-c",
    lines.join("\n"),
  ];
}

function imageEnv(image: Unpacked): Record<string, string> {
  return Object.fromEntries(
    (image.config.Env ?? []).map((entry) => [entry.slice(0, entry.indexOf("=")), entry.slice(entry.indexOf("=") + 1)]),
  );
}

/** The container of a workload, from its image, as the chart renders it. */
function startContainer(name: string, imageName: string, target: Workload, hostname: string): Started {
  const image = unpack(imageName);
  const { container, podSecurity, volumes } = target;
  // Kubernetes: command replaces the entrypoint (and drops the image's cmd); args replace cmd.
  const argv = container.command
    ? [...container.command, ...(container.args ?? [])]
    : [...(image.config.Entrypoint ?? []), ...(container.args ?? image.config.Cmd ?? [])];
  const [imageUid, imageGid] = (image.config.User ?? "0").split(":").map(Number);
  const uid = container.securityContext?.runAsUser ?? imageUid;
  const gid = container.securityContext?.runAsGroup ?? imageGid ?? uid;
  const tmpfs: { path: string; gid: number }[] = [];
  const files: { path: string; dir: string }[] = [];
  for (const mount of container.volumeMounts ?? []) {
    const volume = volumes.find((item) => item.name === mount.name);
    if (volume?.configMap) {
      const dir = join(scratch, `${name}-${mount.name}`);
      mkdirSync(dir, { recursive: true });
      for (const [file, content] of Object.entries(configMapData(volume.configMap.name))) writeFileSync(join(dir, file), content);
      files.push({ path: mount.mountPath, dir });
    } else {
      // An emptyDir or a volume claim: empty, group-owned by the pod's fsGroup.
      tmpfs.push({ path: mount.mountPath, gid: podSecurity.fsGroup ?? gid });
    }
  }
  const env = { HOSTNAME: hostname, ...imageEnv(image), ...containerEnv(container) };
  const logPath = join(scratch, `${name}.log`);
  const command = containerScript(image, {
    hostname,
    argv,
    env,
    uid,
    gid,
    readOnly: container.securityContext?.readOnlyRootFilesystem === true,
    tmpfs,
    files,
    workdir: container.workingDir ?? image.config.WorkingDir ?? "/",
  });
  const process = spawn(command, { cwd: root, stdout: Bun.file(logPath), stderr: Bun.file(`${logPath}.err`), stdin: "ignore" });
  const log = () =>
    ["", ".err"]
      .map((suffix) => (existsSync(`${logPath}${suffix}`) ? readFileSync(`${logPath}${suffix}`, "utf8") : ""))
      .join("\n")
      .slice(-3000);
  const started = { process, log };
  running.push(started);
  return started;
}

/** A command from an image (a client: redis-cli, psql, kafka-topics), as the image's user, in the namespace. */
function inImage(imageName: string, argv: string[], env: Record<string, string> = {}): Run {
  const image = unpack(imageName);
  const [uid = 0, gid = uid] = (image.config.User ?? "0").split(":").map(Number);
  return run(
    containerScript(image, {
      hostname: "client",
      argv,
      env: { ...imageEnv(image), ...env },
      uid,
      gid,
      readOnly: true,
      tmpfs: [{ path: "/tmp", gid }],
      files: [],
      workdir: "/",
    }),
  );
}
const inNamespace = (...argv: string[]) => run(["ip", "netns", "exec", netns, ...argv]);

/** Polls until `check` holds, at most `seconds`; says what the container logged when it does not. */
async function waitFor(what: string, started: Started, seconds: number, check: () => boolean) {
  const deadline = Date.now() + seconds * 1000;
  while (Date.now() < deadline) {
    if (check()) return;
    if (started.process.exitCode !== null)
      throw new Error(`${what}: the container exited with ${started.process.exitCode}:\n${started.log()}`);
    await Bun.sleep(500);
  }
  throw new Error(`${what}: not within ${seconds} s:\n${started.log()}`);
}
const httpOk = (url: string) => inNamespace("curl", "-fsS", "-o", "/dev/null", "--max-time", "3", url).code === 0;

/** The container's process: the child `unshare --fork` made (PID 1 of the container's PID namespace). */
function containerPid(started: Started): number | undefined {
  try {
    const children = readFileSync(`/proc/${started.process.pid}/task/${started.process.pid}/children`, "utf8").trim();
    return children ? Number(children.split(" ")[0]) : undefined;
  } catch {
    return undefined;
  }
}

/** As the kubelet stops a container: SIGTERM to its process, SIGKILL after 20 s; then it is gone. */
async function stop(started: Started) {
  const pid = containerPid(started);
  if (pid !== undefined) {
    process.kill(pid, "SIGTERM");
    const deadline = Date.now() + 20_000;
    while (existsSync(`/proc/${pid}`) && started.process.exitCode === null && Date.now() < deadline) await Bun.sleep(200);
    if (started.process.exitCode === null && existsSync(`/proc/${pid}`)) process.kill(pid, "SIGKILL");
  }
  if (started.process.exitCode === null) started.process.kill("SIGKILL");
  await started.process.exited;
}

beforeAll(() => {
  mustRun(["bash", join(root, "scripts/images"), "build"]);
  images = new Map(
    mustRun(["bash", join(root, "scripts/images"), "list"])
      .trim()
      .split("\n")
      .map((line) => line.split(" ") as [string, string, string])
      .map(([name, reference, archive]) => [name, { reference, archive }]),
  );
  mustRun([join(root, "scripts/helm"), "dependency", "build", chart]);
  const tag = mustRun(["bash", join(root, "scripts/images"), "values"])
    .trim()
    .split(" ");
  const rendered = mustRun([
    join(root, "scripts/helm"),
    "template",
    release,
    chart,
    "--namespace",
    namespace,
    "-f",
    `${chart}/values-kind.yaml`,
    "-f",
    `${chart}/values-ci.yaml`,
    ...tag,
  ]);
  objects = parseAllDocuments(rendered)
    .map((document) => document.toJS() as K8sObject | null)
    .filter((object): object is K8sObject => object !== null);
  mustRun(["ip", "netns", "add", netns]);
  mustRun(["ip", "netns", "exec", netns, "ip", "link", "set", "lo", "up"]);
}, 2_700_000);

afterAll(async () => {
  for (const started of running) {
    const pid = containerPid(started);
    if (pid !== undefined && existsSync(`/proc/${pid}`)) process.kill(pid, "SIGKILL");
    if (started.process.exitCode === null) started.process.kill("SIGKILL");
    await started.process.exited;
  }
  run(["ip", "netns", "del", netns]);
  rmSync(scratch, { recursive: true, force: true });
}, 60_000);

describe("the CI profile's images, run without a cluster (loopback-only network namespace)", () => {
  test("the namespace has no way off the machine", () => {
    expect(inNamespace("ip", "-o", "link").stdout.trim().split("\n")).toHaveLength(1);
    expect(inNamespace("ip", "route", "get", "1.1.1.1").code).not.toBe(0);
  });

  test("every image the chart renders runs from the image the chart names", () => {
    for (const object of objects.filter((item) => ["Deployment", "StatefulSet"].includes(item.kind))) {
      for (const container of object.spec.template.spec.containers) {
        const built = [...images.values()].some((image) => image.reference === container.image);
        expect(built, `${object.metadata.name}: ${container.image}`).toBe(true);
      }
    }
  });

  test("redis: a master with the chart's password answers PING, a Sentinel with the chart's config monitors it", async () => {
    const redis = workload("redis");
    expect(redis.container.image).toBe(images.get("redis")?.reference);
    const master = startContainer("redis", "redis", redis, `${release}-redis-0`);
    const password = containerEnv(redis.container).REDIS_PASSWORD ?? "";
    expect(password).not.toBe("");
    // The chart's own readiness probe, run in the image.
    const probe = () => inImage("redis", redis.container.readinessProbe.exec.command, { REDIS_PASSWORD: password }).code === 0;
    await waitFor("redis ready", master, 60, probe);
    expect(inImage("redis", ["redis-cli", "-a", password, "--no-auth-warning", "SET", "k", "v"]).stdout.trim()).toContain("NOREPLICAS");
    expect(inImage("redis", ["redis-cli", "PING"]).stdout).toContain("NOAUTH");
    const sentinel = startContainer("sentinel", "redis", workload("redis-sentinel"), `${release}-redis-sentinel-0`);
    const sentinelProbe = workload("redis-sentinel").container.readinessProbe.exec.command;
    await waitFor("sentinel ready", sentinel, 60, () => inImage("redis", sentinelProbe).code === 0);
    await waitFor("sentinel sees the master", sentinel, 60, () => {
      // SENTINEL MASTER answers field/value lines: the master is up (not s_down) and answering.
      const fields = inImage("redis", ["redis-cli", "-p", "26379", "SENTINEL", "master", "mymaster"]).stdout.split("\n");
      return fields[fields.indexOf("flags") + 1] === "master" && fields[fields.indexOf("role-reported") + 1] === "master";
    });
    expect(inImage("redis", ["redis-cli", "-p", "26379", "SENTINEL", "get-master-addr-by-name", "mymaster"]).stdout).toContain(
      `${release}-redis-0.${release}-redis`,
    );
    // A pod of its own in the cluster, on the same port: after the master here.
    for (const started of [sentinel, master]) await stop(started);
    const lock = startContainer("redis-lock", "redis", workload("redis-lock"), `${release}-redis-lock-0`);
    await waitFor(
      "lock server takes a write",
      lock,
      60,
      () => inImage("redis", ["redis-cli", "-a", password, "--no-auth-warning", "SET", "lock", "1"]).stdout.trim() === "OK",
    );
    await stop(lock);
  }, 240_000);

  test("postgresql: initialises the chart's database and user, pg_isready, logs in with the password", async () => {
    const postgres = workload("postgresql");
    const env = containerEnv(postgres.container);
    const started = startContainer("postgresql", "postgresql", postgres, `${release}-postgresql-0`);
    await waitFor("pg_isready", started, 120, () => inImage("postgresql", postgres.container.readinessProbe.exec.command, env).code === 0);
    const url = `postgresql://${env.POSTGRES_USER}:${env.POSTGRES_PASSWORD}@127.0.0.1:5432/${env.POSTGRES_DB}`;
    const who = inImage("postgresql", ["psql", url, "-Atc", "select current_user || ' ' || current_database()"]);
    expect(who.stdout.trim()).toBe(`${env.POSTGRES_USER} ${env.POSTGRES_DB}`);
    const wrong = inImage("postgresql", ["psql", url.replace(`:${env.POSTGRES_PASSWORD}@`, ":wrong@"), "-Atc", "select 1"]);
    expect(wrong.code).not.toBe(0);
    expect(wrong.stderr).toContain("password authentication failed");
    await stop(started);
  }, 240_000);

  test("kafka: KRaft from the chart's KAFKA_* variables; creates a topic and describes it", async () => {
    const kafka = workload("kafka");
    const started = startContainer("kafka", "kafka", kafka, `${release}-kafka-0`);
    const bootstrap = `${release}-kafka:9092`;
    await waitFor(
      "kafka answers metadata",
      started,
      240,
      () => inImage("kafka", ["kafka-topics.sh", "--bootstrap-server", bootstrap, "--list"]).code === 0,
    );
    const create = inImage("kafka", [
      "kafka-topics.sh",
      "--bootstrap-server",
      bootstrap,
      "--create",
      "--topic",
      "images-test",
      "--partitions",
      "2",
      "--replication-factor",
      "1",
    ]);
    expect(create.code, create.stderr).toBe(0);
    const describe = inImage("kafka", ["kafka-topics.sh", "--bootstrap-server", bootstrap, "--describe", "--topic", "images-test"]);
    expect(describe.stdout).toContain("PartitionCount: 2");
    expect(describe.stdout).toMatch(/Leader: 1\b/);
    await stop(started);
  }, 360_000);

  test("maildev: takes an SMTP message and shows it through its API", async () => {
    const started = startContainer("smtp", "maildev", workload("smtp"), `${release}-smtp`);
    await waitFor("maildev web API", started, 90, () => httpOk("http://127.0.0.1:1080/email"));
    const message = join(scratch, "message.eml");
    writeFileSync(message, "From: a@example.com\r\nTo: b@example.com\r\nSubject: images test\r\n\r\nhello\r\n");
    const sent = inNamespace(
      "curl",
      "-sS",
      "--max-time",
      "10",
      "smtp://127.0.0.1:1025",
      "--mail-from",
      "a@example.com",
      "--mail-rcpt",
      "b@example.com",
      "-T",
      message,
    );
    expect(sent.code, sent.stderr).toBe(0);
    const emails = JSON.parse(inNamespace("curl", "-fsS", "--max-time", "5", "http://127.0.0.1:1080/email").stdout) as {
      subject: string;
    }[];
    expect(emails.map((email) => email.subject)).toContain("images test");
    await stop(started);
  }, 180_000);

  test("prometheus: ready with the chart's rendered config and rules", async () => {
    const started = startContainer("prometheus", "prometheus", workload("prometheus"), `${release}-prometheus`);
    await waitFor("prometheus /-/ready", started, 90, () => httpOk("http://127.0.0.1:9090/-/ready"));
    const rules = JSON.parse(inNamespace("curl", "-fsS", "--max-time", "5", "http://127.0.0.1:9090/api/v1/rules").stdout);
    expect(rules.data.groups.length).toBeGreaterThan(0);
    await stop(started);
  }, 180_000);

  test("jaeger and the OTel Collector: both ready, the collector's health check answers", async () => {
    const jaeger = startContainer("jaeger", "jaeger", workload("jaeger"), `${release}-jaeger`);
    await waitFor("jaeger admin /", jaeger, 90, () => httpOk("http://127.0.0.1:14269/"));
    expect(httpOk("http://127.0.0.1:16686/")).toBe(true);
    // Both take OTLP on 4317: pods of their own in the cluster, one after the other here.
    await stop(jaeger);
    const collector = startContainer("otel-collector", "otel-collector", workload("otel-collector"), `${release}-otel-collector`);
    await waitFor("collector health_check", collector, 90, () => httpOk("http://127.0.0.1:13133/"));
    // OTLP over HTTP is accepted (an empty trace export).
    const exported = inNamespace(
      "curl",
      "-fsS",
      "--max-time",
      "5",
      "-H",
      "content-type: application/json",
      "-d",
      '{"resourceSpans":[]}',
      "http://127.0.0.1:4318/v1/traces",
    );
    expect(exported.code, exported.stderr).toBe(0);
    await stop(collector);
  }, 180_000);

  test("booking-rush: the service image starts the booking service as uid 1000 and serves /healthz", async () => {
    const booking = workload("booking");
    expect(booking.container.image).toBe(images.get("booking-rush")?.reference);
    const started = startContainer("booking", "booking-rush", booking, `${release}-booking`);
    const port = booking.container.ports[0].containerPort;
    await waitFor("booking /healthz", started, 120, () => httpOk(`http://127.0.0.1:${port}/healthz`));
    // The processes whose root is the image's: the service, and its user.
    const rootfs = unpack("booking-rush").rootfs;
    const inside = readdirSync("/proc")
      .filter((entry) => /^\d+$/.test(entry))
      .flatMap((pid) => {
        try {
          if (readlinkSync(`/proc/${pid}/root`) !== rootfs) return [];
          const uid = readFileSync(`/proc/${pid}/status`, "utf8").match(/^Uid:\s+(\d+)/m)?.[1];
          return [{ uid, command: readFileSync(`/proc/${pid}/cmdline`, "utf8").replaceAll("\0", " ").trim() }];
        } catch {
          return [];
        }
      });
    expect(inside.length).toBeGreaterThan(0);
    expect(inside.some((item) => item.command.includes("services/booking/bin/booking.ts"))).toBe(true);
    for (const item of inside) expect(item.uid, item.command).toBe("1000");
    // No Redis, PostgreSQL or Kafka here: not ready, and says so without a stack trace.
    const ready = inNamespace("curl", "-sS", "--max-time", "10", "-w", "\n%{http_code}", `http://127.0.0.1:${port}/readyz`);
    const [body = "", code] = ready.stdout.trim().split(/\n(?=\d+$)/);
    expect(code).toBe("503");
    expect(body).not.toMatch(/\bat .*\.ts:\d+/);
    await stop(started);
  }, 180_000);
});
