/**
 * The one list of the platform's workers (scripts/platform-workers.txt) that scripts/run and the
 * benchmark's platform mode both start (loadtest/bench/workers.ts reads it for the benchmark).
 */
import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseWorkerList, platformWorkers, workerListPath } from "../bench/workers";

const root = join(import.meta.dir, "..", "..");

describe("the platform's worker list", () => {
  test("parseWorkerList: a name a line and its VAR=value settings; comments and blank lines skipped", () => {
    expect(parseWorkerList("# the workers\n\nmock-gateway\n  reconciler RECONCILER_MODE=loop  EMPTY=\n")).toEqual([
      { name: "mock-gateway", env: {} },
      { name: "reconciler", env: { RECONCILER_MODE: "loop", EMPTY: "" } },
    ]);
  });

  test("parseWorkerList refuses a line that is not a name and settings", () => {
    expect(() => parseWorkerList("Projector\n")).toThrow("not a process name: Projector");
    expect(() => parseWorkerList("reconciler RECONCILER_MODE\n")).toThrow("not a VAR=value setting: RECONCILER_MODE");
    expect(() => parseWorkerList("reconciler mode=loop\n")).toThrow("not a VAR=value setting: mode=loop");
  });

  test("every worker of the list has exactly one entrypoint services/*/bin/<name>.ts, the mock gateway among them", () => {
    const workers = platformWorkers(root);
    expect(workers.length).toBeGreaterThanOrEqual(8);
    expect(new Set(workers.map((worker) => worker.name)).size).toBe(workers.length);
    for (const worker of workers) expect(worker.entry).toMatch(new RegExp(`^services/[a-z0-9-]+/bin/${worker.name}\\.ts$`));
    expect(workers.find((worker) => worker.name === "mock-gateway")?.entry).toBe("services/payment/bin/mock-gateway.ts");
    expect(workers.find((worker) => worker.name === "reconciler")?.env).toEqual({ RECONCILER_MODE: "loop" });
  });

  test("scripts/run starts the list's workers and names none of its own", () => {
    const run = readFileSync(join(root, "scripts/run"), "utf8");
    expect(run).toContain(workerListPath);
    for (const { name } of parseWorkerList(readFileSync(join(root, workerListPath), "utf8"))) {
      // The only supervise lines are the list's loop and services/all.
      expect(run).not.toMatch(new RegExp(`supervise ${name}\\b`));
    }
    expect(run.match(/^\s*supervise /gm)).toHaveLength(2);
  });
});
