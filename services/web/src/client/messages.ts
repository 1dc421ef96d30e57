/**
 * What a buyer reads for each error code of the API (shared/design/API.md and
 * services/lib/src/errors.ts): plain words and what happens next. `Record<ErrorCode, ...>` makes a
 * new code a type error until it has its message. No DOM here: unit-tested as it is.
 */
import type { ErrorCode } from "@booking-rush/lib/errors";

export interface ErrorFacts {
  code: string;
  status: number;
  /** The server's message, shown only where it is the more precise one (validation). */
  message?: string;
  /** Seconds from the Retry-After header of a 429 (or a 503 that sends one). */
  retryAfterSeconds?: number;
  /** A read the page tries again by itself (use-resource.ts), in this many seconds. */
  retryingInSeconds?: number;
  details?: Record<string, unknown>;
}

const messages: Record<ErrorCode, (error: ErrorFacts) => string> = {
  VALIDATION_ERROR: (error) => {
    const fields = (error.details?.fields as { field?: string; message?: string }[] | undefined) ?? [];
    const named = fields.filter((field) => field.field).map((field) => `${field.field}: ${field.message}`);
    return named.length > 0 ? `Please check what you entered (${named.join("; ")}).` : "Please check what you entered and try again.";
  },
  UNAUTHORIZED: () => "Please log in to continue; your session may have ended.",
  FORBIDDEN: () => "Your account is not allowed to do this.",
  QUEUE_REQUIRED: () => "This sale has a waiting room: join it and you will be let in to choose seats in turn.",
  AGE_RESTRICTED: (error) => {
    const age = typeof error.details?.min_age === "number" ? `aged ${error.details.min_age} or over` : "of a minimum age";
    return error.details?.reason === "too_young"
      ? `This event is only for people ${age}.`
      : `This event is only for people ${age}: add your date of birth on your profile page, then try again.`;
  },
  NOT_FOUND: () => "We could not find that. It may have been removed, or the link is wrong.",
  METHOD_NOT_ALLOWED: () => "That action is not possible here.",
  CONFLICT: () => "That cannot be done now: it conflicts with what is already there (for example, an e-mail address already registered).",
  INSUFFICIENT_STOCK: (error) => {
    const available = error.details?.available;
    return typeof available === "number"
      ? `Not enough seats left: only ${available} can be held now. Choose fewer, or another zone.`
      : "Not enough seats left. Choose fewer, or another zone.";
  },
  SEAT_UNAVAILABLE: () => "Someone else took one of those seats a moment ago. The map is up to date now: pick another seat.",
  MAX_PER_USER_EXCEEDED: () => "That would pass this event's limit of tickets per person.",
  BOOKING_NOT_OPEN: () => "Sales for this event are not open right now. Check the sale dates on the event page.",
  ALREADY_WAITLISTED: () => "You are already on the waitlist for this zone; we will e-mail you if seats come back.",
  WAITLIST_FULL: () => "Sold out, and the waitlist is full.",
  PAYMENT_FAILED: () => "The payment was declined. Nothing was charged; try another payment method.",
  RESERVATION_EXPIRED: () => "Your hold ran out of time and the seats went back on sale. Choose seats again.",
  PAYLOAD_TOO_LARGE: () => "That request is too large to send.",
  IDEMPOTENCY_KEY_REUSED: () => "That request was already sent with different details. Please start the action again.",
  RATE_LIMITED: (error) =>
    error.retryAfterSeconds !== undefined
      ? `Too many tries in a short time. Please wait ${seconds(error.retryAfterSeconds)} and try again.`
      : "Too many tries in a short time. Please wait a moment and try again.",
  HEADERS_TOO_LARGE: () => "Your browser sent too much data with the request; log out and back in, then try again.",
  INTERNAL_ERROR: () => "Something went wrong on our side. Nothing you did caused it; please try again.",
  SERVICE_UNAVAILABLE: (error) =>
    error.retryAfterSeconds !== undefined
      ? `We could not finish that just now and nothing was changed. Please try again in ${seconds(error.retryAfterSeconds)}.`
      : "We could not finish that just now and nothing was changed. Please try again in a moment.",
};

const seconds = (count: number) => `${count} second${count === 1 ? "" : "s"}`;

/**
 * A page's own read that failed for a while only (429: too many requests from this connection;
 * 503: a part of Booking Rush is down) and that the page tries again by itself: what happened,
 * and that nothing is needed from the buyer.
 */
function retryingMessage(error: ErrorFacts, inSeconds: number): string {
  const why =
    error.status === 429
      ? "Booking Rush is getting too many requests from your connection just now."
      : "Part of Booking Rush is not answering just now.";
  return `${why} We will try again by ourselves in ${seconds(inSeconds)}; you need not reload the page.`;
}

export const knownCodes = Object.keys(messages) as ErrorCode[];

/** The message a buyer reads for an error answer, by its code; by its status for a code we do not know. */
export function messageFor(error: ErrorFacts): string {
  if (error.retryingInSeconds !== undefined && (error.status === 429 || error.status === 503))
    return retryingMessage(error, error.retryingInSeconds);
  const byCode = messages[error.code as ErrorCode];
  if (byCode) return byCode(error);
  if (error.status === 0) return "We could not reach Booking Rush. Check your connection and try again; nothing was changed.";
  if (error.status >= 500) return messages.INTERNAL_ERROR(error);
  return "That did not work. Please try again.";
}
