import { afterAll, describe, expect, test } from "bun:test";
import { eventually } from "@booking-rush/test-support/eventually";
import { trace } from "@opentelemetry/api";
import { Elysia } from "elysia";
import { createHttpApp } from "../src/http/server";
import { createLogger } from "../src/logger";
import { createMetrics } from "../src/metrics";
import { startTelemetry } from "../src/telemetry";

/** A real OTLP/HTTP receiver on loopback standing in for the OpenTelemetry Collector. */
const received: { path: string; bytes: number; contentType: string | null }[] = [];
const collector = Bun.serve({
  port: 0,
  hostname: "127.0.0.1",
  async fetch(request) {
    const body = new Uint8Array(await request.arrayBuffer());
    received.push({ path: new URL(request.url).pathname, bytes: body.byteLength, contentType: request.headers.get("content-type") });
    return new Response("{}", { headers: { "content-type": "application/json" } });
  },
});

afterAll(() => collector.stop(true));

describe("telemetry", () => {
  test("is off without an endpoint: no SDK, nothing exported", async () => {
    const telemetry = startTelemetry({ otlpEndpoint: undefined, samplerRatio: 1 }, "test");
    expect(telemetry.enabled).toBe(false);
    await telemetry.shutdown();
  });

  test("with an endpoint, spans of a request reach the collector over OTLP/HTTP", async () => {
    const telemetry = startTelemetry({ otlpEndpoint: `http://127.0.0.1:${collector.port}/`, samplerRatio: 1 }, "booking-test");
    expect(telemetry.enabled).toBe(true);
    const logger = createLogger({ service: "booking-test", write: () => {} });
    const app = createHttpApp(
      {
        service: { name: "booking-test", corsOrigins: "*" },
        logger,
        metrics: createMetrics("t"),
        readiness: { checks: {}, draining: false },
        tracing: true,
      },
      [
        new Elysia({ name: "traced" }).get("/traced", () => ({
          success: true as const,
          data: trace.getActiveSpan()?.spanContext().traceId ?? null,
        })),
      ],
    );
    const response = await app.handle(new Request("http://localhost/traced"));
    expect(response.status).toBe(200);
    const { data: traceId } = (await response.json()) as { data: string | null };
    expect(traceId).toMatch(/^[0-9a-f]{32}$/);
    // shutdown() flushes the batch processor: the export happens now, not on a timer.
    await telemetry.shutdown();
    await eventually(() => expect(received.some((entry) => entry.path === "/v1/traces" && entry.bytes > 0)).toBe(true), {
      timeoutMs: 5_000,
    });
  });
});
