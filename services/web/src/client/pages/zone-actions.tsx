/** What a buyer can do with a zone of the event page: choose seats, hold a quantity, or join the waitlist. */
import { type FormEvent, useId, useState } from "react";
import { checkoutPath, holdSeats, loginPath, waitingRoomPath, waitlistPath } from "../bookings";
import { ErrorNotice } from "../components";
import { queuePassFor } from "../queue";
import { Link, navigate } from "../router";
import { useSession } from "../session";
import type { EventDetail, Zone } from "../types";

export function ZoneActions({ zone, event }: { zone: Zone; event: EventDetail }) {
  const { user } = useSession();
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const quantityId = useId();
  if (event.status !== "published") return null;
  const soldOut = zone.available === 0;
  const queued = event.queue_enabled && !queuePassFor(event.id);
  // Anyone may look at the seats; the map asks to log in before holding.
  if (zone.kind === "assigned" && !soldOut && !queued)
    return <Link href={`/events/${event.id}/shows/${zone.show_id}/zones/${zone.id}`}>Choose seats in {zone.name}</Link>;
  if (!user && (!soldOut || event.waitlist_limit > 0)) return <Link href={loginPath()}>Log in to buy</Link>;
  if (soldOut && event.waitlist_limit === 0) return null;

  const hold = async (quantity: number, joinWaitlist: boolean) => {
    setBusy(true);
    setError(null);
    try {
      const booking = await holdSeats(event.id, {
        show_id: zone.show_id,
        zone_id: zone.id,
        quantity,
        ...(joinWaitlist ? { join_waitlist: true } : {}),
      });
      // On the waitlist: its page follows the place and shows the promotion.
      navigate(booking.status === "waitlisted" ? waitlistPath(booking.booking_id) : checkoutPath(booking.booking_id));
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  };
  const submit = (formEvent: FormEvent<HTMLFormElement>) => {
    formEvent.preventDefault();
    const quantity = Number(new FormData(formEvent.currentTarget).get("quantity"));
    void hold(quantity, soldOut);
  };

  // A sale behind its waiting room: in line first, unless this tab already holds a pass.
  if (queued && !soldOut) return <Link href={waitingRoomPath(event.id)}>Join the waiting room</Link>;
  return (
    <form
      onSubmit={submit}
      className="inline-form"
      aria-label={soldOut ? `Join the waitlist for ${zone.name}` : `Hold tickets in ${zone.name}`}
    >
      <label htmlFor={quantityId}>Tickets</label>
      <input
        id={quantityId}
        name="quantity"
        type="number"
        min={1}
        max={soldOut ? event.max_tickets_per_user : Math.min(event.max_tickets_per_user, zone.available)}
        defaultValue={1}
        required
        inputMode="numeric"
      />
      <button type="submit" disabled={busy}>
        {soldOut ? "Join the waitlist" : "Hold tickets"}
      </button>
      <ErrorNotice error={error} />
    </form>
  );
}
