/**
 * The buyer's date of birth: what an event's `min_age` is checked against, carried by every access
 * token issued while the profile has one (the `birthdate` claim, lib auth/access-token.ts).
 *
 * Given once: at registration or later with PUT /auth/me while it is unset; a different date after
 * that is refused (CONFLICT), so a buyer cannot edit their age to pass an event's limit. Because it
 * never changes once set, a token issued before it was set simply has none (reserving for an
 * age-restricted event asks for it), and no token can carry a date the profile no longer has.
 *
 * It is a buyer's personal data: never in a log line or an audit row (the audit records that it was
 * set, not the date).
 */

import { users } from "@booking-rush/db/schema";
import type { Transaction } from "@booking-rush/lib/data";
import { conflict, validationError } from "@booking-rush/lib/errors";
import { and, eq, isNull, or } from "drizzle-orm";

/** The oldest date of birth accepted, in years before today. */
export const oldestAgeYears = 130;

/** Today's date in UTC, `YYYY-MM-DD` (the day the booking scripts count an age on). */
const isoDay = (date: Date) => date.toISOString().slice(0, 10);

/**
 * A date of birth that passed the schema's format (a real calendar day) must also not be in the
 * future nor more than `oldestAgeYears` ago; else VALIDATION_ERROR naming the field. `YYYY-MM-DD`
 * strings compare as dates.
 */
export function checkDateOfBirth(dateOfBirth: string, now = new Date()): void {
  const today = isoDay(now);
  const oldest = new Date(now);
  oldest.setUTCFullYear(oldest.getUTCFullYear() - oldestAgeYears);
  const message =
    dateOfBirth > today
      ? "must not be in the future"
      : dateOfBirth < isoDay(oldest)
        ? `must be within the last ${oldestAgeYears} years`
        : null;
  if (message) throw validationError([{ in: "body", field: "date_of_birth", message }]);
}

/**
 * Sets the user's date of birth when it is unset (or already this date: a retry is no change), in
 * one conditional UPDATE, so two requests at once cannot both set different dates. CONFLICT when a
 * different date is already set.
 */
export async function setDateOfBirth(tx: Transaction, userId: string, dateOfBirth: string) {
  const [updated] = await tx
    .update(users)
    .set({ dateOfBirth })
    .where(and(eq(users.id, userId), or(isNull(users.dateOfBirth), eq(users.dateOfBirth, dateOfBirth))))
    .returning();
  if (!updated) throw conflict("The date of birth is already set and cannot be changed", { field: "date_of_birth" });
  return updated;
}
