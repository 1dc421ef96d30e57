/**
 * Relations for drizzle's relational query API (`db.query.events.findMany({ with: { shows: true } })`).
 * They describe the foreign keys above for the query builder only; they create nothing in SQL.
 */
import { relations } from "drizzle-orm";
import { bookingSeats, bookings } from "./booking";
import { categories, events, seats, seatZones, shows } from "./catalog";
import { passwordResetTokens, refreshTokens, tenants, users } from "./identity";
import { zoneSyncState } from "./messaging";
import { payments, refunds } from "./payment";

export const tenantsRelations = relations(tenants, ({ many }) => ({
  users: many(users),
  events: many(events),
}));

export const usersRelations = relations(users, ({ one, many }) => ({
  tenant: one(tenants, { fields: [users.tenantId], references: [tenants.id] }),
  refreshTokens: many(refreshTokens),
  passwordResetTokens: many(passwordResetTokens),
  bookings: many(bookings),
  payments: many(payments),
}));

export const refreshTokensRelations = relations(refreshTokens, ({ one }) => ({
  user: one(users, { fields: [refreshTokens.userId], references: [users.id] }),
}));

export const passwordResetTokensRelations = relations(passwordResetTokens, ({ one }) => ({
  user: one(users, { fields: [passwordResetTokens.userId], references: [users.id] }),
}));

export const categoriesRelations = relations(categories, ({ many }) => ({
  events: many(events),
}));

export const eventsRelations = relations(events, ({ one, many }) => ({
  tenant: one(tenants, { fields: [events.tenantId], references: [tenants.id] }),
  organizer: one(users, { fields: [events.organizerId], references: [users.id] }),
  category: one(categories, { fields: [events.categoryId], references: [categories.id] }),
  shows: many(shows),
  bookings: many(bookings),
}));

export const showsRelations = relations(shows, ({ one, many }) => ({
  event: one(events, { fields: [shows.eventId], references: [events.id] }),
  zones: many(seatZones),
}));

export const seatZonesRelations = relations(seatZones, ({ one, many }) => ({
  show: one(shows, { fields: [seatZones.showId], references: [shows.id] }),
  seats: many(seats),
  syncState: one(zoneSyncState, { fields: [seatZones.id], references: [zoneSyncState.zoneId] }),
}));

export const seatsRelations = relations(seats, ({ one, many }) => ({
  zone: one(seatZones, { fields: [seats.zoneId], references: [seatZones.id] }),
  bookingSeats: many(bookingSeats),
}));

export const bookingsRelations = relations(bookings, ({ one, many }) => ({
  user: one(users, { fields: [bookings.userId], references: [users.id] }),
  tenant: one(tenants, { fields: [bookings.tenantId], references: [tenants.id] }),
  event: one(events, { fields: [bookings.eventId], references: [events.id] }),
  show: one(shows, { fields: [bookings.showId], references: [shows.id] }),
  zone: one(seatZones, { fields: [bookings.zoneId], references: [seatZones.id] }),
  seats: many(bookingSeats),
  payments: many(payments),
}));

export const bookingSeatsRelations = relations(bookingSeats, ({ one }) => ({
  booking: one(bookings, { fields: [bookingSeats.bookingId], references: [bookings.id] }),
  seat: one(seats, { fields: [bookingSeats.seatId], references: [seats.id] }),
}));

export const paymentsRelations = relations(payments, ({ one, many }) => ({
  booking: one(bookings, { fields: [payments.bookingId], references: [bookings.id] }),
  user: one(users, { fields: [payments.userId], references: [users.id] }),
  refunds: many(refunds),
}));

export const refundsRelations = relations(refunds, ({ one }) => ({
  payment: one(payments, { fields: [refunds.paymentId], references: [payments.id] }),
  requestedBy: one(users, { fields: [refunds.requestedBy], references: [users.id] }),
}));

export const zoneSyncStateRelations = relations(zoneSyncState, ({ one }) => ({
  zone: one(seatZones, { fields: [zoneSyncState.zoneId], references: [seatZones.id] }),
}));
