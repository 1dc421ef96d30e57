import { settingsGroup } from "@booking-rush/lib/config";
import { Type } from "@sinclair/typebox";

export const catalogSettings = settingsGroup(
  {
    CATALOG_CACHE_TTL_SECONDS: Type.Integer({
      minimum: 1,
      maximum: 86_400,
      default: 60,
      description: "How long an event page stays cached in Redis (every change invalidates it at once)",
    }),
    PUBLISH_LOCK_TTL_MS: Type.Integer({
      minimum: 1_000,
      maximum: 300_000,
      default: 15_000,
      description: "Redlock lifetime while an event is published (extended while the work runs)",
    }),
    PUBLISH_LOCK_WAIT_MS: Type.Integer({
      minimum: 100,
      maximum: 300_000,
      default: 30_000,
      description: "How long a publish waits for another publish of the same event before answering 503",
    }),
  },
  (values) => ({
    cacheTtlSeconds: values.CATALOG_CACHE_TTL_SECONDS,
    publishLock: { ttlMs: values.PUBLISH_LOCK_TTL_MS, waitMs: values.PUBLISH_LOCK_WAIT_MS },
  }),
);

export type CatalogConfig = ReturnType<typeof catalogSettings.shape>;
