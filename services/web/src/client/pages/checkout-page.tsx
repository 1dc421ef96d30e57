/**
 * Paying for a hold: the seats and the price, the time left until `expires_at`, the payment
 * method, then POST /payments and GET /payments/:id until it succeeded or failed, and the booking
 * until the saga has confirmed it, then the e-ticket with its QR code. Also the page of the
 * promotion e-mail's link (/bookings/:id/pay).
 */
import { type FormEvent, useEffect, useState } from "react";
import { ApiError, request } from "../api";
import { waitlistPath } from "../bookings";
import { ErrorNotice, Loading, PageTitle } from "../components";
import { formatDateTime, formatPrice } from "../format";
import { messageFor } from "../messages";
import { Link } from "../router";
import { Ticket } from "../ticket";
import type { Booking, EventDetail, Payment, PaymentMethod, Seat, Zone } from "../types";
import { useResource } from "../use-resource";
import { seatName } from "./seat-map-page";

/** How often, and how long at most, the payment and then the booking are read while they settle. */
const settlePollMs = 1_000;
const settleTimeoutMs = 120_000;

const methods: { value: PaymentMethod; label: string }[] = [
  { value: "card", label: "Card" },
  { value: "bank_transfer", label: "Bank transfer" },
  { value: "e_wallet", label: "E-wallet" },
];

/** Seconds left until `iso`, ticking every second; 0 once it has passed. */
function useSecondsLeft(iso: string | undefined): number | undefined {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 1_000);
    return () => clearInterval(timer);
  }, []);
  if (!iso) return undefined;
  return Math.max(0, Math.floor((Date.parse(iso) - now) / 1_000));
}

const minutesAndSeconds = (seconds: number) => `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, "0")}`;

/** Reads `read` every settlePollMs until `done` says so, for at most settleTimeoutMs, and not after `signal` aborts. */
async function pollUntil<T>(
  read: () => Promise<T>,
  done: (value: T) => boolean,
  onValue: (value: T) => void,
  signal: AbortSignal,
): Promise<T> {
  const deadline = Date.now() + settleTimeoutMs;
  for (;;) {
    signal.throwIfAborted();
    const value = await read();
    onValue(value);
    if (done(value)) return value;
    if (Date.now() > deadline) throw new ApiError("SETTLE_TIMEOUT", 0, undefined, undefined);
    await new Promise((resolve) => setTimeout(resolve, settlePollMs));
  }
}

interface Context {
  event: EventDetail;
  zone: Zone | undefined;
  seats: Seat[];
}

export function CheckoutPage({ bookingId }: { bookingId: string }) {
  const booking = useResource((signal) => request<Booking>(`/bookings/${bookingId}`, { signal }), [bookingId]);
  const [current, setCurrent] = useState<Booking | undefined>(undefined);
  const shown = current ?? booking.value;
  const context = useResource(
    async (signal): Promise<Context | undefined> => {
      const held = booking.value;
      if (!held) return undefined;
      const [event, zones, seats] = await Promise.all([
        request<EventDetail>(`/events/${held.event_id}`, { signal }),
        request<Zone[]>(`/shows/${held.show_id}/zones`, { signal }),
        held.seat_ids?.length
          ? request<Seat[]>(`/shows/${held.show_id}/seats`, { signal, query: { zone_id: held.zone_id } })
          : Promise.resolve([] as Seat[]),
      ]);
      return { event, zone: zones.find((zone) => zone.id === held.zone_id), seats };
    },
    [booking.value?.booking_id],
  );
  const [payment, setPayment] = useState<Payment | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [paying, setPaying] = useState(false);
  const secondsLeft = useSecondsLeft(shown?.status === "reserved" ? shown.expires_at : undefined);
  const refusedAsExpired = error instanceof ApiError && error.code === "RESERVATION_EXPIRED";

  // Aborted when the buyer leaves the page: no reads after that.
  const [leaving] = useState(() => new AbortController());
  useEffect(() => () => leaving.abort(), [leaving]);

  /** Follows a payment until it settles, then the booking until the saga has confirmed it. */
  const follow = async (paymentId: string) => {
    const settled = await pollUntil(
      () => request<Payment>(`/payments/${paymentId}`),
      (value) => value.status === "succeeded" || value.status === "failed" || value.status === "refunded",
      setPayment,
      leaving.signal,
    );
    if (settled.status === "succeeded")
      await pollUntil(
        () => request<Booking>(`/bookings/${bookingId}`),
        (value) => value.status !== "reserved",
        setCurrent,
        leaving.signal,
      );
  };

  const run = async (work: () => Promise<void>) => {
    setPaying(true);
    setError(null);
    try {
      await work();
    } catch (failure) {
      if (!leaving.signal.aborted) setError(failure);
    } finally {
      if (!leaving.signal.aborted) setPaying(false);
    }
  };

  // Back on the page of a hold already being paid (a reload, the e-mail's link): follow that payment.
  const pendingPaymentId = booking.value?.status === "reserved" ? booking.value.payment_id : undefined;
  // biome-ignore lint/correctness/useExhaustiveDependencies: once per payment found on the booking
  useEffect(() => {
    if (pendingPaymentId) void run(() => follow(pendingPaymentId));
  }, [pendingPaymentId]);

  // Time is up, by this browser's clock or by the payment service's RESERVATION_EXPIRED (the
  // buyer's clock may run late): paying is no longer offered, and the booking is read until the
  // API has closed the hold, so what the page shows is what the API says.
  const timeIsUp = shown?.status === "reserved" && (secondsLeft === 0 || refusedAsExpired) && !paying;
  // biome-ignore lint/correctness/useExhaustiveDependencies: once, when the time is up
  useEffect(() => {
    if (!timeIsUp) return;
    pollUntil(
      () => request<Booking>(`/bookings/${bookingId}`),
      (value) => value.status !== "reserved",
      setCurrent,
      leaving.signal,
    ).catch(() => {
      // Left the page, or the API is unreachable: the page already says the hold is over.
    });
  }, [timeIsUp]);

  const pay = (formEvent: FormEvent<HTMLFormElement>) => {
    formEvent.preventDefault();
    const method = String(new FormData(formEvent.currentTarget).get("method")) as PaymentMethod;
    void run(async () => {
      const started = await request<Payment>("/payments", { method: "POST", body: { booking_id: bookingId, method } });
      setPayment(started);
      await follow(started.payment_id);
    });
  };

  if (!shown)
    return (
      <>
        <PageTitle>Checkout</PageTitle>
        <ErrorNotice error={booking.error} />
        {booking.loading ? <Loading what="your booking" /> : null}
      </>
    );

  const info = context.value;
  const seatNames = (shown.seat_ids ?? [])
    .map((id) => info?.seats.find((seat) => seat.id === id))
    .flatMap((seat) => (seat ? [seatName(seat)] : []));
  const total = info?.zone ? formatPrice(info.zone.price * shown.quantity, info.event.currency) : undefined;
  const expired = shown.status === "expired" || (shown.status === "reserved" && timeIsUp);
  const show = info?.event.shows.find((candidate) => candidate.id === shown.show_id);

  return (
    <>
      <PageTitle>{shown.status === "confirmed" ? "Booking confirmed" : "Checkout"}</PageTitle>
      <section aria-labelledby="order-heading" className="card">
        <h2 id="order-heading">Your order</h2>
        <dl className="facts">
          <dt>Event</dt>
          <dd>{info ? <Link href={`/events/${info.event.id}`}>{info.event.title}</Link> : "…"}</dd>
          {show ? (
            <>
              <dt>Show</dt>
              <dd>{formatDateTime(show.starts_at)}</dd>
            </>
          ) : null}
          <dt>Zone</dt>
          <dd>{info?.zone?.name ?? "…"}</dd>
          <dt>Tickets</dt>
          <dd>{seatNames.length > 0 ? seatNames.join("; ") : shown.quantity}</dd>
          {total ? (
            <>
              <dt>Total</dt>
              <dd>{total}</dd>
            </>
          ) : null}
          <dt>Booking</dt>
          <dd>
            <code>{shown.booking_id}</code>
          </dd>
        </dl>
      </section>
      <ErrorNotice error={context.error} />

      {shown.status === "confirmed" ? (
        <>
          <div role="status" className="notice notice-success">
            <p>Paid and confirmed. Your e-tickets with their QR codes are on their way to your e-mail.</p>
          </div>
          <Ticket bookingId={shown.booking_id} />
        </>
      ) : null}
      {shown.status === "cancelled" ? <p role="status">This booking was cancelled.</p> : null}
      {shown.status === "waitlisted" ? (
        <p role="status">
          You are number {shown.waitlist_position} on the waitlist; we e-mail you when seats are held for you.{" "}
          <Link href={waitlistPath(shown.booking_id)}>Follow your place</Link>
        </p>
      ) : null}
      {expired ? (
        <div role="alert" className="notice notice-error">
          <p>{messageFor({ code: "RESERVATION_EXPIRED", status: 410 })}</p>
          <p>Nothing was charged, and this hold can no longer be paid.</p>
          {info ? (
            <p>
              <Link href={`/events/${info.event.id}`}>Back to {info.event.title}</Link>
            </p>
          ) : null}
        </div>
      ) : null}

      {shown.status === "reserved" && !expired ? (
        <section aria-labelledby="pay-heading">
          <h2 id="pay-heading">Pay</h2>
          {secondsLeft !== undefined ? (
            <p className="countdown">
              Seats held for you for <span role="timer">{minutesAndSeconds(secondsLeft)}</span> more (until{" "}
              {formatDateTime(shown.expires_at)}).
            </p>
          ) : null}
          <form onSubmit={pay} aria-label="Pay">
            <fieldset>
              <legend>Payment method</legend>
              {methods.map((method, index) => (
                <label key={method.value} className="choice-option">
                  <input type="radio" name="method" value={method.value} defaultChecked={index === 0} /> {method.label}
                </label>
              ))}
            </fieldset>
            <button type="submit" disabled={paying}>
              {paying ? "Paying…" : total ? `Pay ${total}` : "Pay"}
            </button>
          </form>
          {payment ? (
            <p role="status">
              {payment.status === "failed"
                ? `The payment was declined${payment.failure_reason ? ` (${payment.failure_reason})` : ""}. Nothing was charged; your seats are still held, so you can try another method.`
                : payment.status === "succeeded"
                  ? "Payment received. Confirming your booking…"
                  : "Payment in progress…"}
            </p>
          ) : null}
          {error instanceof ApiError && error.code === "SETTLE_TIMEOUT" ? (
            <p role="alert" className="notice notice-error">
              The payment is taking longer than usual. You will get an e-mail when it completes; this page shows the booking when you come
              back.
            </p>
          ) : (
            <ErrorNotice error={error} />
          )}
        </section>
      ) : null}
      <p>
        <Link href="/events">Back to the events</Link>
      </p>
    </>
  );
}
