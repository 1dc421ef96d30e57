import { describe, expect, test } from "bun:test";
import { freePort } from "@booking-rush/test-support/free-port";
import { createLogger } from "../src/logger";
import { shutdown } from "../src/shutdown";

const quietLogger = createLogger({ service: "test", write: () => {} });

/** Starts the fixture service and returns a reader of its JSON log lines. */
async function startFixture(port: number, env: Record<string, string> = {}) {
  const child = Bun.spawn([process.execPath, `${import.meta.dir}/fixtures/signal-service.ts`], {
    env: { ...process.env, FIXTURE_PORT: String(port), ...env },
    stdout: "pipe",
    stderr: "inherit",
  });
  const lines: Record<string, unknown>[] = [];
  const waiters: { match: (line: Record<string, unknown>) => boolean; resolve: () => void }[] = [];
  void (async () => {
    let buffered = "";
    for await (const chunk of child.stdout) {
      buffered += new TextDecoder().decode(chunk);
      let newline = buffered.indexOf("\n");
      while (newline >= 0) {
        const line = JSON.parse(buffered.slice(0, newline));
        buffered = buffered.slice(newline + 1);
        lines.push(line);
        for (const waiter of waiters.filter((candidate) => candidate.match(line))) waiter.resolve();
        newline = buffered.indexOf("\n");
      }
    }
  })();
  const waitFor = (msg: string) =>
    new Promise<void>((resolve) => {
      if (lines.some((line) => line.msg === msg)) return resolve();
      waiters.push({ match: (line) => line.msg === msg, resolve });
    });
  await waitFor("listening");
  return { child, lines, waitFor };
}

describe("graceful shutdown", () => {
  test("SIGTERM lets the in-flight request finish, refuses new ones, closes clients last-opened first, exits 0", async () => {
    const port = freePort();
    const { child, lines, waitFor } = await startFixture(port);
    const inFlight = fetch(`http://127.0.0.1:${port}/slow?ms=700`);
    await waitFor("slow request started");
    child.kill("SIGTERM");
    await waitFor("shutting down");
    const response = await inFlight;
    expect(response.status).toBe(200);
    expect(((await response.json()) as { data: string }).data).toBe("finished");
    expect(await child.exited).toBe(0);
    await expect(fetch(`http://127.0.0.1:${port}/healthz`)).rejects.toThrow();
    const messages = lines.map((line) => line.msg);
    expect(messages.indexOf("closed last-opened")).toBeLessThan(messages.indexOf("closed first-opened"));
    expect(messages.at(-1)).toBe("shut down");
  });

  test("with SHUTDOWN_DRAIN_MS, SIGTERM keeps serving that long, readiness 503 and every response closing its connection, then stops", async () => {
    const port = freePort();
    const { child, waitFor } = await startFixture(port, { FIXTURE_SHUTDOWN_DRAIN_MS: "1500" });
    const before = await fetch(`http://127.0.0.1:${port}/healthz`);
    expect(before.headers.get("connection")).not.toBe("close");
    const signalled = Date.now();
    child.kill("SIGTERM");
    await waitFor("shutting down");
    const during = await fetch(`http://127.0.0.1:${port}/healthz`);
    expect(during.status).toBe(200);
    expect(during.headers.get("connection")).toBe("close");
    const readiness = await fetch(`http://127.0.0.1:${port}/readyz`);
    expect(readiness.status).toBe(503);
    expect(readiness.headers.get("connection")).toBe("close");
    expect(await child.exited).toBe(0);
    expect(Date.now() - signalled).toBeGreaterThanOrEqual(1500);
    await expect(fetch(`http://127.0.0.1:${port}/healthz`)).rejects.toThrow();
  });

  test("steps run in order: stop accepting first, then clients in reverse", async () => {
    const order: string[] = [];
    const code = await shutdown({
      logger: quietLogger,
      timeoutMs: 1_000,
      stopAccepting: [
        { name: "readiness", run: () => order.push("readiness") },
        { name: "server", run: async () => order.push("server") },
      ],
      clients: [
        { name: "redis", run: () => order.push("redis") },
        { name: "postgres", run: () => order.push("postgres") },
      ],
    });
    expect(code).toBe(0);
    expect(order).toEqual(["readiness", "server", "postgres", "redis"]);
  });

  test("a failing step does not stop the others and makes the exit code 1", async () => {
    const closed: string[] = [];
    const code = await shutdown({
      logger: quietLogger,
      timeoutMs: 1_000,
      stopAccepting: [],
      clients: [
        { name: "a", run: () => closed.push("a") },
        {
          name: "b",
          run: () => {
            throw new Error("close failed");
          },
        },
      ],
    });
    expect(code).toBe(1);
    expect(closed).toEqual(["a"]);
  });

  test("a step that never finishes is cut off by the deadline", async () => {
    const code = await shutdown({
      logger: quietLogger,
      timeoutMs: 100,
      stopAccepting: [{ name: "stuck", run: () => new Promise(() => {}) }],
      clients: [],
    });
    expect(code).toBe(1);
  });
});
