import { opentelemetry } from "@elysiajs/opentelemetry";
import { type AnyElysia, Elysia } from "elysia";
import type { Logger } from "../logger";
import type { Metrics } from "../metrics";
import type { ServiceConfig } from "../settings";
import { corsPlugin } from "./cors";
import { errorHandlerPlugin, type NotFoundPage } from "./error-handler";
import { healthPlugin, type Readiness } from "./health";
import { bodyLimitPlugin } from "./json-body";
import { httpMetricsPlugin } from "./metrics";
import { openApiPlugin } from "./openapi";
import { requestIdPlugin } from "./request-id";
import { securityHeadersPlugin } from "./security-headers";

export interface HttpKernel {
  service: Pick<ServiceConfig, "name" | "corsOrigins">;
  logger: Logger;
  metrics: Metrics;
  readiness: Readiness;
  /** Server spans for every request; only when the SDK was started (startTelemetry), else it would start its own. */
  tracing?: boolean;
  /** The answer for a path no route serves, when not the 404 envelope (the web app's page for a browser). */
  notFoundPage?: NotFoundPage;
}

/**
 * The methods served on each path of an app, for 405 answers: read from its routes on first use
 * (every route is registered by then) and kept. OPTIONS is always served (CORS preflight).
 */
export function methodsByPath(app: AnyElysia): (path: string) => string[] {
  let routes: { pattern: RegExp; method: string }[] | undefined;
  const escapeRegExp = (text: string) => text.replace(/[.+?^${}()|[\]\\]/g, "\\$&");
  return (path) => {
    routes ??= (app.routes as { method: string; path: string }[]).map((route) => ({
      method: route.method.toUpperCase(),
      pattern: new RegExp(
        `^${route.path
          .split("/")
          .map((part) => (part === "*" ? ".*" : part.startsWith(":") ? "[^/]+" : escapeRegExp(part)))
          .join("/")}/?$`,
      ),
    }));
    const methods = new Set(routes.filter((route) => route.pattern.test(path)).map((route) => route.method));
    if (methods.has("GET")) methods.add("HEAD");
    return methods.size === 0 ? [] : [...methods, "OPTIONS"];
  };
}

/**
 * The root app every HTTP process serves: request id, security headers, CORS, the error envelope,
 * request limits, metrics, health, OpenAPI, then the service plugins (each `new Elysia({ name, prefix })`).
 */
export function createHttpApp(kernel: HttpKernel, services: AnyElysia[] = []) {
  const root = new Elysia({ name: `${kernel.service.name}.root` });
  let app = root
    .use(kernel.tracing ? opentelemetry({ serviceName: kernel.service.name }) : new Elysia())
    .use(requestIdPlugin(kernel.logger))
    .use(securityHeadersPlugin())
    .use(corsPlugin(kernel.service.corsOrigins))
    .use(errorHandlerPlugin(kernel.logger, methodsByPath(root), kernel.notFoundPage))
    .use(bodyLimitPlugin())
    .use(httpMetricsPlugin(kernel.metrics))
    .use(healthPlugin(kernel.readiness))
    .use(openApiPlugin({ title: `Booking Rush ${kernel.service.name} API`, version: "1" })) as unknown as AnyElysia;
  for (const service of services) app = app.use(service);
  return app;
}
