/** Holding seats (POST /bookings/reserve): the seats of a map, or a quantity of a general-admission zone. */
import { request } from "./api";
import { queuePassFor } from "./queue";
import type { Booking } from "./types";

export type HoldRequest =
  | { show_id: string; seat_ids: string[] }
  | { show_id: string; zone_id: string; quantity: number; join_waitlist?: boolean };

/** With the event's queue pass when the buyer was admitted from its waiting room. */
export function holdSeats(eventId: string, hold: HoldRequest) {
  const pass = queuePassFor(eventId);
  return request<Booking>("/bookings/reserve", { method: "POST", body: hold, headers: pass ? { "x-queue-pass": pass } : {} });
}

/** The event's waiting room. */
export const waitingRoomPath = (eventId: string) => `/queue/${eventId}`;

/** Where a buyer on a zone's waitlist follows their place, and sees the promotion when seats come back. */
export const waitlistPath = (bookingId: string) => `/waitlist/${bookingId}`;

/** Where the buyer pays for a hold. */
export const checkoutPath = (bookingId: string) => `/checkout/${bookingId}`;

/** The log-in page, coming back here afterwards. */
export const loginPath = () => `/login?next=${encodeURIComponent(window.location.pathname + window.location.search)}`;
