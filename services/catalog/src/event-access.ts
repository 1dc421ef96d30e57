/** Who may change what: organizers and admins act on their own tenant's events only. */

import { type Event, events } from "@booking-rush/db/schema";
import type { AuthenticatedUser } from "@booking-rush/lib/auth";
import type { Transaction } from "@booking-rush/lib/data";
import { forbidden, notFound } from "@booking-rush/lib/errors";
import { eq } from "drizzle-orm";

/** The caller's tenant, for creating; buyers and users without a tenant cannot organise. */
export function organizerTenant(user: AuthenticatedUser): string {
  if (user.role === "user" || !user.tenant_id) throw forbidden("Only an organizer or admin of a tenant can do this");
  return user.tenant_id;
}

/**
 * The event, locked for the change, when it belongs to the caller's tenant. Row-level security
 * already hides other tenants' drafts (404); a visible event of another tenant is 403. (The lock
 * is taken in a second read: under row-level security FOR UPDATE sees only rows the caller may
 * update, so it cannot tell "not yours" from "not there".)
 */
export async function ownedEvent(tx: Transaction, user: AuthenticatedUser, eventId: string): Promise<Event> {
  const tenantId = organizerTenant(user);
  const [visible] = await tx.select({ tenantId: events.tenantId }).from(events).where(eq(events.id, eventId));
  if (!visible) throw notFound("Event");
  if (visible.tenantId !== tenantId) throw forbidden("This event belongs to another tenant");
  const [event] = await tx.select().from(events).where(eq(events.id, eventId)).for("update");
  if (!event) throw notFound("Event");
  return event;
}
