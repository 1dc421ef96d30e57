/** Reading /metrics as Prometheus does, in tests. */
import type { Metrics } from "@booking-rush/lib/observability";

/** The value of the first series of `name` whose labels include `labels` (undefined: no such series). */
export function seriesValue(text: string, name: string, labels = "") {
  const line = text.split("\n").find((candidate) => candidate.startsWith(`${name}{`) && candidate.includes(labels));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(" ") + 1));
}

/** The registry's text exposition and how long producing it took (a scrape that does I/O is slow, or fails). */
export async function timedScrape(metrics: Metrics) {
  const started = performance.now();
  const text = await metrics.registry.metrics();
  return { text, ms: performance.now() - started };
}
