/**
 * The organizer's pages: their tenant's events in every state (GET /admin/events), creating and
 * editing an event, its shows and zones, publishing and cancelling.
 */
import { type ReactNode, useEffect, useId, useRef, useState } from "react";
import { request, requestPage } from "../api";
import { CategoryOptions, useCategories } from "../categories";
import { ErrorNotice, Field, Loading, LogInTo, NumberField, PageTitle } from "../components";
import { SubmitOutcome, useSubmit } from "../form-submit";
import { formatDateTime, formatPrice } from "../format";
import {
  changedEventBody,
  eventBody,
  fieldErrors,
  isoToLocal,
  localToIso,
  type OrganizerEvent,
  parseRows,
  priceToMinor,
} from "../organizer";
import { Link, navigate } from "../router";
import { useSession } from "../session";
import type { Show, Zone } from "../types";
import { useResource } from "../use-resource";

type EventWithShows = OrganizerEvent & { shows: Show[] };

/** The tenant's events are read this many pages of 100 deep. */
const maxListPages = 10;

/** The page for organizers and admins only; anyone else is told why. */
export function OrganizersOnly({ title, children }: { title: string; children: ReactNode }) {
  const { user, checked } = useSession();
  if (!checked) return <Loading what="your session" />;
  if (!user || user.role === "user")
    return (
      <>
        <PageTitle>{title}</PageTitle>
        {user ? (
          <p>Only an organizer can manage events. Ask an admin of your organization for the organizer role.</p>
        ) : (
          <LogInTo>as an organizer to manage events.</LogInTo>
        )}
      </>
    );
  return <>{children}</>;
}

/** A select or textarea with its label and inline error, as Field is for an input. */
function Labelled({
  label,
  error,
  hint,
  children,
}: {
  label: string;
  error?: string;
  hint?: string;
  children: (props: object) => ReactNode;
}) {
  const id = useId();
  const describedBy = [hint ? `${id}-hint` : "", error ? `${id}-error` : ""].filter(Boolean).join(" ");
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {children({ id, "aria-describedby": describedBy || undefined, "aria-invalid": error ? true : undefined })}
      {hint ? (
        <p id={`${id}-hint`} className="hint">
          {hint}
        </p>
      ) : null}
      {error ? (
        <p id={`${id}-error`} className="field-error">
          {error}
        </p>
      ) : null}
    </div>
  );
}

/** Empties a form's typed fields, leaving its choices (React holds the radios' state: a reset would show another than it sends). */
function clearFields(form: HTMLFormElement | null) {
  for (const field of form?.querySelectorAll<HTMLInputElement | HTMLTextAreaElement>(
    "input:not([type=radio]):not([type=checkbox]), textarea",
  ) ?? [])
    field.value = "";
}

const formValues = (data: FormData) => Object.fromEntries([...data.entries()].map(([name, value]) => [name, String(value)]));

/** What each state means to the organizer, beside the event in My events. */
const statusLabels: Record<OrganizerEvent["status"], string> = {
  draft: "Draft: not on sale",
  published: "Published",
  cancelled: "Cancelled",
};

/**
 * A draft published from My events, without opening it. The list reads itself again afterwards and
 * this form goes with the draft, so the page says it was published (`onPublished`).
 */
function PublishDraft({ event, onPublished }: { event: OrganizerEvent; onPublished: (notice: string) => void }) {
  const publish = useSubmit(async () => {
    await request(`/events/${event.id}/publish`, { method: "POST" });
    onPublished(`Published: ${event.title}. It is on sale from its opening time.`);
    return undefined;
  });
  return (
    <form onSubmit={publish.submit} aria-label={`Publish ${event.title}`}>
      <ErrorNotice error={publish.error} />
      <button type="submit" disabled={publish.busy}>
        Publish
      </button>
    </form>
  );
}

export function OrganizerEventsPage() {
  const { user } = useSession();
  const events = useResource(
    async (signal) => {
      if (!user?.tenant_id) return [];
      const ours: OrganizerEvent[] = [];
      for (let page = 1; page <= maxListPages; page += 1) {
        const answer = await requestPage<OrganizerEvent>("/admin/events", { query: { page, per_page: 100 }, signal });
        ours.push(...answer.data);
        if (page * answer.meta.per_page >= answer.meta.total) break;
      }
      return ours;
    },
    [user?.tenant_id],
  );
  const [published, setPublished] = useState<string | null>(null);
  return (
    <OrganizersOnly title="My events">
      <section>
        <PageTitle>My events</PageTitle>
        <p>
          <Link href="/organizer/events/new">Create an event</Link>
        </p>
        <p className="hint">Every event of your organization, newest first: drafts, published and cancelled.</p>
        <ErrorNotice error={events.error} />
        {published ? <p role="status">{published}</p> : null}
        {!events.value ? (
          <Loading what="your events" />
        ) : events.value.length === 0 ? (
          <p>No events yet.</p>
        ) : (
          <ul className="event-list organizer-events">
            {events.value.map((event) => (
              <li key={event.id} className="card">
                <h2>
                  <Link href={`/organizer/events/${event.id}`}>{event.title}</Link>
                </h2>
                <p>
                  <span className={`event-status event-status-${event.status}`}>{statusLabels[event.status]}</span>
                </p>
                <p className="meta">
                  {event.venue} · sales {formatDateTime(event.booking_opens_at)} to {formatDateTime(event.booking_closes_at)}
                </p>
                <p className="actions">
                  {event.status === "cancelled" ? null : (
                    <Link href={`/organizer/events/${event.id}`}>{event.status === "draft" ? "Edit" : "Manage"}</Link>
                  )}
                  {event.status === "draft" ? null : <Link href={`/organizer/events/${event.id}/sales`}>Live sales</Link>}
                </p>
                {event.status === "draft" ? (
                  <PublishDraft
                    event={event}
                    onPublished={(notice) => {
                      setPublished(notice);
                      events.reload();
                    }}
                  />
                ) : null}
              </li>
            ))}
          </ul>
        )}
      </section>
    </OrganizersOnly>
  );
}

/**
 * Every field of POST /events and PUT /events/:id; `saved` is the event after the request. The page
 * renders the form afresh with the saved event (its key), so the page keeps the `notice` that says
 * it was saved, shown until the next submit.
 */
function EventForm({
  event,
  onSaved,
  notice,
}: {
  event?: OrganizerEvent;
  onSaved: (saved: OrganizerEvent) => void;
  notice?: string | null;
}) {
  const categories = useCategories();
  const [queueOn, setQueueOn] = useState(event?.queue_enabled ?? false);
  const form = useSubmit(async (data) => {
    if (!event) {
      onSaved(await request<OrganizerEvent>("/events", { method: "POST", body: eventBody(formValues(data)) }));
      return "Saved.";
    }
    const changes = changedEventBody(event, formValues(data));
    if (Object.keys(changes).length === 0) return "Nothing changed.";
    onSaved(await request<OrganizerEvent>(`/events/${event.id}`, { method: "PUT", body: changes }));
    return "Saved.";
  });
  const errors = fieldErrors(form.error);
  const shownNotice = form.done ?? (form.busy || form.error ? null : notice);
  const categorySlug = categories.value?.find((category) => category.name === event?.category || category.slug === event?.category)?.slug;
  return (
    <form onSubmit={form.submit} aria-label={event ? "Edit the event" : "The new event"} noValidate>
      <Field label="Title" name="title" required maxLength={200} defaultValue={event?.title} error={errors.title} />
      <Labelled label="Description" error={errors.description}>
        {(props) => <textarea name="description" rows={4} maxLength={5000} defaultValue={event?.description} {...props} />}
      </Labelled>
      <Labelled label="Category" error={errors.category}>
        {(props) => (
          <select name="category" defaultValue={categorySlug ?? event?.category ?? ""} key={categorySlug ?? "none"} {...props}>
            <option value="">None</option>
            {/* Until the categories load (or if they do not), the event's own stays chosen. */}
            {event?.category && !categorySlug ? <option value={event.category}>{event.category}</option> : null}
            <CategoryOptions categories={categories.value} />
          </select>
        )}
      </Labelled>
      <Field label="Venue" name="venue" required maxLength={200} defaultValue={event?.venue} error={errors.venue} />
      <fieldset>
        <legend>Booking window</legend>
        <Field
          label="Sales open"
          name="booking_opens_at"
          type="datetime-local"
          required
          defaultValue={isoToLocal(event?.booking_opens_at)}
          error={errors.booking_opens_at}
        />
        <Field
          label="Sales close"
          name="booking_closes_at"
          type="datetime-local"
          required
          defaultValue={isoToLocal(event?.booking_closes_at)}
          error={errors.booking_closes_at}
        />
      </fieldset>
      <NumberField
        label="Most tickets per buyer"
        name="max_tickets_per_user"
        min={1}
        max={20}
        defaultValue={event?.max_tickets_per_user ?? 4}
        error={errors.max_tickets_per_user}
      />
      <NumberField
        label="Waitlist places per sold-out zone"
        name="waitlist_limit"
        min={0}
        max={100000}
        defaultValue={event?.waitlist_limit ?? 0}
        hint="0: no waitlist."
        error={errors.waitlist_limit}
      />
      <NumberField
        label="Minimum age"
        name="min_age"
        min={0}
        max={130}
        defaultValue={event?.min_age ?? ""}
        hint="Empty or 0: any age. Buyers' age is checked against the date of birth on their profile."
        error={errors.min_age}
      />
      <fieldset>
        <legend>Waiting room</legend>
        <div className="choice-option">
          <input
            id="queue-enabled"
            type="checkbox"
            name="queue_enabled"
            checked={queueOn}
            onChange={(change) => setQueueOn(change.currentTarget.checked)}
          />
          <label htmlFor="queue-enabled">Buyers wait in line and are let in at a steady rate</label>
        </div>
        {errors.queue_enabled ? <p className="field-error">{errors.queue_enabled}</p> : null}
        {queueOn ? (
          <>
            <NumberField
              label="Buyers let in per minute"
              name="queue_rate_per_minute"
              min={1}
              defaultValue={event?.queue_rate_per_minute ?? 600}
              error={errors.queue_rate_per_minute}
            />
            <NumberField
              label="Most buyers choosing seats at once"
              name="queue_max_active"
              min={1}
              defaultValue={event?.queue_max_active ?? 1000}
              error={errors.queue_max_active}
            />
            <NumberField
              label="Seconds an admitted buyer has to hold seats"
              name="queue_pass_ttl_seconds"
              min={30}
              max={3600}
              defaultValue={event?.queue_pass_ttl_seconds ?? 300}
              error={errors.queue_pass_ttl_seconds}
            />
            <Labelled
              label="Order of those waiting before sales open"
              error={errors.queue_order}
              hint="Random: drawn once at the opening, so arriving early buys nothing."
            >
              {(props) => (
                <select name="queue_order" defaultValue={event?.queue_order ?? "random"} {...props}>
                  <option value="random">Random</option>
                  <option value="fifo">First come, first served</option>
                </select>
              )}
            </Labelled>
            <Field
              label="Waiting room opens"
              name="queue_opens_at"
              type="datetime-local"
              defaultValue={isoToLocal(event?.queue_opens_at)}
              hint="Before sales open; empty: it opens with the sale."
              error={errors.queue_opens_at}
            />
          </>
        ) : null}
      </fieldset>
      <ErrorNotice error={form.error} />
      {shownNotice ? <p role="status">{shownNotice}</p> : null}
      <button type="submit" disabled={form.busy}>
        {event ? "Save changes" : "Create the draft"}
      </button>
    </form>
  );
}

export function NewEventPage() {
  return (
    <OrganizersOnly title="Create an event">
      <section className="narrow">
        <PageTitle>Create an event</PageTitle>
        <p>The event is a draft until you publish it: add its shows and zones first.</p>
        <EventForm onSaved={(saved) => navigate(`/organizer/events/${saved.id}`, { replace: true })} />
      </section>
    </OrganizersOnly>
  );
}

function AddShowForm({ eventId, onAdded }: { eventId: string; onAdded: () => void }) {
  const formElement = useRef<HTMLFormElement>(null);
  const form = useSubmit(async (data) => {
    const values = formValues(data);
    await request(`/events/${eventId}/shows`, {
      method: "POST",
      body: { starts_at: localToIso(values.starts_at ?? ""), ends_at: localToIso(values.ends_at ?? "") },
    });
    // Emptied for the next one: the same times sent twice would be a second, identical show.
    clearFields(formElement.current);
    onAdded();
    return "Show added.";
  });
  const errors = fieldErrors(form.error);
  return (
    <form onSubmit={form.submit} aria-label="Add a show" noValidate ref={formElement}>
      <h3>Add a show</h3>
      <Field label="Starts" name="starts_at" type="datetime-local" required error={errors.starts_at} />
      <Field label="Ends" name="ends_at" type="datetime-local" required error={errors.ends_at} />
      <SubmitOutcome form={form} />
      <button type="submit" disabled={form.busy}>
        Add the show
      </button>
    </form>
  );
}

function AddZoneForm({ show, currency, onAdded }: { show: Show; currency: string; onAdded: () => void }) {
  const [kind, setKind] = useState<"general_admission" | "assigned">("general_admission");
  const digits = new Intl.NumberFormat(undefined, { style: "currency", currency }).resolvedOptions().maximumFractionDigits ?? 2;
  const formElement = useRef<HTMLFormElement>(null);
  const form = useSubmit(async (data) => {
    const values = formValues(data);
    const price = priceToMinor(values.price ?? "", digits);
    await request(`/shows/${show.id}/zones`, {
      method: "POST",
      body: {
        name: values.name ?? "",
        // Not a price: sent as typed, so the answer names the field.
        price: Number.isNaN(price) ? (values.price ?? "") : price,
        ...(kind === "assigned" ? { rows: parseRows(values.rows ?? "") } : { total_seats: Number(values.total_seats || Number.NaN) }),
      },
    });
    // Emptied for the next zone (the seating choice stays): a second click must not add the same zone again.
    clearFields(formElement.current);
    onAdded();
    return "Zone added.";
  });
  const errors = fieldErrors(form.error);
  const name = `zone-kind-${show.id}`;
  return (
    <form onSubmit={form.submit} aria-label={`Add a zone to the show of ${formatDateTime(show.starts_at)}`} noValidate ref={formElement}>
      <h4>Add a zone</h4>
      <Field label="Zone name" name="name" required maxLength={100} error={errors.name} />
      <Field label={`Price (${currency})`} name="price" inputMode="decimal" required hint="For example 45.00" error={errors.price} />
      <fieldset>
        <legend>Seating</legend>
        <div className="choice-option">
          <input
            id={`${name}-ga`}
            type="radio"
            name={name}
            checked={kind === "general_admission"}
            onChange={() => setKind("general_admission")}
          />
          <label htmlFor={`${name}-ga`}>General admission (a number of places)</label>
        </div>
        <div className="choice-option">
          <input id={`${name}-assigned`} type="radio" name={name} checked={kind === "assigned"} onChange={() => setKind("assigned")} />
          <label htmlFor={`${name}-assigned`}>Assigned seats (rows of numbered seats)</label>
        </div>
      </fieldset>
      {kind === "general_admission" ? (
        <NumberField label="Places" name="total_seats" min={1} required error={errors.total_seats} />
      ) : (
        <Labelled label="Rows" error={errors.rows} hint="One row a line: its label and its number of seats, for example “A 12”.">
          {(props) => <textarea name="rows" rows={4} required {...props} />}
        </Labelled>
      )}
      <SubmitOutcome form={form} />
      <button type="submit" disabled={form.busy}>
        Add the zone
      </button>
    </form>
  );
}

function ShowZones({ show, event }: { show: Show; event: EventWithShows }) {
  const zones = useResource((signal) => request<Zone[]>(`/shows/${show.id}/zones`, { signal }), [show.id]);
  return (
    <li className="card">
      <h3>
        {formatDateTime(show.starts_at)} to {formatDateTime(show.ends_at)}
      </h3>
      <ErrorNotice error={zones.error} />
      {!zones.value ? (
        <Loading what="the zones" />
      ) : zones.value.length === 0 ? (
        <p>No zones yet.</p>
      ) : (
        <ul>
          {zones.value.map((zone) => (
            <li key={zone.id}>
              {zone.name}: {formatPrice(zone.price, event.currency)}, {zone.total_seats}{" "}
              {zone.kind === "assigned" ? "assigned seats" : "places"}
            </li>
          ))}
        </ul>
      )}
      {event.status === "draft" ? <AddZoneForm show={show} currency={event.currency} onAdded={zones.reload} /> : null}
    </li>
  );
}

/** Publish, and cancel (or delete a draft) after a confirmation that says what follows. */
function EventActions({ event, onChanged }: { event: EventWithShows; onChanged: () => void }) {
  const [confirming, setConfirming] = useState(false);
  // The button that opened the confirmation is gone: focus goes to the safe answer (Enter keeps the event).
  const keepButton = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    if (confirming) keepButton.current?.focus();
  }, [confirming]);
  const publish = useSubmit(async () => {
    await request(`/events/${event.id}/publish`, { method: "POST" });
    onChanged();
    return "Published: the event is on sale from its opening time.";
  });
  const cancel = useSubmit(async () => {
    const answer = await request<{ deleted: boolean }>(`/events/${event.id}`, { method: "DELETE" });
    setConfirming(false);
    if (answer.deleted) navigate("/organizer", { replace: true });
    else onChanged();
    return answer.deleted ? "The draft is deleted." : "The event is cancelled. Every buyer is being refunded in full.";
  });
  if (event.status === "cancelled") return <p role="status">This event is cancelled; its buyers were refunded in full.</p>;
  const isDraft = event.status === "draft";
  return (
    <section aria-labelledby="event-actions">
      <h2 id="event-actions">{isDraft ? "Publish" : "Cancel the event"}</h2>
      {isDraft ? (
        <form onSubmit={publish.submit} aria-label="Publish the event">
          <p>Publishing puts the event on sale at its opening time. Shows and zones cannot be added afterwards.</p>
          <SubmitOutcome form={publish} />
          <button type="submit" disabled={publish.busy}>
            Publish
          </button>
        </form>
      ) : null}
      {!confirming ? (
        <p>
          <button type="button" className="secondary" onClick={() => setConfirming(true)}>
            {isDraft ? "Delete this draft…" : "Cancel this event…"}
          </button>
        </p>
      ) : (
        <form onSubmit={cancel.submit} aria-label={isDraft ? "Confirm deleting the draft" : "Confirm cancelling the event"}>
          <div role="alert" className="notice notice-error">
            <p>
              {isDraft
                ? "Delete this draft with its shows and zones? This cannot be undone."
                : "Cancel this event? Sales stop at once and every buyer is refunded in full; the refunds follow automatically. This cannot be undone."}
            </p>
          </div>
          <ErrorNotice error={cancel.error} />
          <div className="actions">
            <button type="submit" disabled={cancel.busy}>
              {isDraft ? "Yes, delete the draft" : "Yes, cancel and refund everyone"}
            </button>
            <button type="button" className="secondary" onClick={() => setConfirming(false)} ref={keepButton}>
              {isDraft ? "Keep the draft" : "Keep the event on sale"}
            </button>
          </div>
        </form>
      )}
      {cancel.done ? <p role="status">{cancel.done}</p> : null}
    </section>
  );
}

export function OrganizerEventPage({ eventId }: { eventId: string }) {
  const event = useResource((signal) => request<EventWithShows>(`/events/${eventId}`, { signal }), [eventId]);
  const [saved, setSaved] = useState<string | null>(null);
  const title = event.value ? `Manage: ${event.value.title}` : "Manage the event";
  return (
    <OrganizersOnly title={title}>
      <section className="narrow">
        <PageTitle>{title}</PageTitle>
        <ErrorNotice error={event.error} />
        {!event.value ? (
          <Loading what="the event" />
        ) : (
          <>
            <p>
              Status: <strong>{event.value.status}</strong>
              {event.value.status !== "draft" ? (
                <>
                  {" · "}
                  <Link href={`/organizer/events/${eventId}/sales`}>Live sales</Link>
                  {" · "}
                  <Link href={`/events/${eventId}`}>The buyers' page</Link>
                </>
              ) : null}
            </p>
            <h2>Details</h2>
            {event.value.status === "cancelled" ? null : (
              <EventForm
                key={event.value.updated_at}
                event={event.value}
                notice={saved}
                onSaved={() => {
                  setSaved("Saved.");
                  event.reload();
                }}
              />
            )}
            <h2>Shows and zones</h2>
            {event.value.shows.length === 0 ? <p>No shows yet.</p> : null}
            <ul className="event-list">
              {event.value.shows.map((show) => (
                <ShowZones key={show.id} show={show} event={event.value!} />
              ))}
            </ul>
            {event.value.status === "draft" ? <AddShowForm eventId={eventId} onAdded={event.reload} /> : null}
            <EventActions event={event.value} onChanged={event.reload} />
          </>
        )}
      </section>
    </OrganizersOnly>
  );
}
