/**
 * The waiting room of a sale with its queue on: the buyer's place and ETA, live over the queue's
 * stream; admitted → on to the seats with the pass; sold out or closed shown at once.
 */
import { useEffect, useState } from "react";
import { request } from "../api";
import { TenantBanner } from "../branding";
import { ErrorNotice, Loading, LogInTo, PageTitle } from "../components";
import { followPlace, joinQueue, type QueueAnswer } from "../queue";
import { Link } from "../router";
import { useSession } from "../session";
import type { EventDetail } from "../types";
import { useResource } from "../use-resource";

function etaText(seconds: number | null): string {
  if (seconds === null) return "We cannot estimate the wait right now (admission may be paused).";
  if (seconds < 60) return "Less than a minute.";
  const minutes = Math.round(seconds / 60);
  return `About ${minutes} minute${minutes === 1 ? "" : "s"}.`;
}

export function WaitingRoomPage({ eventId }: { eventId: string }) {
  const { user, checked } = useSession();
  const event = useResource((signal) => request<EventDetail>(`/events/${eventId}`, { signal }), [eventId]);
  const [answer, setAnswer] = useState<QueueAnswer | null>(null);
  const [error, setError] = useState<unknown>(null);

  // A sale without a waiting room has no line to join (the queue would answer 404): it is not asked.
  const queued = event.value?.queue_enabled === true;
  useEffect(() => {
    if (!user || !queued) return;
    const controller = new AbortController();
    joinQueue(eventId)
      .then((joined) => {
        setAnswer(joined);
        return followPlace(eventId, setAnswer, controller.signal);
      })
      .catch((failure: unknown) => {
        if (!controller.signal.aborted) setError(failure);
      });
    return () => controller.abort();
  }, [eventId, user, queued]);

  const title = event.value ? `Waiting room: ${event.value.title}` : "Waiting room";
  // First in every state, so it stays mounted (and in place) as the page fills in.
  const banner = <TenantBanner tenantId={event.value?.tenant_id} />;
  if (checked && !user)
    return (
      <>
        {banner}
        <PageTitle>{title}</PageTitle>
        <LogInTo>to take your place in line.</LogInTo>
      </>
    );
  if (event.value && !queued)
    return (
      <>
        {banner}
        <section className="narrow waiting-room">
          <PageTitle>{title}</PageTitle>
          <p>This sale has no waiting room now: there is no line to stand in.</p>
          <p>
            <Link href={`/events/${eventId}`}>Choose your tickets</Link>
          </p>
        </section>
      </>
    );
  // The title and the place appear together, in one step: a title that grew to two lines above a
  // place already shown would shift the page (Lighthouse's layout shift on a phone).
  if (!error && !event.error && (!answer || !event.value))
    return (
      <>
        {banner}
        <Loading what="your place in line" />
      </>
    );
  return (
    <>
      {banner}
      <section className="narrow waiting-room">
        <PageTitle>{title}</PageTitle>
        <ErrorNotice error={error ?? event.error} />
        {answer?.status === "waiting" ? (
          <>
            <p>Lots of people want tickets right now, so buyers are let in to choose seats in turn. Keep this page open.</p>
            <dl className="facts queue-facts" aria-live="polite">
              <dt>Your place</dt>
              <dd>{answer.position === null ? "Being drawn when the sale opens" : `${answer.position} in line`}</dd>
              <dt>Estimated wait</dt>
              <dd>{etaText(answer.eta_seconds)}</dd>
            </dl>
          </>
        ) : null}
        {answer?.status === "admitted" ? (
          <div role="alert" className="notice notice-success">
            <p>It is your turn. Choose your seats now: your place is kept until the time shown on your pass runs out.</p>
            <p>
              <Link href={`/events/${eventId}`}>Choose seats</Link>
            </p>
          </div>
        ) : null}
        {answer?.status === "sold_out" ? (
          <div role="alert" className="notice notice-error">
            <p>Sold out: every ticket is sold or held.</p>
            <p>
              <Link href={`/events/${eventId}`}>Back to the event</Link> (seats that come back show there, and a waitlist may be open).
            </p>
          </div>
        ) : null}
        {answer?.status === "closed" ? (
          <p role="alert" className="notice notice-error">
            This sale is over.
          </p>
        ) : null}
      </section>
    </>
  );
}
