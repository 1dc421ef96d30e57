/**
 * The buyer's bookings (GET /bookings, newest first): a live hold links to its checkout, a hold or
 * a waitlist place can be given up (POST /bookings/:id/cancel, which frees the seats at once).
 */
import { useState } from "react";
import { request, requestPage } from "../api";
import { checkoutPath } from "../bookings";
import { ErrorNotice, Loading, PageTitle } from "../components";
import { formatDateTime } from "../format";
import { Link } from "../router";
import { useSession } from "../session";
import type { Booking } from "../types";
import { useResource } from "../use-resource";

const statusText: Record<Booking["status"], string> = {
  reserved: "Held, waiting for payment",
  confirmed: "Confirmed",
  cancelled: "Cancelled",
  expired: "Hold expired",
  waitlisted: "On the waitlist",
};

function BookingItem({ booking, onChange }: { booking: Booking; onChange: () => void }) {
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
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
        {live ? <Link href={checkoutPath(booking.booking_id)}>Pay now</Link> : null}
        {booking.status === "confirmed" ? <Link href={checkoutPath(booking.booking_id)}>Details</Link> : null}
        {live || booking.status === "waitlisted" ? (
          <button type="button" onClick={() => void cancel()} disabled={busy}>
            {booking.status === "waitlisted" ? "Leave the waitlist" : "Release the seats"}
          </button>
        ) : null}
      </p>
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
