import { cors } from "@elysiajs/cors";
import { openapi } from "@elysiajs/openapi";
import { opentelemetry } from "@elysiajs/opentelemetry";
import { type AnyElysia, Elysia } from "elysia";
import type { Logger } from "../logger";
import type { Metrics } from "../metrics";
import type { ServiceConfig } from "../settings";
import { errorHandlerPlugin } from "./error-handler";
import { healthPlugin, type Readiness } from "./health";
import { bodyLimitPlugin } from "./json-body";
import { httpMetricsPlugin } from "./metrics";
import { requestIdPlugin } from "./request-id";
import { securityHeadersPlugin } from "./security-headers";

export interface HttpKernel {
  service: Pick<ServiceConfig, "name" | "corsOrigins">;
  logger: Logger;
  metrics: Metrics;
  readiness: Readiness;
  /** Server spans for every request; only when the SDK was started (startTelemetry), else it would start its own. */
  tracing?: boolean;
}

/**
 * The root app every HTTP process serves: request id, security headers, CORS, the error envelope,
 * metrics, health, OpenAPI, then the service plugins (each `new Elysia({ name, prefix })`).
 */
export function createHttpApp(kernel: HttpKernel, services: AnyElysia[] = []) {
  let app = new Elysia({ name: `${kernel.service.name}.root` })
    .use(kernel.tracing ? opentelemetry({ serviceName: kernel.service.name }) : new Elysia())
    .use(requestIdPlugin(kernel.logger))
    .use(securityHeadersPlugin())
    .use(errorHandlerPlugin(kernel.logger))
    .use(bodyLimitPlugin())
    .use(
      cors({
        origin: kernel.service.corsOrigins === "*" ? true : kernel.service.corsOrigins,
        credentials: false,
        allowedHeaders: ["Authorization", "Content-Type", "Idempotency-Key", "X-Request-ID", "X-Queue-Pass", "traceparent"],
        exposeHeaders: ["X-Request-ID", "Retry-After"],
        maxAge: 600,
      }),
    )
    .use(httpMetricsPlugin(kernel.metrics))
    .use(healthPlugin(kernel.readiness))
    .use(
      openapi({
        path: "/openapi",
        documentation: {
          info: { title: `Booking Rush ${kernel.service.name} API`, version: "1" },
          components: { securitySchemes: { bearer: { type: "http", scheme: "bearer", bearerFormat: "JWT" } } },
        },
      }),
    ) as unknown as AnyElysia;
  for (const service of services) app = app.use(service);
  return app;
}
