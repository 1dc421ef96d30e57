/**
 * One event: its shows and, per show, the zones with price and live availability (GET
 * /shows/:id/zones), polled every few seconds while the page is visible and again whenever it
 * comes back into view. Sold-out zones say so, with the waitlist when the event keeps one.
 */
import { request } from "../api";
import { TenantBanner } from "../branding";
import { ErrorNotice, Loading, PageTitle } from "../components";
import { formatDateTime, formatPrice } from "../format";
import { availabilityPollMs, useLiveRefresh } from "../live-refresh";
import type { EventDetail, Show, Zone } from "../types";
import { useResource } from "../use-resource";
import { ZoneActions } from "./zone-actions";

function availabilityText(zone: Zone, event: EventDetail): string {
  if (zone.available > 0) return `${zone.available} of ${zone.total_seats} available`;
  if (zone.waitlisted > 0 || event.waitlist_limit > 0) {
    const waiting = zone.waitlisted > 0 ? `, ${zone.waitlisted} on the waitlist` : "";
    return `Sold out${waiting}`;
  }
  return "Sold out";
}

function ShowZones({ show, event }: { show: Show; event: EventDetail }) {
  const zones = useResource((signal) => request<Zone[]>(`/shows/${show.id}/zones`, { signal }), [show.id]);
  useLiveRefresh(zones.reload, availabilityPollMs);
  const headingId = `show-${show.id}`;
  return (
    <section aria-labelledby={headingId} className="show">
      <h2 id={headingId}>{formatDateTime(show.starts_at)}</h2>
      <ErrorNotice error={zones.error} />
      {zones.loading && !zones.value ? <Loading what="zones" /> : null}
      {zones.value ? (
        zones.value.length === 0 ? (
          <p>No tickets are on sale for this show yet.</p>
        ) : (
          <table className="zones">
            <caption className="visually-hidden">Zones of the show on {formatDateTime(show.starts_at)}</caption>
            <thead>
              <tr>
                <th scope="col">Zone</th>
                <th scope="col">Seating</th>
                <th scope="col">Price</th>
                <th scope="col">Availability</th>
                <th scope="col">Tickets</th>
              </tr>
            </thead>
            <tbody>
              {zones.value.map((zone) => (
                <tr key={zone.id} className={zone.available === 0 ? "sold-out" : undefined}>
                  <th scope="row">{zone.name}</th>
                  <td>{zone.kind === "assigned" ? "Assigned seats" : "General admission"}</td>
                  <td>{formatPrice(zone.price, event.currency)}</td>
                  <td>{availabilityText(zone, event)}</td>
                  <td>
                    <ZoneActions zone={zone} event={event} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )
      ) : null}
    </section>
  );
}

export function EventPage({ id }: { id: string }) {
  const event = useResource((signal) => request<EventDetail>(`/events/${id}`, { signal }), [id]);
  // The tenant's banner first in both states, so it stays mounted (and in place) as the event loads.
  const banner = <TenantBanner tenantId={event.value?.tenant_id} />;
  if (!event.value) {
    return (
      <>
        {banner}
        <PageTitle>Event</PageTitle>
        <ErrorNotice error={event.error} />
        {event.loading ? <Loading what="the event" /> : null}
      </>
    );
  }
  const detail = event.value;
  return (
    <>
      {banner}
      <article className="event">
        <PageTitle>{detail.title}</PageTitle>
        <p className="meta">
          {detail.venue}
          {detail.category ? ` · ${detail.category}` : ""}
        </p>
        {detail.status === "cancelled" ? (
          <p role="alert" className="notice notice-error">
            This event was cancelled. Tickets bought are refunded in full.
          </p>
        ) : null}
        <p>{detail.description}</p>
        <dl className="facts">
          <dt>Sale</dt>
          <dd>
            {formatDateTime(detail.booking_opens_at)} to {formatDateTime(detail.booking_closes_at)}
          </dd>
          <dt>Tickets per person</dt>
          <dd>Up to {detail.max_tickets_per_user}</dd>
          {detail.min_age !== null ? (
            <>
              <dt>Minimum age</dt>
              <dd>{detail.min_age}</dd>
            </>
          ) : null}
          {detail.queue_enabled ? (
            <>
              <dt>Waiting room</dt>
              <dd>On: buyers are let in to choose seats in turn</dd>
            </>
          ) : null}
        </dl>
        {detail.shows.length === 0 ? <p>No shows are scheduled yet.</p> : <p className="meta">Availability updates every few seconds.</p>}
        {detail.shows.map((show) => (
          <ShowZones key={show.id} show={show} event={detail} />
        ))}
      </article>
    </>
  );
}
