/**
 * One name per process: a process's entrypoint is `services/<package>/bin/<name>.ts`, it runs as
 * SERVICE_NAME `<name>` (the `service` label of its metrics, logs and traces), and its chart key
 * is `<name>` — in values.yaml and in every profile that adds or overrides a service. Read from the
 * values files and the entrypoints' own source; needs no helm and no stack (chart.test.ts checks
 * the rendered containers' command the same way).
 */
import { describe, expect, test } from "bun:test";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { basename, join } from "node:path";
import { parse } from "yaml";
import { type ReadSource, serviceSettingsDefaults } from "./support/entrypoint-source";

const root = join(import.meta.dir, "..", "..");
const chart = join(root, "charts", "booking-rush");

type ServiceValues = { entrypoint?: string; env?: Record<string, string> };
type ChartValues = { services?: Record<string, ServiceValues | null> };

const readValues = (file: string) => (parse(readFileSync(join(chart, file), "utf8")) ?? {}) as ChartValues;
const defaults = readValues("values.yaml").services ?? {};
const readSource = (path: string) => (existsSync(join(root, path)) ? readFileSync(join(root, path), "utf8") : undefined);
const profiles = readdirSync(chart)
  .filter((file) => /^values-.+\.yaml$/.test(file))
  .sort();

/**
 * The name a process runs under when SERVICE_NAME is not set: the default of the `serviceSettings`
 * its entrypoint runs with (support/entrypoint-source.ts); for the mock gateway, a stand-in without
 * the kernel and its settings, the `service` its log line names.
 */
function defaultServiceName(path: string, readSource: ReadSource): string | undefined {
  return serviceSettingsDefaults(path, readSource)?.name ?? readSource(path)?.match(/\bservice:\s*"([^"]+)"/)?.[1];
}

/** What is wrong with chart key `key` whose (merged) values are `service`; an empty list when nothing. */
function nameProblems(key: string, service: ServiceValues, readSource: ReadSource): string[] {
  const entrypoint = service.entrypoint ?? "";
  const match = entrypoint.match(/^services\/[a-z0-9-]+\/bin\/([a-z0-9-]+)\.ts$/);
  if (!match) return [`${key}: entrypoint ${entrypoint || "(none)"} is not services/<package>/bin/${key}.ts`];
  const problems: string[] = [];
  if (match[1] !== key) problems.push(`${key}: entrypoint ${entrypoint} is named ${match[1]}, not ${key}`);
  if (readSource(entrypoint) === undefined) return [...problems, `${key}: entrypoint ${entrypoint} does not exist`];
  const serviceName = service.env?.SERVICE_NAME ?? defaultServiceName(entrypoint, readSource);
  if (serviceName !== key) problems.push(`${key}: runs as SERVICE_NAME ${serviceName ?? "(none)"}, not ${key}`);
  return problems;
}

const merged = (key: string, override: ServiceValues | null | undefined): ServiceValues => ({
  ...defaults[key],
  ...override,
  env: { ...defaults[key]?.env, ...override?.env },
});

describe("one name per process", () => {
  test("the check refuses an entrypoint outside bin/, one named otherwise, a missing one, and a SERVICE_NAME that differs", () => {
    const sources: Record<string, string> = {
      "services/booking/bin/outbox-relay.ts": 'serviceSettings({ name: "booking-outbox-relay", port: 3032 })',
      "services/booking/bin/relay.ts": 'serviceSettings({ name: "outbox-relay", port: 3032 })',
      "services/payment/bin/mock-gateway.ts": 'console.log(JSON.stringify({ level: "info", service: "mock-gateway" }))',
    };
    const read = (path: string) => sources[path];
    expect(nameProblems("outbox-relay", { entrypoint: "services/booking/outbox-relay.ts" }, read)).toEqual([
      "outbox-relay: entrypoint services/booking/outbox-relay.ts is not services/<package>/bin/outbox-relay.ts",
    ]);
    expect(nameProblems("outbox-relay", { entrypoint: "services/booking/bin/relay.ts" }, read)).toEqual([
      "outbox-relay: entrypoint services/booking/bin/relay.ts is named relay, not outbox-relay",
    ]);
    expect(nameProblems("projector", { entrypoint: "services/projector/bin/projector.ts" }, read)).toEqual([
      "projector: entrypoint services/projector/bin/projector.ts does not exist",
    ]);
    expect(nameProblems("outbox-relay", { entrypoint: "services/booking/bin/outbox-relay.ts" }, read)).toEqual([
      "outbox-relay: runs as SERVICE_NAME booking-outbox-relay, not outbox-relay",
    ]);
    // SERVICE_NAME set by the chart wins over the entrypoint's default, either way.
    expect(
      nameProblems("outbox-relay", { entrypoint: "services/booking/bin/outbox-relay.ts", env: { SERVICE_NAME: "outbox-relay" } }, read),
    ).toEqual([]);
    expect(
      nameProblems("mock-gateway", { entrypoint: "services/payment/bin/mock-gateway.ts", env: { SERVICE_NAME: "gateway" } }, read),
    ).toEqual(["mock-gateway: runs as SERVICE_NAME gateway, not mock-gateway"]);
    expect(nameProblems("mock-gateway", { entrypoint: "services/payment/bin/mock-gateway.ts" }, read)).toEqual([]);
  });

  test("every service in values.yaml: its entrypoint is services/*/bin/<key>.ts, exists, and runs as SERVICE_NAME <key>", () => {
    const keys = Object.keys(defaults);
    expect(keys).toContain("outbox-relay");
    expect(keys.length).toBeGreaterThanOrEqual(11);
    for (const key of keys) expect(nameProblems(key, merged(key, undefined), readSource), key).toEqual([]);
  });

  for (const profile of profiles) {
    test(`every service ${profile} adds or overrides keeps the one name`, () => {
      const services = readValues(profile).services ?? {};
      for (const [key, override] of Object.entries(services)) {
        expect(nameProblems(key, merged(key, override), readSource), `${profile}: ${key}`).toEqual([]);
      }
    });
  }

  test("every entrypoint under services/*/bin/ runs under its file's name, and no name is used by two packages", () => {
    const seen = new Map<string, string>();
    let count = 0;
    for (const service of readdirSync(join(root, "services"))) {
      const bin = join(root, "services", service, "bin");
      if (!existsSync(bin)) continue;
      for (const file of readdirSync(bin).filter((name) => name.endsWith(".ts"))) {
        const name = basename(file, ".ts");
        const path = `services/${service}/bin/${file}`;
        expect(seen.get(name), `${path}: ${name} is also ${seen.get(name)}`).toBeUndefined();
        seen.set(name, path);
        expect(defaultServiceName(path, readSource), path).toBe(name);
        count++;
      }
    }
    // Every chart service's entrypoint is among them (and services/all's development process).
    expect(count).toBeGreaterThanOrEqual(Object.keys(defaults).length + 1);
  });
});
