import type { AnyElysia } from "elysia";
import type { Logger } from "../logger";
import type { ServiceConfig } from "../settings";
import { onShutdownSignal, type ShutdownStep } from "../shutdown";
import type { Readiness } from "./health";
import { serverMaxRequestBodyBytes } from "./json-body";

export interface ServeOptions {
  app: AnyElysia;
  service: ServiceConfig;
  logger: Logger;
  readiness: Readiness;
  /** Background loops of the process (a worker's loop), stopped after the server, before the clients. */
  workers?: ShutdownStep[];
  /** Clients in the order they were opened; closed in reverse after the server drained. */
  clients: ShutdownStep[];
}

/**
 * Listens, and on SIGTERM/SIGINT: readiness 503, serve SHUTDOWN_DRAIN_MS more with every connection
 * closed after its response, stop accepting, finish in-flight requests, stop the
 * workers' loops, close clients. A worker process serves only the kernel (health, readiness, metrics).
 */
export function serveHttp({ app, service, logger, readiness, workers = [], clients }: ServeOptions) {
  app.listen({ port: service.port, hostname: service.host, maxRequestBodySize: serverMaxRequestBodyBytes });
  logger.info("listening", { host: service.host, port: service.port, environment: service.environment });
  onShutdownSignal({
    logger,
    timeoutMs: service.shutdownTimeoutMs,
    stopAccepting: [
      { name: "readiness", run: () => (readiness.draining = true) },
      // Still serving, each response closing its connection (healthPlugin), while the endpoint's
      // removal reaches every proxy.
      { name: "drain", run: () => Bun.sleep(service.shutdownDrainMs) },
      { name: "http server", run: () => app.stop(false) },
      ...workers,
    ],
    clients,
  });
}
