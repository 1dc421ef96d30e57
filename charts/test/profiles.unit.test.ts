/**
 * Profiles only override what differs: no key of a values-*.yaml profile restates what the values
 * it is layered on (values.yaml, then the profiles its usage line puts before it) already give.
 * Helm merges maps key by key and replaces everything else (lists too), so a key is redundant when
 * its value equals the one underneath, or is an empty map over a map. Needs no helm and no stack.
 */
import { describe, expect, test } from "bun:test";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";

const chart = join(import.meta.dir, "..", "booking-rush");

/** Each profile and the files under it, in helm's order after values.yaml (how they are installed: chart.test.ts, scripts/test-cluster, skaffold.yaml). */
const layering: Record<string, string[]> = {
  "values-kind.yaml": [],
  "values-production.yaml": [],
  "values-ci.yaml": ["values-kind.yaml"],
  "values-ci-scaling.yaml": ["values-kind.yaml", "values-ci.yaml"],
  "values-loadtest.yaml": ["values-kind.yaml"],
};

type Values = Record<string, unknown>;
const isMap = (value: unknown): value is Values => typeof value === "object" && value !== null && !Array.isArray(value);
const read = (file: string) => (parse(readFileSync(join(chart, file), "utf8")) ?? {}) as Values;

/** Helm's merge of `over` onto `under`: maps key by key, anything else replaced (null removes the key). */
function merge(under: Values, over: Values): Values {
  const result: Values = { ...under };
  for (const [key, value] of Object.entries(over)) {
    if (value === null) delete result[key];
    else result[key] = isMap(value) && isMap(under[key]) ? merge(under[key], value) : value;
  }
  return result;
}

/** The paths of `profile`'s keys that change nothing over `base`. */
function restatedKeys(base: Values, profile: Values, path: string[] = []): string[] {
  const restated: string[] = [];
  for (const [key, value] of Object.entries(profile)) {
    const here = [...path, key];
    const under = base[key];
    if (isMap(value) && isMap(under)) {
      if (Object.keys(value).length === 0 || Bun.deepEquals(merge(under, value), under)) restated.push(here.join("."));
      else restated.push(...restatedKeys(under, value, here));
    } else if (value !== null && under !== undefined && Bun.deepEquals(value, under)) restated.push(here.join("."));
  }
  return restated;
}

describe("profiles only override what differs", () => {
  test("the check finds a value equal to the one underneath, an empty map over a map, a list restated, and nothing else", () => {
    const base = { image: { tag: "0.1.0", pullPolicy: "IfNotPresent" }, env: { A: "1" }, topics: ["a", "b"], replicas: 2 };
    expect(restatedKeys(base, { image: { tag: "dev", pullPolicy: "IfNotPresent" } })).toEqual(["image.pullPolicy"]);
    expect(restatedKeys(base, { image: { tag: "0.1.0", pullPolicy: "IfNotPresent" } })).toEqual(["image"]);
    expect(restatedKeys(base, { env: {} })).toEqual(["env"]);
    expect(restatedKeys(base, { topics: ["a", "b"], replicas: 1 })).toEqual(["topics"]);
    expect(restatedKeys(base, { topics: ["a"], replicas: 3, env: { A: "2" }, added: {}, image: null })).toEqual([]);
  });

  test("every profile is in the layering above", () => {
    const profiles = readdirSync(chart).filter((file) => /^values-.+\.yaml$/.test(file));
    expect(profiles.sort()).toEqual(Object.keys(layering).sort());
  });

  for (const [profile, under] of Object.entries(layering)) {
    test(`${profile} restates nothing of values.yaml${under.map((file) => ` + ${file}`).join("")}`, () => {
      const base = under.map(read).reduce(merge, read("values.yaml"));
      expect(restatedKeys(base, read(profile))).toEqual([]);
    });
  }
});
