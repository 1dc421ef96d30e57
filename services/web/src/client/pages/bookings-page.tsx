/**
 * The buyer's bookings (GET /bookings, newest first): a live hold links to its checkout, a hold or
 * a waitlist place can be given up (POST /bookings/:id/cancel, which frees the seats at once), and
 * a paid booking refunded (POST /payments/:id/refund) after the buyer has seen what the refund
 * rule gives back (the payment service's own rule, applied here only to show it).
 */
import { customerRefundRule, refundAmount } from "@booking-rush/payment/refund-rules";
import { useState } from "react";
import { request, requestPage } from "../api";
import { checkoutPath, waitlistPath } from "../bookings";
import { ErrorNotice, Loading, PageTitle } from "../components";
import { formatDateTime, formatPrice } from "../format";
import { Link } from "../router";
import { useSession } from "../session";
import type { Booking, EventDetail, Payment } from "../types";
import { useResource } from "../use-resource";

const statusText: Record<Booking["status"], string> = {
  reserved: "Held, waiting for payment",
  confirmed: "Confirmed",
  cancelled: "Cancelled",
  expired: "Hold expired",
  waitlisted: "On the waitlist",
};

/** What a refund asked now would give back, shown before the buyer confirms. */
function RefundPanel({ booking, onDone, onClose }: { booking: Booking; onDone: () => void; onClose: () => void }) {
  const facts = useResource(
    async (signal) => {
      const [payment, event] = await Promise.all([
        request<Payment>(`/payments/${booking.payment_id}`, { signal }),
        request<EventDetail>(`/events/${booking.event_id}`, { signal }),
      ]);
      return { payment, event, show: event.shows.find((show) => show.id === booking.show_id) };
    },
    [booking.booking_id],
  );
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const refund = async () => {
    setBusy(true);
    setError(null);
    try {
      await request(`/payments/${booking.payment_id}/refund`, { method: "POST" });
      onDone();
    } catch (failure) {
      setError(failure);
      setBusy(false);
    }
  };
  if (!facts.value) return facts.error ? <ErrorNotice error={facts.error} /> : <Loading what="the refund rule" />;
  const { payment, event, show } = facts.value;
  if (payment.status === "refunded") return <p role="status">This payment is already refunded.</p>;
  const rule = customerRefundRule({
    showStartsAt: new Date(show?.starts_at ?? Date.now()),
    eventCancelled: event.status === "cancelled",
    at: new Date(),
  });
  const amount = formatPrice(refundAmount(payment.amount, rule.percent), payment.currency);
  const paid = formatPrice(payment.amount, payment.currency);
  return (
    <section className="refund" aria-label="Refund">
      <p>
        Refunds: the full price more than 7 days before the show, half from 7 to 3 days before, nothing in the last 3 days; the full price
        when the organizer cancels the event.
      </p>
      {rule.percent === 0 ? (
        <p>The show is less than 3 days away, so no refund is due for this booking.</p>
      ) : (
        <>
          <p>
            You would get back <strong>{amount}</strong> ({rule.percent}% of {paid}), and your tickets would be cancelled.
          </p>
          <button type="button" onClick={() => void refund()} disabled={busy}>
            {busy ? "Refunding…" : `Refund ${amount} and cancel my tickets`}
          </button>
        </>
      )}
      <button type="button" className="secondary" onClick={onClose} disabled={busy}>
        Keep my tickets
      </button>
      <ErrorNotice error={error} />
    </section>
  );
}

function BookingItem({ booking, onChange }: { booking: Booking; onChange: () => void }) {
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [refunding, setRefunding] = useState(false);
  const cancel = async () => {
    setBusy(true);
    setError(null);
    try {
      await request(`/bookings/${booking.booking_id}/cancel`, { method: "POST" });
      onChange();
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  };
  const live = booking.status === "reserved" && Date.parse(booking.expires_at) > Date.now();
  return (
    <li className="card">
      <h2 className="booking-title">
        {booking.quantity} ticket{booking.quantity === 1 ? "" : "s"} · {statusText[booking.status]}
      </h2>
      <p className="meta">
        Booked {formatDateTime(booking.created_at)}
        {live ? ` · held until ${formatDateTime(booking.expires_at)}` : ""}
        {booking.status === "waitlisted" && booking.waitlist_position ? ` · number ${booking.waitlist_position} in line` : ""}
      </p>
      <p className="actions">
        <Link href={`/events/${booking.event_id}`}>The event</Link>
        {booking.status === "waitlisted" ? <Link href={waitlistPath(booking.booking_id)}>Your place in line</Link> : null}
        {live ? <Link href={checkoutPath(booking.booking_id)}>Pay now</Link> : null}
        {booking.status === "confirmed" ? <Link href={checkoutPath(booking.booking_id)}>Details</Link> : null}
        {booking.status === "confirmed" && booking.payment_id && !refunding ? (
          <button type="button" onClick={() => setRefunding(true)}>
            Ask for a refund
          </button>
        ) : null}
        {live || booking.status === "waitlisted" ? (
          <button type="button" onClick={() => void cancel()} disabled={busy}>
            {booking.status === "waitlisted" ? "Leave the waitlist" : "Release the seats"}
          </button>
        ) : null}
      </p>
      {refunding ? <RefundPanel booking={booking} onDone={onChange} onClose={() => setRefunding(false)} /> : null}
      <ErrorNotice error={error} />
    </li>
  );
}

export function BookingsPage() {
  const { user, checked } = useSession();
  const bookings = useResource(
    (signal) => (user ? requestPage<Booking>("/bookings", { signal, query: { per_page: 50 } }) : Promise.resolve(undefined)),
    [user?.id],
  );
  if (checked && !user)
    return (
      <>
        <PageTitle>My bookings</PageTitle>
        <p>
          <Link href="/login?next=/bookings">Log in</Link> to see your bookings.
        </p>
      </>
    );
  return (
    <>
      <PageTitle>My bookings</PageTitle>
      <ErrorNotice error={bookings.error} />
      {!bookings.value ? <Loading what="your bookings" /> : null}
      {bookings.value?.data.length === 0 ? (
        <p>
          No bookings yet. <Link href="/events">Find an event</Link>.
        </p>
      ) : null}
      <ul className="booking-list">
        {bookings.value?.data.map((booking) => (
          <BookingItem key={booking.booking_id} booking={booking} onChange={bookings.reload} />
        ))}
      </ul>
    </>
  );
}
