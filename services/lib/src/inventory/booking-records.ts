/**
 * Bookings as the Redis scripts record them (`{ev:E}:booking:B` hashes), read by the booking
 * service (its API and the payment saga) and the payment service (what a payment is for).
 */
import type { Redis } from "ioredis";
import { notFound } from "../errors";
import { bookingEventKey, eventKeys } from "./keys";

/** A booking as the scripts record it (times in epoch ms). */
export interface BookingRecord {
  booking_id: string;
  user_id: string;
  event_id: string;
  show_id: string;
  zone_id: string;
  quantity: number;
  status: "reserved" | "confirmed" | "cancelled" | "expired" | "waitlisted";
  created_at_ms: number;
  expires_at_ms: number;
  seq: number;
  seat_ids?: string[];
  payment_id?: string;
  confirmed_at_ms?: number;
  closed_at_ms?: number;
  /** The place the booking got when it joined its zone's waitlist (kept after promotion). */
  waitlist_position?: number;
  promoted_at_ms?: number;
  remaining?: number;
  previous_status?: string;
}

const numericFields = [
  "quantity",
  "created_at_ms",
  "expires_at_ms",
  "seq",
  "confirmed_at_ms",
  "closed_at_ms",
  "waitlist_position",
  "promoted_at_ms",
] as const;

export function parseBookingHash(fields: Record<string, string>): BookingRecord | undefined {
  if (!fields.booking_id) return undefined;
  const record: Record<string, unknown> = { ...fields };
  for (const field of numericFields) if (fields[field] !== undefined) record[field] = Number(fields[field]);
  record.seat_ids = fields.seat_ids ? fields.seat_ids.split(",") : undefined;
  if (!fields.payment_id) delete record.payment_id;
  delete record.idempotency_key;
  delete record.hold_ms; // a waiting booking's hold time, for its promotion: internal
  return record as unknown as BookingRecord;
}

/** The event a booking belongs to, or NOT_FOUND (unknown id, or its record's retention ran out). */
export async function eventOfBooking(redis: Redis, bookingId: string): Promise<string> {
  const eventId = await redis.get(bookingEventKey(bookingId));
  if (!eventId) throw notFound("Booking");
  return eventId;
}

/** The booking by id, or NOT_FOUND. */
export async function readBooking(redis: Redis, bookingId: string): Promise<BookingRecord> {
  const record = parseBookingHash(await redis.hgetall(eventKeys(await eventOfBooking(redis, bookingId)).booking(bookingId)));
  if (!record) throw notFound("Booking");
  return record;
}
