/** How amounts, times and seats read in an e-mail. */

/** Minor units as the currency's own amount, e.g. 600000 THB → "THB 6,000.00", 1500 JPY → "¥1,500". */
export function formatMoney(minorUnits: number, currency: string): string {
  const format = new Intl.NumberFormat("en-US", { style: "currency", currency });
  const digits = format.resolvedOptions().maximumFractionDigits ?? 2;
  return format.format(minorUnits / 10 ** digits);
}

export function formatTime(time: Date | number, timeZone: string): string {
  const text = new Intl.DateTimeFormat("en-GB", { dateStyle: "full", timeStyle: "short", timeZone }).format(time);
  return `${text} (${timeZone})`;
}

export function formatSeats(seats: { rowLabel: string; seatNumber: number }[]): string {
  if (seats.length === 0) return "General admission (no assigned seats)";
  return seats.map((seat) => `Row ${seat.rowLabel}, seat ${seat.seatNumber}`).join("; ");
}
