/**
 * The catalog: categories, events, their shows, each show's seat zones and (for assigned seating)
 * the seats. `seat_zones` carries the durable inventory counters; Redis is the live source of truth
 * during a sale and the projector folds booking events into these counters (ARCHITECTURE.md).
 */
import { sql } from "drizzle-orm";
import { boolean, check, index, integer, pgTable, smallint, text, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { currency, id, money, timestamps, timestamptz } from "./columns";
import { eventStatus, queueOrder, zoneKind } from "./enums";
import { tenants, users } from "./identity";

export const categories = pgTable(
  "categories",
  {
    id: id(),
    name: text("name").notNull(),
    slug: text("slug").notNull(),
    ...timestamps(),
  },
  (t) => [uniqueIndex("categories_slug_key").on(t.slug)],
);

export const events = pgTable(
  "events",
  {
    id: id(),
    tenantId: uuid("tenant_id")
      .notNull()
      .references(() => tenants.id, { onDelete: "restrict" }),
    organizerId: uuid("organizer_id")
      .notNull()
      .references(() => users.id, { onDelete: "restrict" }),
    title: text("title").notNull(),
    description: text("description").notNull().default(""),
    categoryId: uuid("category_id").references(() => categories.id, { onDelete: "set null" }),
    venue: text("venue").notNull(),
    status: eventStatus("status").notNull().default("draft"),
    /** Currency of every price and amount under this event. */
    currency: currency().notNull().default("THB"),
    bookingOpensAt: timestamptz("booking_opens_at").notNull(),
    bookingClosesAt: timestamptz("booking_closes_at").notNull(),
    maxTicketsPerUser: integer("max_tickets_per_user").notNull().default(4),
    /** Waitlist places per zone once it is sold out; 0 = no waitlist. */
    waitlistLimit: integer("waitlist_limit").notNull().default(0),
    minAge: smallint("min_age"),
    /** The waiting room: reserve requires a queue pass while this is on. */
    queueEnabled: boolean("queue_enabled").notNull().default(false),
    /** Buyers the waiting room admits per minute. */
    queueRatePerMinute: integer("queue_rate_per_minute").notNull().default(600),
    /** Admission waits while this many buyers hold a live queue pass. */
    queueMaxActive: integer("queue_max_active").notNull().default(1000),
    /** Lifetime of a queue pass. */
    queuePassTtlSeconds: integer("queue_pass_ttl_seconds").notNull().default(300),
    /** random: the pre-queue is drawn at random at the opening (arriving early buys nothing); fifo: arrival order. */
    queueOrder: queueOrder("queue_order").notNull().default("random"),
    /** When the pre-queue opens (before booking_opens_at); null: no pre-queue, the queue opens with the sale. */
    queueOpensAt: timestamptz("queue_opens_at"),
    /** An operator stopped admission (POST /admin/events/:id/queue/pause); buyers keep their places. */
    queuePaused: boolean("queue_paused").notNull().default(false),
    publishedAt: timestamptz("published_at"),
    cancelledAt: timestamptz("cancelled_at"),
    ...timestamps(),
  },
  (t) => [
    // organizer dashboards: a tenant's events by state
    index("events_tenant_id_status_idx").on(t.tenantId, t.status),
    index("events_organizer_id_idx").on(t.organizerId),
    // public listing: published events in booking-window order, optionally by category
    index("events_published_opens_at_idx").on(t.bookingOpensAt).where(sql`${t.status} = 'published'`),
    index("events_category_id_idx").on(t.categoryId),
    check("events_booking_window", sql`${t.bookingClosesAt} > ${t.bookingOpensAt}`),
    check("events_max_tickets_per_user_positive", sql`${t.maxTicketsPerUser} > 0`),
    check("events_waitlist_limit_non_negative", sql`${t.waitlistLimit} >= 0`),
    check("events_queue_rate_per_minute_positive", sql`${t.queueRatePerMinute} > 0`),
    check("events_queue_max_active_positive", sql`${t.queueMaxActive} > 0`),
    check("events_queue_pass_ttl_seconds_positive", sql`${t.queuePassTtlSeconds} > 0`),
    check("events_queue_opens_before_booking", sql`${t.queueOpensAt} is null or ${t.queueOpensAt} < ${t.bookingOpensAt}`),
    check("events_min_age_range", sql`${t.minAge} is null or ${t.minAge} between 0 and 130`),
    check("events_published_has_published_at", sql`${t.status} <> 'published' or ${t.publishedAt} is not null`),
    check("events_cancelled_has_cancelled_at", sql`${t.status} <> 'cancelled' or ${t.cancelledAt} is not null`),
  ],
);

export const shows = pgTable(
  "shows",
  {
    id: id(),
    eventId: uuid("event_id")
      .notNull()
      .references(() => events.id, { onDelete: "cascade" }),
    startsAt: timestamptz("starts_at").notNull(),
    endsAt: timestamptz("ends_at").notNull(),
    ...timestamps(),
  },
  (t) => [
    index("shows_event_id_starts_at_idx").on(t.eventId, t.startsAt),
    check("shows_ends_after_start", sql`${t.endsAt} > ${t.startsAt}`),
  ],
);

/**
 * A priced block of a show's capacity. The four counters are one invariant:
 *   available + reserved + sold = total, each of them >= 0
 * stated as five CHECKs (layer 3 of "zero overselling"). The explicit ones give each failure its own
 * name; `seat_zones_total_balance` is the one the others follow from, and it is right for this
 * system: every inventory event moves seats between exactly two of the three buckets (reserve:
 * available → reserved; confirm: reserved → sold; cancel/expire: reserved|sold → available), so a
 * projector that applies an event as one UPDATE always keeps the sum, and any other result is a bug
 * the database must refuse. Seats held back by an organizer would need a fourth bucket, not slack.
 *
 * PostgreSQL evaluates a table's CHECKs in name order and reports the first that fails; since the
 * constraints overlap, a bad row often breaks two of them (tests rely on the names below).
 */
export const seatZones = pgTable(
  "seat_zones",
  {
    id: id(),
    showId: uuid("show_id")
      .notNull()
      .references(() => shows.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    kind: zoneKind("kind").notNull().default("general_admission"),
    /** Price of one ticket in minor units of the event's currency (see columns.ts `money`). */
    price: money("price").notNull(),
    totalSeats: integer("total_seats").notNull(),
    availableSeats: integer("available_seats").notNull(),
    reservedSeats: integer("reserved_seats").notNull().default(0),
    soldSeats: integer("sold_seats").notNull().default(0),
    /** Display order within the show. */
    sortOrder: integer("sort_order").notNull().default(0),
    ...timestamps(),
  },
  (t) => [
    uniqueIndex("seat_zones_show_id_name_key").on(t.showId, t.name),
    check("seat_zones_price_non_negative", sql`${t.price} >= 0`),
    check("seat_zones_available_non_negative", sql`${t.availableSeats} >= 0`),
    check("seat_zones_available_within_total", sql`${t.availableSeats} <= ${t.totalSeats}`),
    check("seat_zones_counts_non_negative", sql`${t.totalSeats} >= 0 and ${t.reservedSeats} >= 0 and ${t.soldSeats} >= 0`),
    check("seat_zones_sold_reserved_within_total", sql`${t.soldSeats} + ${t.reservedSeats} <= ${t.totalSeats}`),
    check("seat_zones_total_balance", sql`${t.availableSeats} = ${t.totalSeats} - ${t.soldSeats} - ${t.reservedSeats}`),
  ],
);

/** Assigned-seating seats of a zone; a general-admission zone has none. */
export const seats = pgTable(
  "seats",
  {
    id: id(),
    zoneId: uuid("zone_id")
      .notNull()
      .references(() => seatZones.id, { onDelete: "cascade" }),
    rowLabel: text("row_label").notNull(),
    seatNumber: integer("seat_number").notNull(),
    ...timestamps(),
  },
  (t) => [
    uniqueIndex("seats_zone_id_row_label_seat_number_key").on(t.zoneId, t.rowLabel, t.seatNumber),
    check("seats_seat_number_positive", sql`${t.seatNumber} > 0`),
  ],
);
