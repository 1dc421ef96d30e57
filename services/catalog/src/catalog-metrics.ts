import { Counter, type Metrics } from "@booking-rush/lib/observability";

export function createCatalogMetrics(metrics: Metrics) {
  const registers = [metrics.registry];
  return {
    inventoryLoads: new Counter({
      name: "catalog_inventory_loads_total",
      help: "Events whose inventory publishing loaded into Redis",
      registers,
    }),
    cacheLookups: new Counter({
      name: "catalog_cache_lookups_total",
      help: "Event page cache lookups by result",
      labelNames: ["result"],
      registers,
    }),
    cacheWriteFailures: new Counter({
      name: "catalog_cache_writes_failed_total",
      help: "Event pages read but not cached because Redis refused the write (no replica in sync, failover) or was unreachable",
      registers,
    }),
    rateLimitUnwritable: new Counter({
      name: "catalog_rate_limit_unwritable_total",
      help: "Reads let through uncounted because Redis could not write their rate-limit bucket, by rule",
      labelNames: ["rule"],
      registers,
    }),
  };
}

export type CatalogMetrics = ReturnType<typeof createCatalogMetrics>;
