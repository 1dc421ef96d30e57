/**
 * The organizer pages' logic, without the DOM (unit-tested as it is): an event form's fields as the
 * body of POST /events or PUT /events/:id, a zone's rows, a VALIDATION_ERROR's messages per field,
 * the live sales figures (GET /admin/sales and its stream) as chart bars, and when they are stale.
 */

import type { LiveSales, ZoneSales } from "@booking-rush/booking/live-sales-figures";
import { ApiError } from "./api";
import type { EventSummary } from "./types";

/** The event as the organizer's pages read it: every field of POST /events and PUT /events/:id. */
export interface OrganizerEvent extends EventSummary {
  tenant_id: string;
  queue_paused: boolean;
  queue_rate_per_minute: number;
  queue_max_active: number;
  queue_pass_ttl_seconds: number;
  queue_order: "fifo" | "random";
  queue_opens_at: string | null;
  updated_at: string;
}

/** A `<input type="datetime-local">` value (local time, minutes) as ISO 8601 UTC; "" stays "". */
export function localToIso(local: string): string {
  if (!local) return "";
  const date = new Date(local);
  return Number.isNaN(date.getTime()) ? local : date.toISOString();
}

/** An ISO time as a `<input type="datetime-local">` value in the browser's time zone. */
export function isoToLocal(iso: string | null | undefined): string {
  if (!iso) return "";
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return "";
  const pad = (value: number) => String(value).padStart(2, "0");
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

/** A whole number typed in a form, or undefined when the field is empty (the server's default then). */
function wholeNumber(value: string): number | undefined {
  const trimmed = value.trim();
  // Not a number: sent as typed, so the server's VALIDATION_ERROR names the field.
  return trimmed === "" ? undefined : /^-?\d+$/.test(trimmed) ? Number(trimmed) : (trimmed as unknown as number);
}

/** The event form's named values (as FormData gives them) as the JSON body of POST /events or PUT /events/:id. */
export function eventBody(values: Record<string, string>): Record<string, unknown> {
  const body: Record<string, unknown> = {
    title: values.title ?? "",
    description: values.description ?? "",
    category: values.category ? values.category : null,
    venue: values.venue ?? "",
    booking_opens_at: localToIso(values.booking_opens_at ?? ""),
    booking_closes_at: localToIso(values.booking_closes_at ?? ""),
    queue_enabled: values.queue_enabled === "on",
    queue_opens_at: values.queue_opens_at ? localToIso(values.queue_opens_at) : null,
  };
  const minAge = wholeNumber(values.min_age ?? "");
  body.min_age = minAge === undefined || minAge === 0 ? null : minAge;
  for (const name of ["max_tickets_per_user", "waitlist_limit", "queue_rate_per_minute", "queue_max_active", "queue_pass_ttl_seconds"]) {
    const number = wholeNumber(values[name] ?? "");
    if (number !== undefined) body[name] = number;
  }
  if (values.queue_order === "fifo" || values.queue_order === "random") body.queue_order = values.queue_order;
  return body;
}

/** The values the event form shows for `event` before any change (its waiting-room fields only while the room is on). */
export function eventFormValues(event: OrganizerEvent): Record<string, string> {
  const values: Record<string, string> = {
    title: event.title,
    description: event.description,
    category: event.category ?? "",
    venue: event.venue,
    booking_opens_at: isoToLocal(event.booking_opens_at),
    booking_closes_at: isoToLocal(event.booking_closes_at),
    max_tickets_per_user: String(event.max_tickets_per_user),
    waitlist_limit: String(event.waitlist_limit),
    min_age: event.min_age === null ? "" : String(event.min_age),
  };
  if (!event.queue_enabled) return values;
  return {
    ...values,
    queue_enabled: "on",
    queue_rate_per_minute: String(event.queue_rate_per_minute),
    queue_max_active: String(event.queue_max_active),
    queue_pass_ttl_seconds: String(event.queue_pass_ttl_seconds),
    queue_order: event.queue_order,
    queue_opens_at: isoToLocal(event.queue_opens_at),
  };
}

/**
 * The body of PUT /events/:id: only what the organizer changed in the form. A time shown to the
 * minute is not sent back rounded when it was not touched; {} when nothing changed.
 */
export function changedEventBody(event: OrganizerEvent, values: Record<string, string>): Record<string, unknown> {
  const before = eventBody(eventFormValues(event));
  const after = eventBody(values);
  return Object.fromEntries(Object.entries(after).filter(([name, value]) => JSON.stringify(value) !== JSON.stringify(before[name])));
}

/**
 * An assigned zone's rows as typed, one row a line or comma-separated: `A 12` or `A: 12` is row A
 * with 12 seats. A line that does not read so is sent as it is, for the server to name.
 */
export function parseRows(text: string): { label: string; seats: number }[] {
  return text
    .split(/[\n,;]/)
    .map((line) => line.trim())
    .filter(Boolean)
    .map((line) => {
      const match = /^([^\s:=]+)\s*[:=]?\s*(\d+)$/.exec(line);
      return match ? { label: match[1]!, seats: Number(match[2]) } : { label: line, seats: 0 };
    });
}

/** A price typed in major units ("12.50") as minor units of a currency with `digits` decimals; NaN when it is not a price. */
export function priceToMinor(text: string, digits = 2): number {
  const trimmed = text.trim();
  if (!/^\d+(?:[.,]\d+)?$/.test(trimmed)) return Number.NaN;
  const [whole, fraction = ""] = trimmed.split(/[.,]/);
  if (fraction.length > digits) return Number.NaN;
  return Number(whole) * 10 ** digits + Number(fraction.padEnd(digits, "0") || "0");
}

/** A VALIDATION_ERROR's messages by the field's top name (`rows.2.seats` → `rows`), for inline errors; {} for any other error. */
export function fieldErrors(error: unknown): Record<string, string> {
  if (!(error instanceof ApiError) || error.code !== "VALIDATION_ERROR") return {};
  const fields = (error.details?.fields as { field?: string; message?: string }[] | undefined) ?? [];
  const byField: Record<string, string> = {};
  for (const { field, message } of fields) {
    if (!field) continue;
    const name = field.split(".")[0]!;
    byField[name] = byField[name] ? `${byField[name]}; ${message ?? "not valid"}` : (message ?? "not valid");
  }
  return byField;
}

/** The figures of GET /admin/sales, each `data:` of its stream: the booking service's own types. */
export type { LiveSales, ZoneSales };

export interface ChartBar {
  minute: string;
  tickets: number;
  /** Height as a share of the tallest bar, 0..1 (all 0 when nothing sold). */
  share: number;
}

/** The last hour's sales per minute as bars scaled to the busiest minute, oldest first. */
export function salesChart(minutes: LiveSales["sales_per_minute"]): { bars: ChartBar[]; peak: number; total: number } {
  const peak = minutes.reduce((most, minute) => Math.max(most, minute.tickets), 0);
  const total = minutes.reduce((sum, minute) => sum + minute.tickets, 0);
  return {
    bars: minutes.map((minute) => ({ minute: minute.minute, tickets: minute.tickets, share: peak === 0 ? 0 : minute.tickets / peak })),
    peak,
    total,
  };
}

/** The stream sends every few seconds (and a keep-alive when nothing changed): figures this old, or a dropped stream, are stale. */
export const staleAfterMs = 15_000;

export function isStale(lastReceivedAt: number | null, connected: boolean, now: number): boolean {
  return !connected || lastReceivedAt === null || now - lastReceivedAt > staleAfterMs;
}
