/** The published events: search by words, category and dates (GET /events), a page at a time. */
import type { FormEvent } from "react";
import { requestPage } from "../api";
import { CategoryOptions, useCategories } from "../categories";
import { ErrorNotice, Loading, PageTitle } from "../components";
import { formatDateTime } from "../format";
import { Link, navigate, useLocation } from "../router";
import type { EventSummary } from "../types";
import { useResource } from "../use-resource";

const perPage = 12;

/** A date input's day as the start (or end) of that day in the buyer's time zone, in ISO 8601. */
const dayBound = (day: string, end: boolean) => (day ? new Date(`${day}T${end ? "23:59:59.999" : "00:00:00"}`).toISOString() : undefined);

export function EventsPage() {
  const { search } = useLocation();
  const filters = {
    q: search.get("q") ?? "",
    category: search.get("category") ?? "",
    from: search.get("from") ?? "",
    to: search.get("to") ?? "",
    page: Math.max(1, Number(search.get("page")) || 1),
  };
  const categories = useCategories();
  const events = useResource(
    (signal) =>
      requestPage<EventSummary>("/events", {
        signal,
        query: {
          q: filters.q || undefined,
          category: filters.category || undefined,
          from: dayBound(filters.from, false),
          to: dayBound(filters.to, true),
          page: filters.page,
          per_page: perPage,
        },
      }),
    [filters.q, filters.category, filters.from, filters.to, filters.page],
  );

  const go = (changes: Partial<Record<keyof typeof filters, string | number>>) => {
    const next = new URLSearchParams();
    for (const [name, value] of Object.entries({ ...filters, page: 1, ...changes }))
      if (value !== "" && !(name === "page" && value === 1)) next.set(name, String(value));
    const query = next.toString();
    navigate(`/events${query ? `?${query}` : ""}`);
  };
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    go({
      q: String(form.get("q") ?? "").trim(),
      category: String(form.get("category") ?? ""),
      from: String(form.get("from") ?? ""),
      to: String(form.get("to") ?? ""),
    });
  };

  const total = events.value?.meta.total ?? 0;
  const pages = Math.max(1, Math.ceil(total / perPage));
  return (
    <>
      <PageTitle>Events</PageTitle>
      <search>
        <form className="filters" onSubmit={submit} aria-label="Find events" key={search.toString()}>
          <div className="field">
            <label htmlFor="events-q">Search</label>
            <input id="events-q" name="q" type="search" defaultValue={filters.q} maxLength={100} placeholder="Artist, title or venue" />
          </div>
          <div className="field">
            <label htmlFor="events-category">Category</label>
            <select id="events-category" name="category" defaultValue={filters.category}>
              <option value="">Any category</option>
              <CategoryOptions categories={categories.value} />
            </select>
          </div>
          <div className="field">
            <label htmlFor="events-from">From</label>
            <input id="events-from" name="from" type="date" defaultValue={filters.from} />
          </div>
          <div className="field">
            <label htmlFor="events-to">To</label>
            <input id="events-to" name="to" type="date" defaultValue={filters.to} />
          </div>
          <button type="submit">Search</button>
        </form>
      </search>
      <ErrorNotice error={events.error} />
      {events.loading && !events.value ? <Loading what="events" /> : null}
      {events.value ? (
        <section aria-labelledby="results-heading">
          <h2 id="results-heading" className="visually-hidden">
            Results
          </h2>
          <p role="status" className="result-count">
            {total === 0 ? "No events match." : `${total} event${total === 1 ? "" : "s"}`}
          </p>
          <ul className="event-list">
            {events.value.data.map((event) => (
              <li key={event.id} className="card">
                <h3>
                  <Link href={`/events/${event.id}`}>{event.title}</Link>
                </h3>
                <p className="meta">
                  {event.venue}
                  {event.category ? ` · ${event.category}` : ""}
                </p>
                <p className="meta">
                  Sale: {formatDateTime(event.booking_opens_at)} to {formatDateTime(event.booking_closes_at)}
                </p>
              </li>
            ))}
          </ul>
          {pages > 1 ? (
            <nav aria-label="Pages" className="pager">
              <button type="button" disabled={filters.page <= 1} onClick={() => go({ page: filters.page - 1 })}>
                Previous page
              </button>
              <span>
                Page {filters.page} of {pages}
              </span>
              <button type="button" disabled={filters.page >= pages} onClick={() => go({ page: filters.page + 1 })}>
                Next page
              </button>
            </nav>
          ) : null}
        </section>
      ) : null}
    </>
  );
}
