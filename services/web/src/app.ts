/**
 * The web app, built once from config: bin/web.ts serves it, services/all mounts it beside the
 * APIs, tests call it with app.handle(). The client is built in memory as the process starts
 * (client-build.ts); the routes answer once it is built and readiness waits for it.
 */
import type { Logger } from "@booking-rush/lib/observability";
import { Elysia } from "elysia";
import { type BuiltClient, buildClient, type WebConfig } from "./client-build";
import { notFoundPage, webRoutes } from "./routes";

export type { WebConfig } from "./client-build";

export function createWebApp(config: WebConfig, logger: Logger) {
  const startedAt = performance.now();
  const client: Promise<BuiltClient> = buildClient(config).then((built) => {
    logger.info("web client built", {
      assets: built.assets.size,
      production: config.production,
      ms: Math.round(performance.now() - startedAt),
    });
    return built;
  });
  // A failed build fails readiness (and the first request); the log says why.
  client.catch((error: unknown) =>
    logger.error("web client build failed", { error: error instanceof Error ? error.message : String(error) }),
  );
  return {
    routes: new Elysia({ name: "web" }).use(webRoutes(client)),
    /** For the kernel (runProcess's notFoundPage): a browser's unknown page gets the app's "page not found". */
    notFoundPage: notFoundPage(client),
    /** For /readyz: resolves once the client is built. */
    ready: () => client,
  };
}
