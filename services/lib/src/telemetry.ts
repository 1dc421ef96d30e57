/**
 * OpenTelemetry tracing, exported over OTLP/HTTP; off (no SDK at all) when no endpoint is set.
 * On Bun only modules loaded through require() are auto-instrumented (shared/design/PLATFORM-NOTES.md),
 * so the SDK must start before the clients are created.
 */
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-http";
import { NodeSDK } from "@opentelemetry/sdk-node";
import { ParentBasedSampler, TraceIdRatioBasedSampler } from "@opentelemetry/sdk-trace-base";
import type { TelemetryConfig } from "./settings";

export interface Telemetry {
  enabled: boolean;
  shutdown(): Promise<void>;
}

export function startTelemetry(config: TelemetryConfig, serviceName: string): Telemetry {
  if (!config.otlpEndpoint) return { enabled: false, shutdown: async () => {} };
  const sdk = new NodeSDK({
    serviceName,
    traceExporter: new OTLPTraceExporter({ url: `${config.otlpEndpoint.replace(/\/$/, "")}/v1/traces` }),
    sampler: new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(config.samplerRatio) }),
  });
  sdk.start();
  return { enabled: true, shutdown: () => sdk.shutdown() };
}
