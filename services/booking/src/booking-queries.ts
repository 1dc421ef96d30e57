/** Reading bookings back: by id, the caller's list, the caller's live holds. */
import type { AuthenticatedUser } from "@booking-rush/lib/auth";
import { notFound } from "@booking-rush/lib/errors";
import { type BookingRecord, eventKeys, eventOfBooking, parseBookingHash, userBookingsKey } from "@booking-rush/lib/inventory";
import type { Redis } from "ioredis";

async function readBookings(redis: Redis, members: string[]): Promise<(BookingRecord | undefined)[]> {
  const pipeline = redis.pipeline();
  for (const member of members) {
    const [eventId, bookingId] = member.split(":") as [string, string];
    pipeline.hgetall(eventKeys(eventId).booking(bookingId));
  }
  const replies = (await pipeline.exec()) ?? [];
  const records = replies.map(([error, fields]) => (error ? undefined : parseBookingHash(fields as Record<string, string>)));
  await withLivePositions(redis, records);
  return records;
}

/**
 * A waiting booking's position is its place in the zone's waitlist now (those ahead who were
 * promoted or left no longer count), not the one it joined at, which the record keeps.
 */
async function withLivePositions(redis: Redis, records: (BookingRecord | undefined)[]): Promise<void> {
  const waiting = records.filter((record): record is BookingRecord => record?.status === "waitlisted");
  if (waiting.length === 0) return;
  const pipeline = redis.pipeline();
  for (const record of waiting) pipeline.zrank(eventKeys(record.event_id).zoneWaitlist(record.zone_id), record.booking_id);
  const replies = (await pipeline.exec()) ?? [];
  waiting.forEach((record, index) => {
    const [error, rank] = replies[index] ?? [];
    if (!error && typeof rank === "number") record.waitlist_position = rank + 1;
  });
}

/** Owners see their bookings; admins see any booking of an event of their own tenant. */
export async function getBooking(redis: Redis, user: AuthenticatedUser, bookingId: string): Promise<BookingRecord> {
  const eventId = await eventOfBooking(redis, bookingId);
  const keys = eventKeys(eventId);
  const record = parseBookingHash(await redis.hgetall(keys.booking(bookingId)));
  if (!record) throw notFound("Booking");
  await withLivePositions(redis, [record]);
  if (record.user_id === user.id) return record;
  if (user.role === "admin" && user.tenant_id && (await redis.hget(keys.event, "tenant_id")) === user.tenant_id) return record;
  throw notFound("Booking");
}

/** Newest first. Records whose retention ran out drop out of the index as they are met. */
export async function listBookings(redis: Redis, userId: string, page: number, perPage: number) {
  const key = userBookingsKey(userId);
  const start = (page - 1) * perPage;
  const [members, total] = await Promise.all([redis.zrevrange(key, start, start + perPage - 1), redis.zcard(key)]);
  const records = await readBookings(redis, members);
  const gone = members.filter((_, index) => !records[index]);
  if (gone.length > 0) await redis.zrem(key, ...gone);
  return { items: records.filter((record): record is BookingRecord => !!record), total: total - gone.length };
}

/**
 * How many of the caller's newest bookings GET /bookings/pending looks at: a hold promoted from a
 * waitlist is live long after its booking was created, so the hold time alone does not bound it.
 */
const pendingLookback = 100;

/** Live holds, to resume payment, among the caller's newest bookings. */
export async function pendingBookings(redis: Redis, userId: string): Promise<BookingRecord[]> {
  const now = Date.now();
  const members = await redis.zrevrange(userBookingsKey(userId), 0, pendingLookback - 1);
  const records = await readBookings(redis, members);
  return records.filter((record): record is BookingRecord => !!record && record.status === "reserved" && record.expires_at_ms > now);
}
