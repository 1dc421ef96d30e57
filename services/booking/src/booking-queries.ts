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
  return replies.map(([error, fields]) => (error ? undefined : parseBookingHash(fields as Record<string, string>)));
}

/** Owners see their bookings; admins see any booking of an event of their own tenant. */
export async function getBooking(redis: Redis, user: AuthenticatedUser, bookingId: string): Promise<BookingRecord> {
  const eventId = await eventOfBooking(redis, bookingId);
  const keys = eventKeys(eventId);
  const record = parseBookingHash(await redis.hgetall(keys.booking(bookingId)));
  if (!record) throw notFound("Booking");
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

/** Live holds, to resume payment: only bookings created within one hold time can still be live. */
export async function pendingBookings(redis: Redis, userId: string, holdMs: number): Promise<BookingRecord[]> {
  const now = Date.now();
  const members = await redis.zrevrangebyscore(userBookingsKey(userId), "+inf", now - holdMs);
  const records = await readBookings(redis, members);
  return records.filter((record): record is BookingRecord => !!record && record.status === "reserved" && record.expires_at_ms > now);
}
