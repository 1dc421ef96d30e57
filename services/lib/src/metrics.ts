/**
 * One prom-client registry per process, with default process metrics and the service label, so
 * every metric of every process is scraped the same way from /metrics.
 *
 * A scrape does no I/O: values that need a network call (consumer lag, connection counts, Redis
 * memory, outbox backlog) are sampled on a timer in the background (`sampleInBackground`) and the
 * scrape shows the last value, with its age in `metrics_sample_age_seconds{source}`.
 */
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";

export interface Metrics {
  registry: Registry;
  httpRequests: Counter<"method" | "route" | "status">;
  httpRequestDuration: Histogram<"method" | "route" | "status">;
  /** When each background source last succeeded (ms since epoch; undefined: not yet) and when it started. */
  samples: Map<string, BackgroundSample>;
  /** Stops every background sampler of the process (shutdown, tests). */
  stopSampling(): void;
  /** Samples every background source now (tests); true when all succeeded. */
  refreshSamples(): Promise<boolean>;
}

interface BackgroundSample {
  startedMs: number;
  lastSuccessMs: number | undefined;
  refresh(): Promise<boolean>;
  stop(): void;
}

export function createMetrics(service: string): Metrics {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  collectDefaultMetrics({ register: registry });
  const samples = new Map<string, BackgroundSample>();
  new Gauge({
    name: "metrics_sample_age_seconds",
    help: "Seconds since a value sampled in the background (by source) was last refreshed; since start-up while it never was",
    labelNames: ["source"],
    registers: [registry],
    collect() {
      const now = Date.now();
      for (const [source, sample] of samples) this.set({ source }, Math.max(0, (now - (sample.lastSuccessMs ?? sample.startedMs)) / 1000));
    },
  });
  return {
    registry,
    samples,
    stopSampling() {
      for (const sample of samples.values()) sample.stop();
    },
    async refreshSamples() {
      return (await Promise.all([...samples.values()].map((sample) => sample.refresh()))).every(Boolean);
    },
    httpRequests: new Counter({
      name: "http_requests_total",
      help: "HTTP requests answered, by route template",
      labelNames: ["method", "route", "status"],
      registers: [registry],
    }),
    httpRequestDuration: new Histogram({
      name: "http_request_duration_seconds",
      help: "Time from request to response, by route template",
      labelNames: ["method", "route", "status"],
      // Milliseconds matter on the hot path; the tail up to 5 s shows a stuck dependency.
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    }),
  };
}

/**
 * A counter of outcomes by `result` with every known result at 0 from the start, so a panel shows
 * 0 rather than "No data", and a ratio has its denominator, before the first one happens.
 */
export function resultCounter(metrics: Metrics, config: { name: string; help: string; results: readonly string[] }): Counter<"result"> {
  return labelledCounter(metrics, { ...config, label: "result", values: config.results });
}

/**
 * A counter of one label whose every known value is exported at 0 from the start, so a panel or a
 * ratio reads 0, not "No data", until the first event (a restarted pod included).
 */
export function labelledCounter<Label extends string>(
  metrics: Metrics,
  config: { name: string; help: string; label: Label; values: readonly string[] },
): Counter<Label> {
  const counter = new Counter<Label>({ name: config.name, help: config.help, labelNames: [config.label], registers: [metrics.registry] });
  for (const value of config.values) counter.inc({ [config.label]: value } as Partial<Record<Label, string>>, 0);
  return counter;
}

export interface SamplingOptions {
  /** Pause between the end of one sample and the start of the next. */
  intervalMs?: number;
  /** A sample that takes longer is abandoned (its values stay as they were and age). */
  timeoutMs?: number;
}

/** Scrapes come every 15 s; a value at most 10 s old is as good as a fresh one for an alert. */
const defaultSampling = { intervalMs: 10_000, timeoutMs: 8_000 };

/**
 * Runs `sample` (which reads a dependency and sets its gauges) now and then every interval, one at
 * a time, until stopped; records its last success for `metrics_sample_age_seconds{source}`. A
 * failing or hanging sample leaves the gauges at their last values, and their age grows. The timer
 * does not keep the process alive. Returns `refresh`, which samples now and says if it succeeded.
 */
export function sampleInBackground(metrics: Metrics, source: string, sample: () => Promise<void>, options: SamplingOptions = {}) {
  const { intervalMs, timeoutMs } = { ...defaultSampling, ...options };
  metrics.samples.get(source)?.stop();
  let timer: ReturnType<typeof setTimeout> | undefined;
  let stopped = false;
  const state: BackgroundSample = {
    startedMs: Date.now(),
    lastSuccessMs: undefined,
    refresh: () => refresh(),
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
  };
  metrics.samples.set(source, state);
  async function refresh(): Promise<boolean> {
    let timeout: ReturnType<typeof setTimeout> | undefined;
    try {
      const expired = new Promise<never>((_, reject) => {
        timeout = setTimeout(() => reject(new Error(`${source} sample took longer than ${timeoutMs} ms`)), timeoutMs);
      });
      await Promise.race([sample(), expired]);
      state.lastSuccessMs = Date.now();
      return true;
    } catch {
      // The age says the value is stale; /readyz says why the dependency is not there.
      return false;
    } finally {
      clearTimeout(timeout);
    }
  }
  const loop = async () => {
    await refresh();
    if (stopped) return;
    timer = setTimeout(loop, intervalMs);
    timer.unref?.();
  };
  void loop();
  return { refresh, stop: state.stop };
}

export { Counter, Gauge, Histogram };
