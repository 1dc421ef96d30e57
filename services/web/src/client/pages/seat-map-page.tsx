/**
 * The seat map of an assigned zone (GET /shows/:id/seats?zone_id=): rows of seats as buttons,
 * read again every few seconds. The buyer picks up to the event's limit and holds them all or
 * none (POST /bookings/reserve with seat_ids); a seat someone else took meanwhile is named, and
 * the map is read again at once.
 */
import { useState } from "react";
import { ApiError, request } from "../api";
import { checkoutPath, holdSeats, loginPath, waitingRoomPath } from "../bookings";
import { TenantBanner } from "../branding";
import { ErrorNotice, Loading, PageTitle } from "../components";
import { formatDateTime, formatPrice } from "../format";
import { seatMapPollMs, useLiveRefresh } from "../live-refresh";
import { Link, navigate } from "../router";
import { useSession } from "../session";
import type { EventDetail, Seat, Zone } from "../types";
import { useResource } from "../use-resource";

export const seatName = (seat: Pick<Seat, "row_label" | "seat_number">) => `Row ${seat.row_label}, seat ${seat.seat_number}`;

const stateText: Record<Seat["state"], string> = { available: "available", held: "taken", sold: "sold" };

/** The seats by row, each row in seat order, the rows in the order the organizer gave them. */
function rowsOf(seats: Seat[]): { label: string; seats: Seat[] }[] {
  const rows = new Map<string, Seat[]>();
  for (const seat of seats) rows.set(seat.row_label, [...(rows.get(seat.row_label) ?? []), seat]);
  return [...rows].map(([label, rowSeats]) => ({ label, seats: rowSeats.sort((a, b) => a.seat_number - b.seat_number) }));
}

export function SeatMapPage({ eventId, showId, zoneId }: { eventId: string; showId: string; zoneId: string }) {
  const { user } = useSession();
  const event = useResource((signal) => request<EventDetail>(`/events/${eventId}`, { signal }), [eventId]);
  const zones = useResource((signal) => request<Zone[]>(`/shows/${showId}/zones`, { signal }), [showId]);
  const seats = useResource(
    (signal) => request<Seat[]>(`/shows/${showId}/seats`, { signal, query: { zone_id: zoneId } }),
    [showId, zoneId],
  );
  useLiveRefresh(seats.reload, seatMapPollMs);
  const [selected, setSelected] = useState<string[]>([]);
  const [holdError, setHoldError] = useState<unknown>(null);
  const [takenNotice, setTakenNotice] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const zone = zones.value?.find((candidate) => candidate.id === zoneId);
  const show = event.value?.shows.find((candidate) => candidate.id === showId);
  const limit = event.value?.max_tickets_per_user ?? 1;
  const byId = new Map((seats.value ?? []).map((seat) => [seat.id, seat]));
  // A seat chosen here that someone else has taken since is no longer chosen.
  const chosen = selected.filter((id) => byId.get(id)?.state === "available");

  const toggle = (seat: Seat) => {
    setTakenNotice(null);
    setHoldError(null);
    if (chosen.includes(seat.id)) setSelected(chosen.filter((id) => id !== seat.id));
    else if (chosen.length < limit) setSelected([...chosen, seat.id]);
  };

  const hold = async () => {
    setBusy(true);
    setHoldError(null);
    setTakenNotice(null);
    try {
      const booking = await holdSeats(eventId, { show_id: showId, seat_ids: chosen });
      navigate(checkoutPath(booking.booking_id));
    } catch (failure) {
      if (failure instanceof ApiError && failure.code === "SEAT_UNAVAILABLE") {
        const taken = ((failure.details?.seat_ids as string[] | undefined) ?? []).filter((id) => chosen.includes(id));
        const names = taken.map((id) => byId.get(id)).flatMap((seat) => (seat ? [seatName(seat)] : []));
        setTakenNotice(
          names.length > 0
            ? `${names.join(" and ")} ${names.length === 1 ? "was" : "were"} taken by someone else a moment ago. Nothing was held; the map is up to date, choose again.`
            : "One of your seats was taken by someone else a moment ago. Nothing was held; the map is up to date, choose again.",
        );
        setSelected(chosen.filter((id) => !taken.includes(id)));
        seats.reload();
      } else setHoldError(failure);
    } finally {
      setBusy(false);
    }
  };

  const title = zone ? `Choose seats: ${zone.name}` : "Choose seats";
  return (
    <>
      <TenantBanner tenantId={event.value?.tenant_id} />
      <PageTitle>{title}</PageTitle>
      {event.value ? (
        <p className="meta">
          <Link href={`/events/${eventId}`}>{event.value.title}</Link>
          {show ? ` · ${formatDateTime(show.starts_at)}` : ""}
          {zone && event.value ? ` · ${formatPrice(zone.price, event.value.currency)} a seat` : ""}
        </p>
      ) : null}
      <ErrorNotice error={event.error ?? zones.error} />
      {seats.loading && !seats.value ? <Loading what="the seat map" /> : null}
      {seats.value && !seats.value.length ? <p>This zone has no numbered seats.</p> : null}
      {takenNotice ? (
        <p role="alert" className="notice notice-error">
          {takenNotice}
        </p>
      ) : null}
      {seats.value?.length ? (
        <section aria-labelledby="seat-map-heading" className="seat-map">
          <h2 id="seat-map-heading">Seat map</h2>
          <p id="seat-map-help">
            Choose up to {limit} seat{limit === 1 ? "" : "s"}. Taken and sold seats cannot be chosen. The map updates every few seconds.
          </p>
          <ul className="seat-legend" aria-label="Legend">
            <li>
              <span className="seat-swatch seat-available" aria-hidden="true" /> Available
            </li>
            <li>
              <span className="seat-swatch seat-selected" aria-hidden="true" /> Your choice
            </li>
            <li>
              <span className="seat-swatch seat-held" aria-hidden="true" /> Taken or sold
            </li>
          </ul>
          <div className="stage" aria-hidden="true">
            Stage
          </div>
          {rowsOf(seats.value).map((row) => (
            <fieldset key={row.label} className="seat-row">
              <legend>Row {row.label}</legend>
              <div className="seats">
                {row.seats.map((seat) => {
                  const isChosen = chosen.includes(seat.id);
                  const unavailable = seat.state !== "available";
                  const state = isChosen ? "selected" : stateText[seat.state];
                  return (
                    <button
                      key={seat.id}
                      type="button"
                      className={`seat seat-${isChosen ? "selected" : unavailable ? "held" : "available"}`}
                      aria-label={`${seatName(seat)}, ${state}`}
                      aria-pressed={isChosen}
                      disabled={unavailable || (!isChosen && chosen.length >= limit)}
                      onClick={() => toggle(seat)}
                    >
                      {seat.seat_number}
                    </button>
                  );
                })}
              </div>
            </fieldset>
          ))}
        </section>
      ) : null}
      <section aria-labelledby="choice-heading" className="choice">
        <h2 id="choice-heading">Your seats</h2>
        <p role="status">
          {chosen.length === 0
            ? "No seats chosen yet."
            : `${chosen
                .map((id) => byId.get(id))
                .flatMap((seat) => (seat ? [seatName(seat)] : []))
                .join("; ")}${zone && event.value ? ` · ${formatPrice(zone.price * chosen.length, event.value.currency)}` : ""}`}
        </p>
        <ErrorNotice error={holdError} />
        {holdError instanceof ApiError && holdError.code === "QUEUE_REQUIRED" ? (
          <p>
            <Link href={waitingRoomPath(eventId)}>Go to the waiting room</Link>
          </p>
        ) : null}
        {user ? (
          <button type="button" disabled={chosen.length === 0 || busy} onClick={() => void hold()}>
            {busy ? "Holding…" : chosen.length === 0 ? "Hold seats" : `Hold ${chosen.length} seat${chosen.length === 1 ? "" : "s"}`}
          </button>
        ) : (
          <p>
            <Link href={loginPath()}>Log in to hold seats</Link>
          </p>
        )}
      </section>
    </>
  );
}
