/**
 * The buyer's bookings (GET /bookings, newest first): a live hold links to its checkout, a hold or
 * a waitlist place can be given up (POST /bookings/:id/cancel, which frees the seats at once), a
 * confirmed booking shows its e-ticket, and a paid booking is refunded (POST /payments/:id/refund)
 * after the buyer has seen what the refund rule gives back now (GET /payments/:id/refund-quote,
 * the payment service's own rule and amount). A booking cancelled by its refund reads "Refunded"
 * with the amount on every later visit too: the booking answer carries its payment's refund.
 */
import { useEffect, useState } from "react";
import { request, requestPage } from "../api";
import { checkoutPath, waitlistPath } from "../bookings";
import { ErrorNotice, Loading, LogInTo, PageTitle } from "../components";
import { formatDateTime, formatPrice } from "../format";
import { Link } from "../router";
import { useSession } from "../session";
import { Ticket } from "../ticket";
import type { Booking, Payment, RefundQuote } from "../types";
import { useResource } from "../use-resource";

/** After a refund the saga cancels the booking: read it this often, for this long at most, until it has. */
const cancelledPollMs = 1_000;
const cancelledTimeoutMs = 60_000;

const statusText: Record<Booking["status"], string> = {
  reserved: "Held, waiting for payment",
  confirmed: "Confirmed",
  cancelled: "Cancelled",
  expired: "Hold expired",
  waitlisted: "On the waitlist",
};

/** What a refund asked now would give back (the server's quote), shown before the buyer confirms. */
function RefundPanel({ booking, onRefunded, onClose }: { booking: Booking; onRefunded: (payment: Payment) => void; onClose: () => void }) {
  const quote = useResource(
    (signal) => request<RefundQuote>(`/payments/${booking.payment_id}/refund-quote`, { signal }),
    [booking.payment_id],
  );
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const refund = async () => {
    setBusy(true);
    setError(null);
    try {
      onRefunded(await request<Payment>(`/payments/${booking.payment_id}/refund`, { method: "POST" }));
    } catch (failure) {
      setError(failure);
      setBusy(false);
    }
  };
  if (!quote.value) return quote.error ? <ErrorNotice error={quote.error} /> : <Loading what="the refund rule" />;
  const { percent, amount, currency, reason, refundable } = quote.value;
  const back = formatPrice(amount, currency);
  return (
    <section className="refund" aria-label="Refund">
      <p>
        {reason === "event_cancelled"
          ? "The organizer cancelled this event, so the full price is refunded."
          : "Refunds: the full price more than 7 days before the show, half from 7 to 3 days before, nothing in the last 3 days; the full price when the organizer cancels the event."}
      </p>
      {refundable ? (
        <>
          <p>
            You would get back <strong>{back}</strong> ({percent}% of what you paid), and your tickets would be cancelled.
          </p>
          <button type="button" onClick={() => void refund()} disabled={busy}>
            {busy ? "Refunding…" : `Refund ${back} and cancel my tickets`}
          </button>
        </>
      ) : (
        <p>The show is less than 3 days away, so no refund is due for this booking.</p>
      )}
      <button type="button" className="secondary" onClick={onClose} disabled={busy}>
        Keep my tickets
      </button>
      <ErrorNotice error={error} />
    </section>
  );
}

/** Reads the booking until the saga has cancelled it after its refund (bounded), then `onSettled`. */
function useCancelledAfterRefund(bookingId: string, refunded: boolean, onSettled: () => void) {
  // biome-ignore lint/correctness/useExhaustiveDependencies: once, when the refund has gone through
  useEffect(() => {
    if (!refunded) return;
    const controller = new AbortController();
    const deadline = Date.now() + cancelledTimeoutMs;
    void (async () => {
      while (!controller.signal.aborted && Date.now() < deadline) {
        try {
          const current = await request<Booking>(`/bookings/${bookingId}`, { signal: controller.signal });
          if (current.status !== "confirmed") break;
        } catch {
          // A failed read is tried again until the deadline; the list reload shows what is known.
        }
        await new Promise((resolve) => setTimeout(resolve, cancelledPollMs));
      }
      if (!controller.signal.aborted) onSettled();
    })();
    return () => controller.abort();
  }, [bookingId, refunded]);
}

function BookingItem({ booking, onChange }: { booking: Booking; onChange: () => void }) {
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [refunding, setRefunding] = useState(false);
  const [refunded, setRefunded] = useState<Payment | null>(null);
  const [showingTicket, setShowingTicket] = useState(false);
  const ticketId = `ticket-${booking.booking_id}`;
  useCancelledAfterRefund(booking.booking_id, refunded !== null, onChange);
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
  const confirmed = booking.status === "confirmed" && !refunded;
  return (
    <li className="card">
      <h2 className="booking-title">
        {booking.quantity} ticket{booking.quantity === 1 ? "" : "s"} ·{" "}
        {refunded || booking.refund ? "Refunded" : statusText[booking.status]}
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
        {confirmed ? <Link href={checkoutPath(booking.booking_id)}>Details</Link> : null}
        {confirmed ? (
          <button type="button" aria-expanded={showingTicket} aria-controls={ticketId} onClick={() => setShowingTicket(!showingTicket)}>
            {showingTicket ? "Hide ticket" : "Show ticket"}
          </button>
        ) : null}
        {confirmed && booking.payment_id && !refunding ? (
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
      {confirmed && showingTicket ? (
        <div id={ticketId}>
          <Ticket bookingId={booking.booking_id} headingLevel={3} />
        </div>
      ) : null}
      {confirmed && refunding ? (
        <RefundPanel
          booking={booking}
          onRefunded={(payment) => {
            setRefunding(false);
            setShowingTicket(false);
            setRefunded(payment);
          }}
          onClose={() => setRefunding(false)}
        />
      ) : null}
      {refunded ? (
        <p role="status" className="notice notice-success">
          {refunded.refund
            ? `Refunded ${formatPrice(refunded.refund.amount, refunded.currency)} (${refunded.refund.percent}% of ${formatPrice(refunded.amount, refunded.currency)}). `
            : "Refunded. "}
          Your tickets are cancelled and the seats go back on sale.
        </p>
      ) : booking.refund ? (
        <p className="notice notice-success">
          Refunded {formatPrice(booking.refund.amount, booking.refund.currency)} ({booking.refund.percent}% of what you paid)
          {booking.refund.processed_at ? ` on ${formatDateTime(booking.refund.processed_at)}` : ""}. Your tickets were cancelled.
        </p>
      ) : null}
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
        <LogInTo>to see your bookings.</LogInTo>
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
