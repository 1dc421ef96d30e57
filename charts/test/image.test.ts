/** The Dockerfile every service and worker is built from, read line by line (no Docker engine here). */
import { describe, expect, test } from "bun:test";
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { parse } from "yaml";

const root = `${import.meta.dir}/../..`;
const dockerfile = readFileSync(`${root}/Dockerfile`, "utf8");
const instructions = dockerfile
  .split("\n")
  .filter((line) => line.trim() && !line.trim().startsWith("#"))
  .map((line) => line.trim());

describe("Dockerfile", () => {
  test("multi-stage on Bun's official image, pinned to the project's Bun", () => {
    const bun = JSON.parse(readFileSync(`${root}/package.json`, "utf8")).devDependencies.bun;
    expect(instructions).toContain(`ARG BUN_VERSION=${bun}`);
    const stages = instructions.filter((line) => line.startsWith("FROM "));
    expect(stages.length).toBeGreaterThanOrEqual(2);
    for (const stage of stages) expect(stage).toMatch(/^FROM oven\/bun:\$\{BUN_VERSION\}-[a-z]+ AS [a-z]+$/);
  });

  test("production dependencies only, from the lockfile, with every workspace's manifest", () => {
    expect(instructions).toContain("RUN bun install --frozen-lockfile --production --ignore-scripts");
    for (const service of readdirSync(`${root}/services`)) {
      expect(instructions, service).toContain(`COPY services/${service}/package.json services/${service}/package.json`);
    }
    expect(instructions).toContain("COPY drizzle/package.json drizzle/package.json");
  });

  test("runs as a non-root user, stops on SIGTERM, has no HEALTHCHECK (Kubernetes probes)", () => {
    const user = instructions.filter((line) => line.startsWith("USER "));
    expect(user).toEqual(["USER 1000:1000"]);
    expect(instructions).toContain("STOPSIGNAL SIGTERM");
    expect(instructions.some((line) => line.startsWith("HEALTHCHECK"))).toBe(false);
    expect(instructions).toContain('ENTRYPOINT ["bun", "run"]');
  });

  test("every entrypoint the chart runs exists in the image's sources", () => {
    const values = parse(readFileSync(`${root}/charts/booking-rush/values.yaml`, "utf8")) as {
      services: Record<string, { entrypoint: string }>;
    };
    const kind = parse(readFileSync(`${root}/charts/booking-rush/values-kind.yaml`, "utf8")) as {
      services: Record<string, { entrypoint: string }>;
    };
    // A profile's entry without an entrypoint only tunes a service of values.yaml (booking's requests on kind).
    for (const [name, service] of Object.entries(kind.services))
      if (!service.entrypoint) expect(values.services[name]?.entrypoint, name).toBeDefined();
    for (const { entrypoint } of [
      ...Object.values(values.services),
      ...Object.values(kind.services).filter((service) => service.entrypoint),
    ]) {
      expect(() => readFileSync(`${root}/${entrypoint}`), entrypoint).not.toThrow();
    }
    const ignored = readFileSync(`${root}/.dockerignore`, "utf8").split("\n");
    for (const needed of ["services", "lua", "drizzle"]) expect(ignored).not.toContain(needed);
  });

  test("the booking HPA's requests-per-second metric is the one the Prometheus adapter values serve", () => {
    const adapter = parse(readFileSync(`${root}/charts/booking-rush/prometheus-adapter-values.yaml`, "utf8")) as {
      rules: { custom: { name: { as: string } }[] };
    };
    const template = readFileSync(`${root}/charts/booking-rush-service/templates/_scaling.tpl`, "utf8");
    const served = adapter.rules.custom.map((rule) => rule.name.as);
    expect(served).toContain("http_requests_per_second");
    expect(template).toContain("name: http_requests_per_second");
  });

  test("the image's layout works: a production-only install of the lockfile resolves every entrypoint the chart runs", () => {
    // What the two stages do, in a scratch directory: the manifests, `bun install --production`, the sources (no tests).
    const scratch = mkdtempSync(`${tmpdir()}/booking-rush-image-`);
    try {
      for (const file of ["package.json", "bun.lock", "bunfig.toml", "tsconfig.json"]) cpSync(`${root}/${file}`, `${scratch}/${file}`);
      for (const service of readdirSync(`${root}/services`)) {
        mkdirSync(`${scratch}/services/${service}`, { recursive: true });
        cpSync(`${root}/services/${service}/package.json`, `${scratch}/services/${service}/package.json`);
      }
      mkdirSync(`${scratch}/drizzle`);
      cpSync(`${root}/drizzle/package.json`, `${scratch}/drizzle/package.json`);
      const install = Bun.spawnSync([process.execPath, "install", "--frozen-lockfile", "--production", "--ignore-scripts"], {
        cwd: scratch,
        stdout: "pipe",
        stderr: "pipe",
      });
      expect(install.exitCode, install.stderr.toString()).toBe(0);
      const skip = (path: string) => !path.split("/").some((part) => part === "node_modules" || part === "test");
      for (const directory of ["services", "lua", "drizzle"])
        cpSync(`${root}/${directory}`, `${scratch}/${directory}`, { recursive: true, filter: (source) => skip(source.slice(root.length)) });

      const values = parse(readFileSync(`${root}/charts/booking-rush/values.yaml`, "utf8")) as {
        services: Record<string, { entrypoint: string }>;
      };
      const entrypoints = [
        ...new Set([
          ...Object.values(values.services).map((service) => service.entrypoint),
          "drizzle/migrate.ts",
          "services/all/bin/all.ts",
        ]),
      ];
      for (const entrypoint of entrypoints) {
        const build = Bun.spawnSync([process.execPath, "build", "--target=bun", entrypoint, "--outdir", `${scratch}/out`], {
          cwd: scratch,
          stdout: "pipe",
          stderr: "pipe",
        });
        expect(build.exitCode, `${entrypoint}: ${build.stderr.toString()}`).toBe(0);
      }
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  }, 120_000);
});
