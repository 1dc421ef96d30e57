/**
 * The live sales screen of an event: stock per zone, money, the last hour's sales per minute,
 * what became of the holds and the waiting room, pushed by GET /admin/sales/stream (live-sales.ts),
 * with a note when the figures are stale; and the waiting room's controls (pause, resume, rate).
 */
import { useEffect, useState } from "react";
import { request } from "../api";
import { ErrorNotice, Loading, NumberField, PageTitle } from "../components";
import { SubmitOutcome, useSubmit } from "../form-submit";
import { formatDateTime, formatPrice } from "../format";
import { followSales } from "../live-sales";
import { fieldErrors, isStale, type LiveSales, type OrganizerEvent, salesChart } from "../organizer";
import { Link } from "../router";
import type { Show } from "../types";
import { useResource } from "../use-resource";
import { OrganizersOnly } from "./organizer-pages";

const timeOf = (iso: string | number) => new Intl.DateTimeFormat(undefined, { timeStyle: "medium" }).format(new Date(iso));

/** The last hour as bars (an SVG image described in words), with the figures as a table beside it. */
function SalesChart({ minutes }: { minutes: LiveSales["sales_per_minute"] }) {
  const chart = salesChart(minutes);
  const height = 100;
  const busy = chart.bars.filter((bar) => bar.tickets > 0);
  return (
    <figure className="sales-figure">
      <svg
        viewBox={`0 0 ${chart.bars.length * 4} ${height}`}
        preserveAspectRatio="none"
        className="sales-chart"
        role="img"
        aria-label={`Tickets sold per minute over the last hour: ${chart.total} in all, at most ${chart.peak} in one minute.`}
      >
        {chart.bars.map((bar, index) => (
          <rect
            key={bar.minute}
            className="sales-bar"
            x={index * 4}
            y={height - bar.share * height}
            width={3}
            height={bar.share * height}
          />
        ))}
      </svg>
      <figcaption>
        Tickets sold per minute, the last hour (oldest on the left): {chart.total} in all, at most {chart.peak} in one minute.
      </figcaption>
      <details>
        <summary>The minutes with sales, as a table</summary>
        {busy.length === 0 ? (
          <p>No sales in the last hour.</p>
        ) : (
          <table className="sales-table">
            <thead>
              <tr>
                <th scope="col">Minute</th>
                <th scope="col">Tickets</th>
              </tr>
            </thead>
            <tbody>
              {busy.map((bar) => (
                <tr key={bar.minute}>
                  <td>{timeOf(bar.minute)}</td>
                  <td>{bar.tickets}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </details>
    </figure>
  );
}

/** Pause, resume and the admission rate of the event's waiting room. */
function QueueControls({ event, onChanged }: { event: OrganizerEvent; onChanged: () => void }) {
  const pause = useSubmit(async () => {
    await request(`/admin/events/${event.id}/queue/${event.queue_paused ? "resume" : "pause"}`, { method: "POST" });
    onChanged();
    return event.queue_paused ? "Admission resumed." : "Admission paused: buyers keep their places in line.";
  });
  const rate = useSubmit(async (data) => {
    const body: Record<string, number> = {};
    for (const name of ["rate_per_minute", "max_active"]) {
      const value = String(data.get(name) ?? "").trim();
      if (value) body[name] = Number(value);
    }
    await request(`/admin/events/${event.id}/queue`, { method: "PUT", body });
    onChanged();
    return "Admission changed.";
  });
  const errors = fieldErrors(rate.error);
  return (
    <section aria-labelledby="queue-controls" className="queue-controls">
      <h2 id="queue-controls">Waiting room controls</h2>
      <form onSubmit={pause.submit} aria-label={event.queue_paused ? "Resume admission" : "Pause admission"}>
        <p>Admission is {event.queue_paused ? "paused" : "running"}.</p>
        <SubmitOutcome form={pause} />
        <button type="submit" disabled={pause.busy}>
          {event.queue_paused ? "Resume admission" : "Pause admission"}
        </button>
      </form>
      <form onSubmit={rate.submit} aria-label="Admission rate" key={`${event.queue_rate_per_minute}-${event.queue_max_active}`}>
        <NumberField
          label="Buyers let in per minute"
          name="rate_per_minute"
          min={1}
          max={100000}
          defaultValue={event.queue_rate_per_minute}
          error={errors.rate_per_minute}
        />
        <NumberField
          label="Most buyers choosing seats at once"
          name="max_active"
          min={1}
          max={1000000}
          defaultValue={event.queue_max_active}
          error={errors.max_active}
        />
        <SubmitOutcome form={rate} />
        <button type="submit" disabled={rate.busy}>
          Change admission
        </button>
      </form>
    </section>
  );
}

export function LiveSalesPage({ eventId }: { eventId: string }) {
  const event = useResource((signal) => request<OrganizerEvent & { shows: Show[] }>(`/events/${eventId}`, { signal }), [eventId]);
  const [figures, setFigures] = useState<LiveSales | null>(null);
  const [connected, setConnected] = useState(false);
  const [lastHeard, setLastHeard] = useState<number | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [now, setNow] = useState(() => Date.now());

  useEffect(() => {
    const controller = new AbortController();
    followSales(eventId, { onFigures: setFigures, onAlive: setLastHeard, onConnected: setConnected }, controller.signal).catch(
      (failure: unknown) => {
        if (!controller.signal.aborted) setError(failure);
      },
    );
    return () => controller.abort();
  }, [eventId]);
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 5_000);
    return () => clearInterval(timer);
  }, []);

  const title = event.value ? `Live sales: ${event.value.title}` : "Live sales";
  const stale = isStale(lastHeard, connected, now);
  // Zones of several shows may share a name: the show's start tells them apart.
  const showTime = (showId: string) => {
    const show = event.value?.shows.find((candidate) => candidate.id === showId);
    return show ? formatDateTime(show.starts_at) : "";
  };
  const money = (amount: number) => formatPrice(amount, figures?.currency ?? event.value?.currency ?? "EUR");
  return (
    <OrganizersOnly title={title}>
      <section>
        <PageTitle>{title}</PageTitle>
        <p>
          <Link href={`/organizer/events/${eventId}`}>Manage the event</Link>
        </p>
        <ErrorNotice error={error ?? event.error} />
        {/* Only the connection's state is announced, not every new time. */}
        <p role="status" className={stale && figures ? "stale" : undefined}>
          {error ? "Stopped." : !figures ? "Connecting…" : stale ? "Reconnecting: these figures may be out of date." : "Live."}
        </p>
        {figures ? <p className="meta">Last update {timeOf(stale ? (lastHeard ?? figures.as_of) : figures.as_of)}.</p> : null}
        {!figures ? (
          error ? null : (
            <Loading what="the sales" />
          )
        ) : (
          <>
            <h2>Zones</h2>
            {/* Focusable, so the keyboard can scroll it sideways on a phone. */}
            {/* biome-ignore lint/a11y/noNoninteractiveTabindex: a scrolled region must be reachable by keyboard (axe: scrollable-region-focusable) */}
            <section className="table-scroll" aria-label="Seats per zone" tabIndex={0}>
              <table className="sales-table">
                <caption className="visually-hidden">Seats per zone</caption>
                <thead>
                  <tr>
                    <th scope="col">Zone</th>
                    <th scope="col">Price</th>
                    <th scope="col">Total</th>
                    <th scope="col">Available</th>
                    <th scope="col">Held</th>
                    <th scope="col">Sold</th>
                    <th scope="col">Waitlisted</th>
                  </tr>
                </thead>
                <tbody>
                  {figures.zones.map((zone) => (
                    <tr key={zone.zone_id}>
                      <th scope="row">
                        {zone.name}
                        {(event.value?.shows.length ?? 0) > 1 ? <span className="meta"> · {showTime(zone.show_id)}</span> : null}
                      </th>
                      <td>{money(zone.price)}</td>
                      <td>{zone.total}</td>
                      <td>{zone.available}</td>
                      <td>{zone.held}</td>
                      <td>{zone.sold}</td>
                      <td>{zone.waitlisted}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </section>
            <h2>Money</h2>
            <dl className="facts">
              <dt>Tickets sold</dt>
              <dd>{figures.tickets_sold}</dd>
              <dt>Revenue</dt>
              <dd>{money(figures.revenue)}</dd>
              <dt>Refunds</dt>
              <dd>{money(figures.refunds)}</dd>
              <dt>Net</dt>
              <dd>{money(figures.net)}</dd>
            </dl>
            <h2>Sales per minute</h2>
            <SalesChart minutes={figures.sales_per_minute} />
            <h2>Holds</h2>
            <dl className="facts">
              <dt>Paid</dt>
              <dd>{figures.holds.converted}</dd>
              <dt>Expired unpaid</dt>
              <dd>{figures.holds.expired}</dd>
              <dt>Cancelled</dt>
              <dd>{figures.holds.cancelled}</dd>
            </dl>
            {figures.queue ? (
              <>
                <h2>Waiting room</h2>
                <dl className="facts">
                  <dt>Waiting in line</dt>
                  <dd>{figures.queue.waiting}</dd>
                  <dt>Admitted, choosing seats</dt>
                  <dd>{figures.queue.active}</dd>
                  <dt>Admission</dt>
                  <dd>{figures.queue.paused ? "Paused" : "Running"}</dd>
                </dl>
              </>
            ) : null}
          </>
        )}
        {event.value?.queue_enabled ? <QueueControls event={event.value} onChanged={event.reload} /> : null}
        {event.value ? (
          <p className="meta">
            Sales {formatDateTime(event.value.booking_opens_at)} to {formatDateTime(event.value.booking_closes_at)}.
          </p>
        ) : null}
        {!event.value && !event.error ? <Loading what="the event" /> : null}
      </section>
    </OrganizersOnly>
  );
}
