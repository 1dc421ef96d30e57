/**
 * What each event becomes: the recipient (users.email) and the template values, read from
 * PostgreSQL inside the worker's transaction. The catalog tables have row-level security, so the
 * transaction runs in system scope (inScope(systemScope)); users and bookings have none.
 */

import { bookings, events, seats, seatZones, shows, users } from "@booking-rush/db/schema";
import type { BookingEvent, PaymentEvent } from "@booking-rush/lib/contracts";
import type { Transaction } from "@booking-rush/lib/data";
import { ticketCode } from "@booking-rush/lib/ticket-code";
import { and, eq, inArray } from "drizzle-orm";
import { permanent, retryable } from "./failures";
import { formatMoney, formatSeats, formatTime } from "./format";
import type { InlineImage } from "./mail-transport";
import type { TemplateName, TemplateValues } from "./templates";
import { ticketImageCid, ticketQrPng } from "./ticket";

export interface ComposedMail {
  template: TemplateName;
  to: string;
  values: TemplateValues;
  images?: InlineImage[];
}

export interface ComposeOptions {
  timeZone: string;
  /** Base URL of the buyers' web app (no trailing slash). */
  publicWebUrl: string;
}

/** The booking status each e-mailed booking event carries (anything else is a bad event). */
const mailedStatus: Partial<Record<BookingEvent["type"], BookingEvent["booking"]["status"]>> = {
  "booking.confirmed": "confirmed",
  "booking.expired": "expired",
  "booking.promoted": "reserved",
  "booking.waitlist_closed": "cancelled",
};

/** Where the buyer pays a hold (the web app's page, issue 18). */
export const payUrl = (publicWebUrl: string, bookingId: string) => `${publicWebUrl}/bookings/${encodeURIComponent(bookingId)}/pay`;

async function recipient(tx: Transaction, userId: string) {
  const [user] = await tx.select({ email: users.email, name: users.name }).from(users).where(eq(users.id, userId));
  if (!user) throw permanent("unknown_user", "unknown user");
  return user;
}

/** The event, show and zone of a booking; all three must agree (a zone of another show is a bad event). */
async function saleDetails(tx: Transaction, ids: { eventId: string; showId: string; zoneId: string }) {
  const [row] = await tx
    .select({
      title: events.title,
      venue: events.venue,
      currency: events.currency,
      eventStatus: events.status,
      startsAt: shows.startsAt,
      zoneName: seatZones.name,
      price: seatZones.price,
    })
    .from(seatZones)
    .innerJoin(shows, eq(shows.id, seatZones.showId))
    .innerJoin(events, eq(events.id, shows.eventId))
    .where(and(eq(seatZones.id, ids.zoneId), eq(shows.id, ids.showId), eq(events.id, ids.eventId)));
  if (!row) throw permanent("unknown_catalog", "unknown event, show or zone");
  return { ...row, currency: row.currency.trim() };
}

async function seatList(tx: Transaction, zoneId: string, seatIds: string[] | undefined) {
  if (!seatIds || seatIds.length === 0) return [];
  const rows = await tx
    .select({ rowLabel: seats.rowLabel, seatNumber: seats.seatNumber })
    .from(seats)
    .where(and(eq(seats.zoneId, zoneId), inArray(seats.id, seatIds)))
    .orderBy(seats.rowLabel, seats.seatNumber);
  if (rows.length !== new Set(seatIds).size) throw permanent("unknown_catalog", "unknown seat");
  return rows;
}

export async function composeBookingMail(tx: Transaction, event: BookingEvent, options: ComposeOptions): Promise<ComposedMail> {
  const booking = event.booking;
  const expectedStatus = mailedStatus[event.type];
  if (!expectedStatus) throw permanent("invalid_event", `no e-mail for ${event.type}`);
  if (booking.status !== expectedStatus) throw permanent("invalid_event", `${event.type} with booking status ${booking.status}`);

  const user = await recipient(tx, booking.user_id);
  const sale = await saleDetails(tx, { eventId: booking.event_id, showId: booking.show_id, zoneId: booking.zone_id });
  const seatRows = await seatList(tx, booking.zone_id, booking.seat_ids);
  const common = {
    user_name: user.name,
    booking_id: booking.booking_id,
    event_title: sale.title,
    venue: sale.venue,
    show_starts_at: formatTime(sale.startsAt, options.timeZone),
    zone_name: sale.zoneName,
    quantity: booking.quantity,
    seats: formatSeats(seatRows),
  };

  if (event.type === "booking.waitlist_closed") {
    // A waiting booking holds no seats, so the mail names none.
    const { seats: _none, ...place } = common;
    return {
      template: "waitlist-closed",
      to: user.email,
      values: {
        ...place,
        closed_reason:
          sale.eventStatus === "cancelled" ? "the organizer cancelled the event" : "the sale ended before any seats came free for you",
        closed_at: formatTime(booking.closed_at_ms ?? booking.expires_at_ms, options.timeZone),
      },
    };
  }
  if (event.type === "booking.promoted") {
    return {
      template: "booking-promoted",
      to: user.email,
      values: {
        ...common,
        unit_price: formatMoney(sale.price, sale.currency),
        total_price: formatMoney(sale.price * booking.quantity, sale.currency),
        hold_expires_at: formatTime(booking.expires_at_ms, options.timeZone),
        pay_url: payUrl(options.publicWebUrl, booking.booking_id),
      },
    };
  }
  if (event.type === "booking.expired") {
    return {
      template: "booking-expired",
      to: user.email,
      values: { ...common, expired_at: formatTime(booking.closed_at_ms ?? booking.expires_at_ms, options.timeZone) },
    };
  }
  // Zones are never repriced once created (API.md: no zone update), so the zone's price is the
  // price the booking was made at.
  return {
    template: "booking-confirmed",
    to: user.email,
    values: {
      ...common,
      unit_price: formatMoney(sale.price, sale.currency),
      total_price: formatMoney(sale.price * booking.quantity, sale.currency),
      ticket_code: ticketCode(booking.booking_id),
      qr_cid: ticketImageCid,
    },
    images: [
      {
        filename: `ticket-${booking.booking_id}.png`,
        content: await ticketQrPng(booking.booking_id),
        contentType: "image/png",
        cid: ticketImageCid,
      },
    ],
  };
}

export async function composePaymentMail(tx: Transaction, event: PaymentEvent, options: ComposeOptions): Promise<ComposedMail> {
  const payment = event.payment;
  if (event.type !== "payment.failed" && event.type !== "payment.refunded") throw permanent("invalid_event", `no e-mail for ${event.type}`);

  // The user first: an unknown one can never be e-mailed, whatever else holds.
  const user = await recipient(tx, payment.user_id);
  const [booking] = await tx
    .select({
      userId: bookings.userId,
      quantity: bookings.quantity,
      title: events.title,
      venue: events.venue,
      startsAt: shows.startsAt,
      zoneName: seatZones.name,
    })
    .from(bookings)
    .innerJoin(events, eq(events.id, bookings.eventId))
    .innerJoin(shows, eq(shows.id, bookings.showId))
    .innerJoin(seatZones, eq(seatZones.id, bookings.zoneId))
    .where(eq(bookings.reservationId, payment.booking_id));
  // The projector writes bookings a moment after the booking service made them: a booking not
  // there yet is retried (bounded), one that never appears is dead-lettered.
  if (!booking) throw retryable("unknown_booking", "unknown booking");
  if (booking.userId !== payment.user_id) throw permanent("invalid_event", "the booking belongs to another user");

  const common = {
    user_name: user.name,
    booking_id: payment.booking_id,
    payment_id: payment.payment_id,
    event_title: booking.title,
    venue: booking.venue,
    show_starts_at: formatTime(booking.startsAt, options.timeZone),
    zone_name: booking.zoneName,
    quantity: booking.quantity,
    amount: formatMoney(payment.amount, payment.currency),
  };
  if (event.type === "payment.failed") {
    return { template: "payment-failed", to: user.email, values: { ...common, failure_reason: payment.failure_reason ?? "declined" } };
  }
  const refund = payment.refund!;
  return {
    template: "payment-refunded",
    to: user.email,
    values: {
      ...common,
      refund_amount: formatMoney(refund.amount, payment.currency),
      refund_percent: refund.percent,
      refund_reason: refundReasonText[refund.reason],
    },
  };
}

const refundReasonText: Record<NonNullable<PaymentEvent["payment"]["refund"]>["reason"], string> = {
  customer_request: "you cancelled the booking",
  event_cancelled: "the organizer cancelled the event",
  reservation_expired: "the payment arrived after your reservation had expired",
  compensation: "the booking could not be completed",
};
