/**
 * Schema pieces shared by routes. Elysia's own `t.Integer` also accepts numeric strings (it is
 * built for query strings); in a JSON body "2" is a wrong type and must be rejected, so bodies use
 * `jsonInteger`. Query and path parameters keep Elysia's coercing types.
 */
import { FormatRegistry, type IntegerOptions, type StringOptions, Type } from "@sinclair/typebox";

export const jsonInteger = (options: IntegerOptions = {}) => Type.Integer(options);

export const uuid = (options: { description?: string } = {}) => Type.String({ format: "uuid", ...options });

/** An RFC 9562 UUID (a version 1-8 and the variant, or the nil and max UUIDs): what Zod's `uuid()` accepts. */
const uuidPattern =
  /^([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[1-8][0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}|00000000-0000-0000-0000-000000000000|ffffffff-ffff-ffff-ffff-ffffffffffff)$/;

export const isUuid = (value: string) => uuidPattern.test(value);

// PostgreSQL cannot store U+0000 in text (it answers 22021), so no string that may reach it carries
// one. One-line fields (names, titles) refuse every control character; multi-line text keeps tab,
// line feed and carriage return.
const oneLinePattern = "^[^\\u0000-\\u001f\\u007f]*$";
const multiLinePattern = "^[^\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f]*$";

/** A one-line text field: any characters but control characters (NUL included). */
export const oneLineText = (options: Omit<StringOptions, "pattern"> = {}) => Type.String({ ...options, pattern: oneLinePattern });

/** A multi-line text field: any characters but NUL and control characters other than tab and line breaks. */
export const multiLineText = (options: Omit<StringOptions, "pattern"> = {}) => Type.String({ ...options, pattern: multiLinePattern });

/**
 * RFC 3339 date-time, strictly: a four-digit year, a day that exists (`2027-02-30` does not), an
 * explicit offset, and an instant between 0001-01-01 and 9999-12-31 UTC (PostgreSQL's timestamptz and
 * JavaScript's Date both hold it, so a valid value can never fail further down).
 * Replaces Elysia's looser `date-time` check (it accepts `+275760-09-13T00:00:00Z` and rolls
 * `2027-02-30` over to March 2) for every schema that uses the format, requests and responses.
 */
const rfc3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?([Zz]|[+-](\d{2}):(\d{2}))$/;
const earliest = Date.UTC(1, 0, 1);
const latest = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

export function isDateTime(value: string): boolean {
  const match = rfc3339.exec(value);
  if (!match) return false;
  const [year, month, day, hour, minute, second] = match.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  const offsetHours = match[9] === undefined ? 0 : Number(match[9]);
  const offsetMinutes = match[10] === undefined ? 0 : Number(match[10]);
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59 || offsetHours > 23 || offsetMinutes > 59) return false;
  if (day > daysIn(year, month)) return false;
  const instant = Date.parse(value);
  return !Number.isNaN(instant) && instant >= earliest && instant <= latest;
}

const isLeapYear = (year: number) => year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);

const daysIn = (year: number, month: number) =>
  new Date(Date.UTC(2000, month, 0)).getUTCDate() - (month === 2 && !isLeapYear(year) ? 1 : 0);

/**
 * RFC 3339 full-date `YYYY-MM-DD`, strictly: a four-digit year from 0001 and a day that exists
 * (`2007-02-29` does not). A date of birth, and the OIDC `birthdate` claim that carries it.
 */
export function isCalendarDate(value: string): boolean {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!match) return false;
  const [year, month, day] = match.slice(1, 4).map(Number) as [number, number, number];
  return year >= 1 && month >= 1 && month <= 12 && day >= 1 && day <= daysIn(year, month);
}

/**
 * The string formats every schema of the platform is checked with. @elysiajs/openapi registers its
 * own `uuid` (and others) when it is imported, and each of its checks builds a new Zod schema: a
 * third of the reserve path's CPU (docs/performance.md). http/openapi.ts calls this again after
 * importing it, so these stay the ones in force whatever the import order; `uuid` accepts exactly
 * what the plugin's did.
 */
export function registerFormats() {
  FormatRegistry.Set("date-time", isDateTime);
  FormatRegistry.Set("date", isCalendarDate);
  FormatRegistry.Set("uuid", isUuid);
}

registerFormats();

/** A calendar date field, `YYYY-MM-DD` (see isCalendarDate). */
export const calendarDate = (options: Omit<StringOptions, "format"> = {}) => Type.String({ ...options, format: "date" });

/** A date-time field (see isDateTime). */
export const dateTime = (options: Omit<StringOptions, "format"> = {}) => Type.String({ ...options, format: "date-time" });

/**
 * The W3C `traceparent` header: optional, and a value that is not valid is ignored (never refused),
 * as the Trace Context spec asks; `currentTraceparent` passes on only a valid one.
 */
export const traceparentHeader = Type.Optional(Type.String({ description: "W3C trace context; ignored when not valid" }));
