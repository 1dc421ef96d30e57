import { describe, expect, test } from "bun:test";
import { eventually } from "@booking-rush/test-support/eventually";
import { createLogger } from "../src/logger";
import { startWorkerLoop } from "../src/workers/worker-loop";

function recordingLogger() {
  const lines: Record<string, unknown>[] = [];
  return { lines, logger: createLogger({ service: "test", level: "debug", write: (line) => lines.push(JSON.parse(line)) }) };
}

describe("worker loop", () => {
  test("a failing step is retried with a growing back-off, logged once per distinct error, and recovers", async () => {
    const { lines, logger } = recordingLogger();
    const startedAt: number[] = [];
    const failures: unknown[] = [];
    const loop = startWorkerLoop({
      name: "test worker",
      logger,
      intervalMs: 10_000,
      backoffMs: 40,
      maxBackoffMs: 1_000,
      onFailure: (error) => failures.push(error),
      step: async () => {
        startedAt.push(performance.now());
        if (startedAt.length <= 3) throw new Error("dependency down");
        return 0;
      },
    });
    try {
      await eventually(() => expect(loop.completedSteps).toBe(1), { timeoutMs: 5_000 });
      expect(loop.consecutiveFailures).toBe(0);
      expect(failures).toHaveLength(3);
      const gaps = startedAt.slice(1, 4).map((time, index) => time - startedAt[index]!);
      // 40, 80, 160 ms: each wait at least its back-off, and growing.
      expect(gaps[0]!).toBeGreaterThanOrEqual(38);
      expect(gaps[1]!).toBeGreaterThanOrEqual(78);
      expect(gaps[2]!).toBeGreaterThanOrEqual(158);
      expect(lines.filter((line) => line.msg === "test worker step failed, retrying")).toHaveLength(1);
      expect(lines.some((line) => line.msg === "test worker recovered" && line.failed_steps === 3)).toBe(true);
    } finally {
      await loop.stop();
    }
  });

  test("with whileBusy the next step follows at once while there is work; idle steps wait the interval", async () => {
    const { logger } = recordingLogger();
    let backlog = 5;
    let steps = 0;
    const loop = startWorkerLoop({
      name: "busy worker",
      logger,
      intervalMs: 60_000,
      whileBusy: true,
      step: async () => {
        steps += 1;
        if (backlog === 0) return 0;
        backlog -= 1;
        return 1;
      },
    });
    // Five busy steps and the first idle one run without waiting; the next waits a minute.
    await eventually(() => expect(steps).toBe(6), { timeoutMs: 2_000 });
    const stopped = performance.now();
    await loop.stop();
    // stop() wakes the waiting loop instead of letting it sleep out its interval.
    expect(performance.now() - stopped).toBeLessThan(1_000);
    expect(steps).toBe(6);
  });

  test("stop() waits for the step in progress and no step starts after it", async () => {
    const { logger } = recordingLogger();
    let release: () => void = () => {};
    let finished = 0;
    let started = 0;
    const loop = startWorkerLoop({
      name: "slow worker",
      logger,
      intervalMs: 0,
      step: async () => {
        started += 1;
        await new Promise<void>((resolve) => (release = resolve));
        finished += 1;
        return 0;
      },
    });
    await eventually(() => expect(started).toBe(1));
    let stopResolved = false;
    const stopping = loop.stop().then(() => (stopResolved = true));
    await Bun.sleep(0);
    expect(stopResolved).toBe(false);
    release();
    await stopping;
    expect(finished).toBe(1);
    expect(started).toBe(1);
  });
});
