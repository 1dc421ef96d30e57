/**
 * A buyer's place on a sold-out zone's waitlist (GET /bookings/:id while it is `waitlisted`): the
 * place in line, read again every few seconds so it moves up as people ahead leave, and the
 * promotion shown without a reload when seats come back and are held for the buyer (the booking
 * turns `reserved`), with the way to checkout before the hold runs out. The buyer can also leave
 * the waitlist (POST /bookings/:id/cancel).
 */
import { useState } from "react";
import { request } from "../api";
import { checkoutPath } from "../bookings";
import { ErrorNotice, Loading, PageTitle } from "../components";
import { formatDateTime } from "../format";
import { useLiveRefresh, waitlistPollMs } from "../live-refresh";
import { Link } from "../router";
import type { Booking, EventDetail, Zone } from "../types";
import { useResource } from "../use-resource";

const tickets = (quantity: number) => `${quantity} ticket${quantity === 1 ? "" : "s"}`;

/** Polls only while the buyer is still waiting: after a promotion the checkout page takes over. */
function WaitlistPoll({ reload }: { reload: () => void }) {
  useLiveRefresh(reload, waitlistPollMs);
  return null;
}

export function WaitlistPage({ bookingId }: { bookingId: string }) {
  const booking = useResource((signal) => request<Booking>(`/bookings/${bookingId}`, { signal }), [bookingId]);
  const place = booking.value;
  const context = useResource(
    async (signal) => {
      if (!place) return undefined;
      const [event, zones] = await Promise.all([
        request<EventDetail>(`/events/${place.event_id}`, { signal }),
        request<Zone[]>(`/shows/${place.show_id}/zones`, { signal }),
      ]);
      return { event, zone: zones.find((zone) => zone.id === place.zone_id) };
    },
    [place?.booking_id],
  );
  const [leaving, setLeaving] = useState(false);
  const [leaveError, setLeaveError] = useState<unknown>(null);

  const leave = async () => {
    setLeaving(true);
    setLeaveError(null);
    try {
      await request(`/bookings/${bookingId}/cancel`, { method: "POST" });
      booking.reload();
    } catch (failure) {
      setLeaveError(failure);
    } finally {
      setLeaving(false);
    }
  };

  if (!place)
    return (
      <>
        <PageTitle>Your waitlist place</PageTitle>
        <ErrorNotice error={booking.error} />
        {booking.loading ? <Loading what="your waitlist place" /> : null}
      </>
    );

  const info = context.value;
  const zoneName = info?.zone?.name ?? "this zone";
  return (
    <>
      <PageTitle>Your waitlist place</PageTitle>
      {place.status === "waitlisted" ? <WaitlistPoll reload={booking.reload} /> : null}
      <section aria-labelledby="waitlist-heading" className="card">
        <h2 id="waitlist-heading">What you are waiting for</h2>
        <dl className="facts">
          <dt>Event</dt>
          <dd>{info ? <Link href={`/events/${info.event.id}`}>{info.event.title}</Link> : "…"}</dd>
          <dt>Zone</dt>
          <dd>{info?.zone?.name ?? "…"}</dd>
          <dt>Tickets</dt>
          <dd>{place.quantity}</dd>
        </dl>
      </section>
      {/* A failed refresh: the place shown may be old, the next read tries again. */}
      <ErrorNotice error={booking.error} />
      <ErrorNotice error={context.error} />

      {place.status === "waitlisted" ? (
        <section aria-labelledby="place-heading">
          <h2 id="place-heading">Your place in line</h2>
          {/* A status: a screen reader hears the place move up. */}
          <p className="waitlist-position" role="status">
            Number <strong>{place.waitlist_position}</strong> in line
          </p>
          <p>
            If seats in {zoneName} come back, {tickets(place.quantity)} {place.quantity === 1 ? "is" : "are"} held for you and this page
            tells you at once; we also e-mail you a link to pay. No need to reload.
          </p>
          <button type="button" className="secondary" onClick={() => void leave()} disabled={leaving}>
            {leaving ? "Leaving…" : "Leave the waitlist"}
          </button>
          <ErrorNotice error={leaveError} />
        </section>
      ) : null}
      {place.status === "reserved" ? (
        <div role="alert" className="notice notice-success">
          <p>
            Good news: {tickets(place.quantity)} in {zoneName} came back and {place.quantity === 1 ? "is" : "are"} held for you until{" "}
            {formatDateTime(place.expires_at)}. Pay before then, or they go to the next person in line.
          </p>
          <p>
            <Link href={checkoutPath(place.booking_id)}>Go to checkout</Link>
          </p>
        </div>
      ) : null}
      {place.status === "cancelled" ? <p role="status">You are no longer on this waitlist.</p> : null}
      {place.status === "expired" ? <p role="status">The seats held for you ran out of time and went to the next person in line.</p> : null}
      {place.status === "confirmed" ? (
        <p role="status">
          Paid and confirmed. <Link href={checkoutPath(place.booking_id)}>See your booking</Link>
        </p>
      ) : null}
      <p>
        <Link href="/bookings">My bookings</Link>
      </p>
    </>
  );
}
