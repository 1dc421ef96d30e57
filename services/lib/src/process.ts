/**
 * The start of every process, HTTP service or worker: settings parsed once (exiting with one
 * message naming each bad variable), a logger that scrubs the secrets among them, tracing (started
 * before any client is created, see telemetry.ts) and the metrics registry.
 */
import { type AnyGroup, type ConfigOf, loadConfigOrExit, secretValues } from "./config";
import { createLogger } from "./logger";
import { createMetrics } from "./metrics";
import type { ServiceConfig, TelemetryConfig } from "./settings";
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
  return { config, logger, telemetry, metrics };
}
