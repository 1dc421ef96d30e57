/** Calendar days (UTC, `YYYY-MM-DD`) relative to today, for dates of birth. */

const isoDay = (date: Date) => date.toISOString().slice(0, 10);

/**
 * The day `years` years before today (UTC), moved by `plusDays`. Someone born on `yearsAgo(18)`
 * turns 18 today; on `yearsAgo(18, 1)`, tomorrow. A 29 February that the earlier year lacks is its
 * 28 February, so the birthday is still today.
 */
export function yearsAgo(years: number, plusDays = 0, now = new Date()): string {
  const year = now.getUTCFullYear() - years;
  const lastDay = new Date(Date.UTC(year, now.getUTCMonth() + 1, 0)).getUTCDate();
  const day = new Date(Date.UTC(year, now.getUTCMonth(), Math.min(now.getUTCDate(), lastDay)));
  day.setUTCDate(day.getUTCDate() + plusDays);
  return isoDay(day);
}
