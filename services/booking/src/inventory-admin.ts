/**
 * The admin view of inventory: both sides of every zone of a show (GET /admin/inventory-status),
 * and a reconciliation on demand (POST /admin/sync-inventory), the same one the reconciler runs,
 * under the same lock and fencing token. Admins see and repair their own tenant's events only;
 * every sync is audit-logged.
 */

import { events, seatZones, shows } from "@booking-rush/db/schema";
import type { AuthenticatedUser } from "@booking-rush/lib/auth";
import type { Database } from "@booking-rush/lib/clients";
import { inScope, systemScope, writeAudit } from "@booking-rush/lib/data";
import { forbidden, notFound } from "@booking-rush/lib/errors";
import {
  classifyZone,
  type ReconcileDependencies,
  type ReconcileOptions,
  readPostgresTruth,
  readRedisSide,
  reconcileEvent,
  type ZoneReport,
} from "@booking-rush/reconciler";
import { and, eq } from "drizzle-orm";

export interface InventoryAdmin {
  dependencies: ReconcileDependencies;
  options: ReconcileOptions;
}

async function eventOfShow(db: Database, user: AuthenticatedUser, showId: string) {
  const [row] = await inScope(db, systemScope, (tx) =>
    tx
      .select({ eventId: events.id, tenantId: events.tenantId })
      .from(shows)
      .innerJoin(events, eq(events.id, shows.eventId))
      .where(eq(shows.id, showId)),
  );
  if (!row) throw notFound("Show");
  if (row.tenantId !== user.tenant_id) throw forbidden("Only an admin of the event's tenant can see or repair its inventory");
  return row;
}

export async function inventoryStatus(admin: InventoryAdmin, user: AuthenticatedUser, showId: string) {
  const { db, redis } = admin.dependencies;
  const { eventId } = await eventOfShow(db, user, showId);
  const truth = await readPostgresTruth(db, eventId, admin.options.projectorConsumer);
  const zones = truth?.zones.filter((zone) => zone.showId === showId) ?? [];
  const names = new Map(
    (
      await inScope(db, systemScope, (tx) =>
        tx.select({ id: seatZones.id, name: seatZones.name }).from(seatZones).where(eq(seatZones.showId, showId)),
      )
    ).map((row) => [row.id, row.name]),
  );
  const side = await readRedisSide(
    redis,
    eventId,
    zones.map((zone) => zone.id),
  );
  return zones.map((zone) => {
    const inRedis = side.zones.get(zone.id);
    return {
      zone_id: zone.id,
      name: names.get(zone.id) ?? "",
      verdict: classifyZone(side.eventPresent, inRedis, zone),
      redis: inRedis
        ? {
            available: inRedis.total - inRedis.reserved - inRedis.sold,
            reserved: inRedis.reserved,
            sold: inRedis.sold,
            waitlisted: inRedis.waitlisted,
            seq: inRedis.seq,
          }
        : null,
      postgres: {
        available: zone.total - zone.reserved - zone.sold,
        reserved: zone.reserved,
        sold: zone.sold,
        waitlisted: zone.waitlisted,
        applied_seq: zone.appliedSeq,
      },
      difference: inRedis
        ? {
            reserved: inRedis.reserved - zone.reserved,
            sold: inRedis.sold - zone.sold,
            waitlisted: inRedis.waitlisted - zone.waitlisted,
            seq: inRedis.seq - zone.appliedSeq,
          }
        : null,
    };
  });
}

export async function syncInventory(
  admin: InventoryAdmin,
  user: AuthenticatedUser,
  request: { showId?: string; ip?: string; requestId?: string },
) {
  const { db } = admin.dependencies;
  const eventIds = request.showId
    ? [(await eventOfShow(db, user, request.showId)).eventId]
    : (
        await inScope(db, systemScope, (tx) =>
          tx
            .select({ id: events.id })
            .from(events)
            .where(and(eq(events.tenantId, user.tenant_id ?? ""), eq(events.status, "published"))),
        )
      ).map((row) => row.id);
  const reports: ZoneReport[] = [];
  for (const eventId of eventIds) reports.push(...(await reconcileEvent(admin.dependencies, eventId, admin.options)));
  const summary = reports.map((report) => ({
    event_id: report.eventId,
    zone_id: report.zoneId,
    verdict: report.verdict,
    outcome: report.outcome,
  }));
  await inScope(db, systemScope, (tx) =>
    writeAudit(tx, {
      actorId: user.id,
      tenantId: user.tenant_id,
      action: "inventory.synced",
      entityType: request.showId ? "show" : "tenant",
      entityId: request.showId ?? user.tenant_id,
      after: { zones: summary },
      ip: request.ip ?? null,
      requestId: request.requestId ?? null,
    }),
  );
  return summary;
}
