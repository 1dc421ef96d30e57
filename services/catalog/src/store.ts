import type { AuthenticatedUser } from "@booking-rush/lib/auth";
import type { Database, DurableScripts, Locks, Redis } from "@booking-rush/lib/clients";
import { requestIdOf } from "@booking-rush/lib/http";
import { currentTraceparent, type Logger } from "@booking-rush/lib/observability";
import type { CatalogMetrics } from "./catalog-metrics";
import type { EventCache } from "./event-cache";
import type { CatalogConfig } from "./settings";

/** Everything the catalog's domain functions work with, built once in app.ts. */
export interface CatalogStore {
  db: Database;
  redis: Redis;
  /** Inventory writes (cancel-event), acknowledged by a replica. */
  scripts: DurableScripts;
  locks: Locks;
  cache: EventCache;
  config: CatalogConfig;
  metrics: CatalogMetrics;
  logger: Logger;
}

/** Who asked, for the audit trail. */
export interface Actor {
  user: AuthenticatedUser;
  requestId?: string;
  ip?: string | null;
  traceparent?: string;
}

/** The actor of a request, for a route plugin's derive: `actorOf(user)` in its handlers. */
export const actorsOf =
  (request: Request, traceparent: string | undefined) =>
  (user: AuthenticatedUser): Actor => ({ user, requestId: requestIdOf(request), traceparent: currentTraceparent(traceparent) });
