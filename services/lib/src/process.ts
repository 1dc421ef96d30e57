/**
 * The start of every process, HTTP service or worker: settings parsed once (exiting with one
 * message naming each bad variable), a logger that scrubs the secrets among them, tracing (started
 * before any client is created, see telemetry.ts) and the metrics registry.
 */
import type { AnyElysia } from "elysia";
import { registerDbConnectionMetrics } from "./clients/postgres";
import { type AnyGroup, type ConfigOf, loadConfigOrExit, secretValues } from "./config";
import type { NotFoundPage } from "./http/error-handler";
import type { ReadinessCheck } from "./http/health";
import { serveHttp } from "./http/serve";
import { createHttpApp } from "./http/server";
import { createLogger, type Logger } from "./logger";
import { createMetrics, type Metrics } from "./metrics";
import type { ServiceConfig, TelemetryConfig } from "./settings";
import type { ShutdownStep } from "./shutdown";
import { startTelemetry } from "./telemetry";

type ProcessGroups = Record<string, AnyGroup> & {
  service: { shape: (values: never) => ServiceConfig };
  telemetry: { shape: (values: never) => TelemetryConfig };
};

export function startProcess<G extends ProcessGroups>(groups: G, env: Record<string, string | undefined> = process.env) {
  const config = loadConfigOrExit(groups, env);
  const service = config.service as ServiceConfig;
  const logger = createLogger({ service: service.name, level: service.logLevel, secrets: secretValues(groups, env) });
  const telemetry = startTelemetry(config.telemetry as TelemetryConfig, service.name);
  const metrics = createMetrics(service.name);
  registerDbConnectionMetrics(metrics);
  return { config, logger, telemetry, metrics };
}

export interface ProcessParts {
  /** Service plugins to mount (none for a worker, which serves only health, readiness and metrics). */
  plugins?: AnyElysia[];
  /** What /readyz pings. */
  checks: Record<string, ReadinessCheck>;
  /** The process's background loops, stopped after the server on SIGTERM. */
  workers?: ShutdownStep[];
  /**
   * A worker's Kafka consumer (worker-consumer.ts): started in the background and kept running,
   * retried while Kafka or its topics are not there yet and restarted after a crash; /readyz says
   * whether it runs; stopped first on SIGTERM.
   */
  consumer?: { name: string; start(): Promise<void>; check: ReadinessCheck; stop(): Promise<void> };
  /** Clients in the order they were opened; closed in reverse after the server and workers. */
  clients: ShutdownStep[];
  /** The answer for a path no route serves, when not the 404 envelope (the web app's not-found page). */
  notFoundPage?: NotFoundPage;
}

/**
 * A whole process: start-up (startProcess), the parts it builds from its config, the kernel HTTP
 * app around them, and graceful shutdown. Every entrypoint (services/<package>/bin/) is this call.
 */
export function runProcess<G extends ProcessGroups>(
  groups: G,
  build: (config: ConfigOf<G>, logger: Logger, metrics: Metrics) => ProcessParts,
): void {
  const { config, logger, telemetry, metrics } = startProcess(groups);
  const service = config.service as ServiceConfig;
  const parts = build(config, logger, metrics);
  const consumer = parts.consumer;
  void consumer?.start();
  const readiness = { draining: false, checks: consumer ? { ...parts.checks, consumer: consumer.check } : parts.checks };
  const consumerStop = consumer ? [{ name: consumer.name, run: () => consumer.stop() }] : [];
  serveHttp({
    app: createHttpApp(
      { service, logger, metrics, readiness, tracing: telemetry.enabled, notFoundPage: parts.notFoundPage },
      parts.plugins ?? [],
    ),
    service,
    logger,
    readiness,
    // Background samples read the clients: stopped before the clients close.
    workers: [{ name: "metrics sampling", run: () => metrics.stopSampling() }, ...consumerStop, ...(parts.workers ?? [])],
    clients: [{ name: "telemetry", run: () => telemetry.shutdown() }, ...parts.clients],
  });
}

/**
 * Work a process must get done to be of any use (a worker joining its consumer group, the first
 * admin): a failure is logged and stops the process, so the orchestrator restarts it instead of
 * it running half started. Resolves with the work (a readiness check can wait for it).
 */
export function startOrExit<T>(logger: Logger, what: string, work: Promise<T>): Promise<T> {
  return work.catch((error: unknown) => {
    logger.error(`${what} could not start`, { error: error instanceof Error ? error.message : String(error) });
    return process.exit(1);
  });
}
