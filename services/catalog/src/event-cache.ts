/**
 * Event pages cached in Redis: an event's detail under its own key, the tenant view (name and
 * branding) its pages show under the tenant's, list pages under a version number that every change bumps (so no page of an older version is ever read again). A cache that
 * cannot be read is a miss, not an error, and filling it is not awaited: browsing survives Redis
 * trouble, including a master that refuses writes while no replica is in sync (the page is then
 * served from PostgreSQL uncached). Invalidation errors do propagate: a change must not commit
 * while its stale page would stay cached.
 */
import type { Redis } from "@booking-rush/lib/clients";
import type { Logger } from "@booking-rush/lib/observability";

const eventKey = (eventId: string) => `catalog:event:${eventId}`;
const tenantKey = (tenantId: string) => `catalog:tenant:${tenantId}`;
const listVersionKey = "catalog:events:version";
const listKey = (version: string, query: string) =>
  `catalog:events:v${version}:${new Bun.CryptoHasher("sha1").update(query).digest("hex")}`;

export interface EventCache {
  event<T>(eventId: string, load: () => Promise<T | undefined>): Promise<T | undefined>;
  list<T>(query: unknown, load: () => Promise<T>): Promise<T>;
  tenant<T>(tenantId: string, load: () => Promise<T | undefined>): Promise<T | undefined>;
  /** Before a change commits: a failure aborts the change (503, nothing changed). */
  invalidate(eventId: string): Promise<void>;
  /** After it committed, against a reader that re-cached the old page in between: a failure is logged. */
  invalidateAfterCommit(eventId: string): Promise<void>;
  /** The tenant view's two, as the event's. */
  invalidateTenant(tenantId: string): Promise<void>;
  invalidateTenantAfterCommit(tenantId: string): Promise<void>;
}

export interface EventCacheObservers {
  onLookup?: (hit: boolean) => void;
  /** A page was read but could not be cached (Redis refused the write or was unreachable). */
  onWriteFailed?: () => void;
}

export function createEventCache(
  redis: Redis,
  ttlSeconds: number,
  logger: Logger,
  { onLookup, onWriteFailed }: EventCacheObservers = {},
): EventCache {
  async function cached<T>(key: () => Promise<string>, load: () => Promise<T | undefined>): Promise<T | undefined> {
    let cacheKey: string | undefined;
    try {
      cacheKey = await key();
      const hit = await redis.get(cacheKey);
      onLookup?.(hit !== null);
      if (hit !== null) return JSON.parse(hit) as T;
    } catch (error) {
      logger.warn("event cache unavailable, reading the database", { error: error instanceof Error ? error.message : String(error) });
    }
    const value = await load();
    // Not awaited: the reader has its page; a refused or slow write only costs the next reader a miss.
    if (value !== undefined && cacheKey) redis.set(cacheKey, JSON.stringify(value), "EX", ttlSeconds).catch(() => onWriteFailed?.());
    return value;
  }
  return {
    event: (eventId, load) => cached(async () => eventKey(eventId), load),
    list: async (query, load) =>
      (await cached(async () => listKey((await redis.get(listVersionKey)) ?? "0", JSON.stringify(query)), load)) as Awaited<
        ReturnType<typeof load>
      >,
    tenant: (tenantId, load) => cached(async () => tenantKey(tenantId), load),
    async invalidate(eventId) {
      await redis.multi().del(eventKey(eventId)).incr(listVersionKey).exec();
    },
    async invalidateAfterCommit(eventId) {
      await this.invalidate(eventId).catch((error: Error) =>
        logger.warn("event cache not invalidated after a change", { event_id: eventId, error: error.message }),
      );
    },
    async invalidateTenant(tenantId) {
      await redis.del(tenantKey(tenantId));
    },
    async invalidateTenantAfterCommit(tenantId) {
      await this.invalidateTenant(tenantId).catch((error: Error) =>
        logger.warn("tenant view not invalidated after a change", { tenant_id: tenantId, error: error.message }),
      );
    },
  };
}
