import type { AnyElysia } from "elysia";
import type { Readiness } from "../../src/http/health";
import { createHttpApp } from "../../src/http/server";
import { createLogger, type Logger } from "../../src/logger";
import { createMetrics } from "../../src/metrics";

export interface TestKernel {
  app: AnyElysia;
  lines: Record<string, unknown>[];
  logger: Logger;
  readiness: Readiness;
  metrics: ReturnType<typeof createMetrics>;
}

/** The production root app around the given service plugins, with a logger whose lines the test can read. */
export function testKernel(services: AnyElysia[], checks: Readiness["checks"] = {}): TestKernel {
  const lines: Record<string, unknown>[] = [];
  const logger = createLogger({ service: "test", level: "debug", write: (line) => lines.push(JSON.parse(line)) });
  const readiness: Readiness = { checks, draining: false };
  const metrics = createMetrics("test");
  const app = createHttpApp({ service: { name: "test", corsOrigins: ["https://tickets.example"] }, logger, metrics, readiness }, services);
  return { app, lines, logger, readiness, metrics };
}

export const call = (app: AnyElysia, path: string, init: RequestInit = {}) => app.handle(new Request(`http://localhost${path}`, init));

export const json = (body: unknown, init: RequestInit = {}): RequestInit => ({
  method: "POST",
  ...init,
  headers: { "content-type": "application/json", ...(init.headers as Record<string, string>) },
  body: JSON.stringify(body),
});

/** A response body as the loosely typed JSON the assertions inspect. */
// biome-ignore lint/suspicious/noExplicitAny: assertions check the shape at run time
export const jsonOf = (response: Response): Promise<any> => response.json();
