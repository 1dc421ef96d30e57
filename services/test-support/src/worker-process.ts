/**
 * A service entrypoint as it is deployed: a real process configured from the environment (the
 * test's own, plus `env`), on a free loopback port, with its /readyz and /metrics.
 */
import { expect } from "bun:test";
import { eventually } from "./eventually";
import { freePort } from "./free-port";

const servicesDirectory = `${import.meta.dir}/../..`;

/** `entrypoint` is relative to services/, e.g. "payment/bin/payment-worker.ts"; `port` a free one unless given. */
export function spawnWorker(entrypoint: string, env: Record<string, string>, port: number = freePort()) {
  const child = Bun.spawn([process.execPath, `${servicesDirectory}/${entrypoint}`], {
    env: { ...process.env, PORT: String(port), HOST: "127.0.0.1", LOG_LEVEL: "warn", ...env },
    stdout: "ignore",
    stderr: "ignore",
  });
  const url = (path: string) => `http://127.0.0.1:${port}${path}`;
  return {
    child,
    url,
    ready: () => eventually(async () => expect((await fetch(url("/readyz"))).status).toBe(200), { timeoutMs: 30_000, intervalMs: 100 }),
    metrics: async () => (await fetch(url("/metrics"))).text(),
  };
}
