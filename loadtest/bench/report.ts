/**
 * What the reserve benchmark reads from its load generators and prints: parsers of wrk's output
 * (the BENCH-* lines of loadtest/wrk-reserve.lua's done()) and of redis-benchmark's, and the
 * report's table, ratios and verdict lines. Pure functions (loadtest/test/bench-report.unit.test.ts).
 */

export interface LegResult {
  name: string;
  requests: number;
  seconds: number;
  /** Requests per second, answered or not. */
  rate: number;
  p50Ms: number;
  p99Ms: number;
  p999Ms: number;
  /** Answers by HTTP status, with the error code when the body had one ("409 INSUFFICIENT_STOCK"); empty for redis-benchmark. */
  statuses: Record<string, number>;
  /** Requests that got no answer: connect, read and write errors and timeouts. */
  unanswered: number;
  /** Requests that got an answer (wrk: every status counted; redis-benchmark: every call), what the CPU per request divides by. */
  answered: number;
}

const wrkResultLine = /^BENCH-RESULT (.*)$/m;
const wrkStatusLines = /^BENCH-STATUS (\d{3}(?: [\w-]+)?) (\d+)$/gm;

/** The BENCH-RESULT and BENCH-STATUS lines of wrk-reserve.lua's done(); throws when they are missing. */
export function parseWrkReport(name: string, output: string): LegResult {
  const line = wrkResultLine.exec(output)?.[1];
  if (line === undefined) throw new Error(`${name}: wrk printed no BENCH-RESULT line`);
  const fields = Object.fromEntries(
    line
      .trim()
      .split(/\s+/)
      .map((pair) => {
        const [key, value] = pair.split("=");
        return [key, Number(value)];
      }),
  ) as Record<string, number>;
  for (const key of ["requests", "duration_us", "connect", "read", "write", "timeout", "p50_us", "p99_us", "p999_us"]) {
    if (!Number.isFinite(fields[key])) throw new Error(`${name}: BENCH-RESULT has no number for ${key}: ${line}`);
  }
  const statuses: Record<string, number> = {};
  for (const [, key, count] of output.matchAll(wrkStatusLines)) statuses[key!] = (statuses[key!] ?? 0) + Number(count);
  const seconds = fields.duration_us! / 1e6;
  return {
    name,
    requests: fields.requests!,
    seconds,
    rate: seconds > 0 ? fields.requests! / seconds : 0,
    p50Ms: fields.p50_us! / 1000,
    p99Ms: fields.p99_us! / 1000,
    p999Ms: fields.p999_us! / 1000,
    statuses,
    unanswered: fields.connect! + fields.read! + fields.write! + fields.timeout!,
    answered: Object.values(statuses).reduce((sum, count) => sum + count, 0),
  };
}

/**
 * redis-benchmark's default (not -q) output for one command: "N requests completed in S seconds",
 * the "throughput summary", the summary's p50 and p99, and p99.9 as the first line of its
 * "Latency by percentile distribution" at or above 99.9% (it prints 99.902%, 99.951%, ...: an
 * upper bound, as redis-benchmark measures it).
 */
export function parseRedisBenchmark(name: string, output: string): LegResult {
  const text = output.replace(/\r/g, "\n");
  const completed = /(\d+) requests completed in ([\d.]+) seconds/.exec(text);
  const rate = /throughput summary: ([\d.]+) requests per second/.exec(text);
  const summary = /avg\s+min\s+p50\s+p95\s+p99\s+max\s*\n\s*([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)/.exec(text);
  if (!completed || !rate || !summary) throw new Error(`${name}: redis-benchmark printed no summary (is it redis-benchmark 7?)`);
  let p999Ms = Number(summary[6]);
  const distribution = text.split("Latency by percentile distribution:")[1]?.split("Cumulative distribution")[0] ?? "";
  for (const [, percent, ms] of distribution.matchAll(/([\d.]+)% <= ([\d.]+) milliseconds/g)) {
    if (Number(percent) >= 99.9) {
      p999Ms = Number(ms);
      break;
    }
  }
  return {
    name,
    requests: Number(completed[1]),
    seconds: Number(completed[2]),
    rate: Number(rate[1]),
    p50Ms: Number(summary[3]),
    p99Ms: Number(summary[5]),
    p999Ms,
    statuses: {},
    unanswered: 0,
    answered: Number(completed[1]),
  };
}

/** Answers of a status, whatever their error codes ("409" counts "409 INSUFFICIENT_STOCK" too). */
export const countOfStatus = (statuses: Record<string, number>, status: number) =>
  Object.entries(statuses)
    .filter(([key]) => key.split(" ")[0] === String(status))
    .reduce((sum, [, count]) => sum + count, 0);

/** "201 60123, 409 INSUFFICIENT_STOCK 12, 429 RATE_LIMITED 3", largest first. */
export function formatStatusMix(statuses: Record<string, number>): string {
  const entries = Object.entries(statuses).sort(([a, x], [b, y]) => y - x || a.localeCompare(b));
  return entries.length === 0 ? "-" : entries.map(([key, count]) => `${key} ${count}`).join(", ");
}

export const thousands = (value: number) => Math.round(value).toLocaleString("en-US");
const ms = (value: number) => `${value.toFixed(value < 10 ? 2 : 1)} ms`;

/**
 * A fixed-width table, columns two spaces apart: the `textColumns` (names, free text; by default
 * the first and the last) left-aligned, the numbers right-aligned.
 */
export function formatTable(header: string[], rows: string[][], textColumns = [0, header.length - 1]): string {
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, column) => (textColumns.includes(column) ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!)))
      .join("  ")
      .trimEnd();
  return [line(header), ...rows.map(line)].join("\n");
}

/** One row per leg with requests/s, p50, p99, p99.9 and the status mix. */
export function formatLegTable(legs: LegResult[]): string {
  const header = ["leg", "requests/s", "p50", "p99", "p99.9", "requests", "status mix"];
  const rows = legs.map((leg) => [
    leg.name,
    thousands(leg.rate),
    ms(leg.p50Ms),
    ms(leg.p99Ms),
    ms(leg.p999Ms),
    thousands(leg.requests),
    leg.unanswered > 0 ? `${formatStatusMix(leg.statuses)}, unanswered ${leg.unanswered}` : formatStatusMix(leg.statuses),
  ]);
  return formatTable(header, rows);
}

/** "0.39 (3,643 / 9,225 requests/s)"; "n/a" when the divisor is zero. */
export function formatRatio(numerator: number, denominator: number): string {
  if (!(denominator > 0)) return "n/a";
  return `${(numerator / denominator).toFixed(2)} (${thousands(numerator)} / ${thousands(denominator)} requests/s)`;
}

export interface Check {
  name: string;
  passed: boolean;
  detail: string;
}

/** "PASS no oversell: ..." lines, and whether every check passed. */
export function formatChecks(checks: Check[]): { text: string; passed: boolean } {
  return {
    text: checks.map((check) => `${check.passed ? "PASS" : "FAIL"} ${check.name}: ${check.detail}`).join("\n"),
    passed: checks.every((check) => check.passed),
  };
}

/**
 * Whether the store agrees with what the clients were told: every 201 is a hold (holds ≥ 201s),
 * and no more holds exist than 201s plus the requests whose answer nobody read: the unanswered ones
 * (errors, timeouts) and at most one in flight per connection when the load generator stopped.
 */
export function holdsMatchAnswers(holds: number, created: number, unanswered: number, inFlightAtStop: number): Check {
  const unread = unanswered + inFlightAtStop;
  const passed = holds >= created && holds <= created + unread;
  return {
    name: "nothing lost",
    passed,
    detail:
      `${holds} seats held in Redis for ${created} answers 201 ` +
      `(allowed: up to ${unread} more for ${unanswered} unanswered requests and ${inFlightAtStop} connections in flight at the stop)`,
  };
}
