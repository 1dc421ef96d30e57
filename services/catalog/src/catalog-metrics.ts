import { Counter, type Metrics } from "@booking-rush/lib";

export function createCatalogMetrics(metrics: Metrics) {
  const registers = [metrics.registry];
  return {
    inventoryLoads: new Counter({ name: "catalog_inventory_loads_total", help: "Events whose inventory publishing loaded into Redis", registers }),
    cacheLookups: new Counter({ name: "catalog_cache_lookups_total", help: "Event page cache lookups by result", labelNames: ["result"], registers }),
  };
}

export type CatalogMetrics = ReturnType<typeof createCatalogMetrics>;
