/**
 * The whole Booking Rush data model (PostgreSQL 15+, drizzle-orm pg-core).
 *
 *   identity   tenants, tenant_logos, users, refresh_tokens, password_reset_tokens
 *   catalog    categories, events, shows, seat_zones (inventory counters), seats
 *   booking    bookings (holds, orders, waitlist places), booking_seats (assigned seats held)
 *   payment    payments, refunds
 *   messaging  idempotency_records, processed_events, zone_sync_state
 *   audit      audit_logs (monthly partitions; created by custom SQL, see schema/audit.ts)
 *
 * Conventions (schema/columns.ts, schema/enums.ts): UUID primary keys, timestamptz everywhere,
 * `created_at`/`updated_at` on every mutable table with `updated_at` kept by a trigger, money in
 * integer minor units, every status a pgEnum. Triggers, functions and partitioning live in
 * drizzle/migrations/0001_*.sql (drizzle-kit cannot express them).
 *
 * `drizzle.config.ts` points drizzle-kit at the files under schema/ except audit.ts, so generated
 * migrations never try to create audit_logs as a plain table.
 */
import type { auditLogs } from "./schema/audit";
import type { bookingSeats, bookings } from "./schema/booking";
import type { categories, events, seats, seatZones, shows } from "./schema/catalog";
import type { passwordResetTokens, refreshTokens, tenants, users } from "./schema/identity";
import type { idempotencyRecords, processedEvents, zoneSyncState } from "./schema/messaging";
import type { payments, refunds } from "./schema/payment";

export * from "./schema/audit";
export * from "./schema/booking";
export * from "./schema/catalog";
export * from "./schema/enums";
export * from "./schema/identity";
export * from "./schema/messaging";
export * from "./schema/payment";
export * from "./schema/relations";

export type Tenant = typeof tenants.$inferSelect;
export type NewTenant = typeof tenants.$inferInsert;
export type User = typeof users.$inferSelect;
export type NewUser = typeof users.$inferInsert;
export type RefreshToken = typeof refreshTokens.$inferSelect;
export type NewRefreshToken = typeof refreshTokens.$inferInsert;
export type PasswordResetToken = typeof passwordResetTokens.$inferSelect;
export type NewPasswordResetToken = typeof passwordResetTokens.$inferInsert;

export type Category = typeof categories.$inferSelect;
export type NewCategory = typeof categories.$inferInsert;
export type Event = typeof events.$inferSelect;
export type NewEvent = typeof events.$inferInsert;
export type Show = typeof shows.$inferSelect;
export type NewShow = typeof shows.$inferInsert;
export type SeatZone = typeof seatZones.$inferSelect;
export type NewSeatZone = typeof seatZones.$inferInsert;
export type Seat = typeof seats.$inferSelect;
export type NewSeat = typeof seats.$inferInsert;

export type Booking = typeof bookings.$inferSelect;
export type NewBooking = typeof bookings.$inferInsert;
export type BookingSeat = typeof bookingSeats.$inferSelect;
export type NewBookingSeat = typeof bookingSeats.$inferInsert;

export type Payment = typeof payments.$inferSelect;
export type NewPayment = typeof payments.$inferInsert;
export type Refund = typeof refunds.$inferSelect;
export type NewRefund = typeof refunds.$inferInsert;

export type IdempotencyRecord = typeof idempotencyRecords.$inferSelect;
export type NewIdempotencyRecord = typeof idempotencyRecords.$inferInsert;
export type ProcessedEvent = typeof processedEvents.$inferSelect;
export type NewProcessedEvent = typeof processedEvents.$inferInsert;
export type ZoneSyncState = typeof zoneSyncState.$inferSelect;
export type NewZoneSyncState = typeof zoneSyncState.$inferInsert;

export type AuditLog = typeof auditLogs.$inferSelect;
export type NewAuditLog = typeof auditLogs.$inferInsert;

export type BookingStatus = Booking["status"];
export type PaymentStatus = Payment["status"];
export type EventStatus = Event["status"];
export type UserRole = User["role"];
