/**
 * The mock gateway's bind address is a setting (MOCK_GATEWAY_HOST). In a pod it must answer on the
 * pod address, not only on 127.0.0.1: here 127.0.0.2 stands for "an address of this machine that
 * is not 127.0.0.1" (still loopback, nothing leaves the machine).
 */
import { afterEach, describe, expect, test } from "bun:test";
import { loadConfig } from "@booking-rush/lib/config";
import { eventually } from "@booking-rush/test-support/eventually";
import { startMockGateway } from "../src/gateway/mock-gateway-server";
import { mockGatewaySettings } from "../src/gateway/mock-gateway-settings";

const entrypoint = `${import.meta.dir}/../bin/mock-gateway.ts`;
const stops: (() => void)[] = [];
afterEach(() => {
  for (const stop of stops.splice(0)) stop();
});

/** A port nobody listens on right now (the kernel's pick, released at once). */
function freePort() {
  const probe = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: () => new Response() });
  const port = probe.port;
  probe.stop(true);
  return port as number;
}

const healthOn = (host: string, port: number) =>
  fetch(`http://${host}:${port}/healthz`, { signal: AbortSignal.timeout(2_000) }).then(
    (response) => response.status,
    () => "unreachable" as const,
  );

describe("mock gateway bind address", () => {
  test("the setting defaults to every interface, like each service's HOST", () => {
    const config = loadConfig({ gateway: mockGatewaySettings }, {});
    expect(config.gateway).toEqual({ hostname: "0.0.0.0", port: 3099, knobs: { latencyMs: 50, declineRate: 0 } });
  });

  test("bound as configured to 0.0.0.0 it answers on another address of the machine (127.0.0.2), probes included", async () => {
    const port = freePort();
    const config = loadConfig({ gateway: mockGatewaySettings }, { MOCK_GATEWAY_HOST: "0.0.0.0", MOCK_GATEWAY_PORT: String(port) });
    const gateway = startMockGateway(config.gateway);
    stops.push(gateway.stop);
    expect(await healthOn("127.0.0.2", port)).toBe(200);
    expect((await fetch(`http://127.0.0.2:${port}/readyz`)).status).toBe(200);
    const charge = await fetch(`http://127.0.0.2:${port}/charges`, {
      method: "POST",
      body: JSON.stringify({ idempotency_key: "bind-1", amount: 100, currency: "USD", method: "card" }),
    });
    expect(charge.status).toBe(201);
    expect(gateway.records.map((record) => record.idempotencyKey)).toEqual(["bind-1"]);
  });

  test("bound to 127.0.0.1 it is not reachable on 127.0.0.2 (what a pod's probes saw)", async () => {
    const port = freePort();
    const config = loadConfig({ gateway: mockGatewaySettings }, { MOCK_GATEWAY_HOST: "127.0.0.1", MOCK_GATEWAY_PORT: String(port) });
    const gateway = startMockGateway(config.gateway);
    stops.push(gateway.stop);
    expect(await healthOn("127.0.0.1", port)).toBe(200);
    expect(await healthOn("127.0.0.2", port)).toBe("unreachable");
  });

  test("the process entrypoint reads the setting: started with MOCK_GATEWAY_HOST=0.0.0.0 it answers on 127.0.0.2", async () => {
    const port = freePort();
    const child = Bun.spawn([process.execPath, entrypoint], {
      env: { ...process.env, MOCK_GATEWAY_HOST: "0.0.0.0", MOCK_GATEWAY_PORT: String(port), MOCK_GATEWAY_LATENCY_MS: "0" },
      stdout: "pipe",
      stderr: "pipe",
    });
    stops.push(() => child.kill());
    await eventually(async () => expect(await healthOn("127.0.0.2", port)).toBe(200), { timeoutMs: 20_000 });
  }, 30_000);
});
