/**
 * The booking scripts answer {'ok'|'replay', json} or {'error', code, details json}; this turns
 * an error reply into the domain error of the API contract.
 */
import { AppError, type ErrorCode, errorStatus, rateLimited } from "@booking-rush/lib/errors";

export type ScriptReply = [status: "ok" | "replay", json: string] | [status: "error", code: string, details: string];

const messages: Partial<Record<ErrorCode, string>> = {
  NOT_FOUND: "Not found",
  BOOKING_NOT_OPEN: "Booking is not open for this event",
  MAX_PER_USER_EXCEEDED: "This would pass the event's limit of tickets per person",
  INSUFFICIENT_STOCK: "Not enough seats left",
  SEAT_UNAVAILABLE: "Some of the chosen seats are taken",
  IDEMPOTENCY_KEY_REUSED: "This Idempotency-Key was used with a different request",
  RESERVATION_EXPIRED: "The hold expired before it was confirmed",
  CONFLICT: "The booking is not in a state that allows this",
  VALIDATION_ERROR: "The request is not valid",
  QUEUE_REQUIRED: "This sale has a waiting room: reserve with the queue pass it gave you (X-Queue-Pass)",
};

export function scriptError(code: string, detailsJson: string): AppError {
  const details = JSON.parse(detailsJson) as Record<string, unknown>;
  if (code === "RATE_LIMITED") return rateLimited(Number(details.retry_after_ms) / 1000);
  if (code === "VALIDATION_ERROR") {
    return new AppError("VALIDATION_ERROR", messages.VALIDATION_ERROR!, {
      fields: [{ in: "body", field: details.field, message: details.message }],
    });
  }
  if (code === "NOT_FOUND") return new AppError("NOT_FOUND", `${String(details.resource ?? "resource")} not found`);
  if (!(code in errorStatus)) return new AppError("INTERNAL_ERROR", "Something went wrong on our side");
  const known = code as ErrorCode;
  return new AppError(known, messages[known] ?? known, Object.keys(details).length > 0 ? details : undefined);
}

/** The JSON of a successful reply, or the reply's domain error thrown. */
export function unwrap<T>(reply: ScriptReply): { replayed: boolean; value: T } {
  if (reply[0] === "error") throw scriptError(reply[1], reply[2]);
  return { replayed: reply[0] === "replay", value: JSON.parse(reply[1]) as T };
}

/**
 * What a reserve must wait for the replicas on: a new hold, and a replay too. A replay is answered
 * from the first attempt's record, which may be what a 503 (its WAIT timed out) left unreplicated;
 * its index writes (reservations.ts) are waited for, and a WAIT covers everything the master wrote
 * before them, so the retry's 201 also waits until the replicas have the hold. Refusals wrote nothing.
 */
export const holdToAcknowledge = (reply: ScriptReply) => reply[0] !== "error";
