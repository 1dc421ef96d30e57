/**
 * Demo data for the local platform: a tenant with an organizer and an admin, two categories, and a
 * published event with a general-admission zone and an assigned-seating zone, built through the
 * catalog's own functions (so publishing loads the inventory exactly as the API does). Idempotent:
 * a second run finds what the first made and prints the same ids. Prints the credentials.
 *   bash scripts/seed        (scripts/run calls it)
 */

import { createCatalogService } from "@booking-rush/catalog/app";
import { createEvent, createShow } from "@booking-rush/catalog/events";
import { publishEvent } from "@booking-rush/catalog/publishing";
import { catalogSettings } from "@booking-rush/catalog/settings";
import { createZone } from "@booking-rush/catalog/zones";
import * as schema from "@booking-rush/db/schema";
import type { AuthenticatedUser } from "@booking-rush/lib/auth";
import {
  apiRateLimitSettings,
  authSettings,
  loadConfigOrExit,
  postgresSettings,
  redisSettings,
  redlockSettings,
} from "@booking-rush/lib/config";
import { inScope, systemScope } from "@booking-rush/lib/data";
import { createLogger, createMetrics } from "@booking-rush/lib/observability";
import { eq } from "drizzle-orm";

const config = {
  ...loadConfigOrExit(
    {
      redis: redisSettings,
      redlock: redlockSettings,
      postgres: postgresSettings,
      auth: authSettings,
      catalog: catalogSettings,
      rateLimit: apiRateLimitSettings,
    },
    process.env,
  ),
  service: { trustProxy: false },
};
const logger = createLogger({ service: "seed", level: "warn" });
const catalog = createCatalogService(config, logger, createMetrics("seed"));
const db = catalog.store.db;

/** Local-only credentials: the stack listens on loopback and these are printed on purpose. */
const demoPassword = process.env.DEMO_PASSWORD ?? "demo-password-123";
const passwordHash = await Bun.password.hash(demoPassword, { algorithm: "bcrypt", cost: 12 });

try {
  const seeded = await inScope(db, systemScope, async (tx) => {
    await tx
      .insert(schema.categories)
      .values([
        { name: "Concerts", slug: "concerts" },
        { name: "Sports", slug: "sports" },
        { name: "Theatre", slug: "theatre" },
      ])
      .onConflictDoNothing();
    // Its event pages' colours (GET /api/v1/tenants/:id); white text on the primary passes WCAG AA. No logo.
    const branding = { primary_color: "#6d28d9", accent_color: "#f59e0b" };
    await tx.insert(schema.tenants).values({ name: "Demo Live", slug: "demo-live", settings: { branding } }).onConflictDoNothing();
    const [tenant] = await tx.select().from(schema.tenants).where(eq(schema.tenants.slug, "demo-live"));
    const user = async (email: string, name: string, role: "organizer" | "admin") => {
      await tx.insert(schema.users).values({ tenantId: tenant!.id, email, name, role, passwordHash }).onConflictDoNothing();
      const [row] = await tx.select().from(schema.users).where(eq(schema.users.email, email));
      return row!;
    };
    const organizer = await user("organizer@demo.local", "Demo Organizer", "organizer");
    const admin = await user("admin@demo.local", "Demo Admin", "admin");
    const [existing] = await tx.select().from(schema.events).where(eq(schema.events.title, "Booking Rush Demo Night"));
    return { tenant: tenant!, organizer, admin, existingEventId: existing?.id };
  });

  const actor = {
    user: {
      id: seeded.organizer.id,
      email: seeded.organizer.email,
      role: "organizer",
      tenant_id: seeded.tenant.id,
    } satisfies AuthenticatedUser,
    requestId: "seed",
  };
  let eventId = seeded.existingEventId;
  if (!eventId) {
    const days = (count: number) => new Date(Date.now() + count * 24 * 3_600_000);
    const event = await createEvent(catalog.store, actor, {
      title: "Booking Rush Demo Night",
      description: "A flash sale to try the platform with.",
      category: "concerts",
      venue: "Loopback Arena",
      bookingOpensAt: new Date(Date.now() - 3_600_000),
      bookingClosesAt: days(30),
      maxTicketsPerUser: 4,
      waitlistLimit: 50,
      minAge: null,
      queueEnabled: false,
    });
    const show = await createShow(catalog.store, actor, event.id, days(40), new Date(days(40).getTime() + 3 * 3_600_000));
    await createZone(catalog.store, actor, show.id, {
      name: "Standing",
      price: 150_000,
      layout: { kind: "general_admission", totalSeats: 1_000 },
    });
    // Two places: sold out by one buyer, so the walkthrough can show the waitlist.
    await createZone(catalog.store, actor, show.id, {
      name: "Front Row",
      price: 300_000,
      layout: { kind: "general_admission", totalSeats: 2 },
    });
    await createZone(catalog.store, actor, show.id, {
      name: "Seated",
      price: 450_000,
      layout: { kind: "assigned", rows: ["A", "B", "C"].map((label) => ({ label, seats: 10 })) },
    });
    eventId = event.id;
  }
  // Publishing is idempotent: a re-run after Redis lost its data loads the inventory again.
  await publishEvent(catalog.store, actor, eventId);
  const shows = await inScope(db, systemScope, (tx) => tx.select().from(schema.shows).where(eq(schema.shows.eventId, eventId!)));
  const zones = await inScope(db, systemScope, (tx) => tx.select().from(schema.seatZones).where(eq(schema.seatZones.showId, shows[0]!.id)));
  console.log(
    JSON.stringify(
      {
        tenant: { id: seeded.tenant.id, slug: seeded.tenant.slug },
        organizer: { email: seeded.organizer.email, password: demoPassword },
        admin: { email: seeded.admin.email, password: demoPassword },
        event_id: eventId,
        show_id: shows[0]!.id,
        zones: Object.fromEntries(zones.map((zone) => [zone.name, zone.id])),
      },
      null,
      2,
    ),
  );
} finally {
  await catalog.close();
}
