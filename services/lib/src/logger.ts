/**
 * JSON-lines logger. Every line carries level, time, service, msg and, when known, the trace,
 * span and request ids, so a log line can be found from a trace and the other way round.
 */
import { trace } from "@opentelemetry/api";
import { postgresErrorOf } from "./data/postgres-errors";

export type LogLevel = "debug" | "info" | "warn" | "error";
const levelRank: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

/** Keys whose values are never written, at any depth. */
const sensitiveKey = /pass(word)?|secret|token|authorization|cookie|api[-_]?key|credential|^dsn$/i;
const redacted = "[redacted]";
/** user:password@ in URLs (database, redis) found inside free text. */
const credentialsInUrl = /(\b[a-z][a-z0-9+.-]*:\/\/)([^\s:@/]*):([^\s@/]*)@/gi;

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
  child(bindings: Record<string, unknown>): Logger;
}

export interface LoggerOptions {
  service: string;
  level?: LogLevel;
  /** Where lines go; stdout by default. Tests pass their own to read what was written. */
  write?: (line: string) => void;
  /** Values (e.g. configured passwords) that must never appear in a line, whatever key holds them. */
  secrets?: string[];
}

export function createLogger(options: LoggerOptions, bindings: Record<string, unknown> = {}): Logger {
  const threshold = levelRank[options.level ?? "info"];
  const write = options.write ?? ((line: string) => process.stdout.write(`${line}\n`));
  const secrets = (options.secrets ?? []).filter((value) => value.length >= 4);

  const log = (level: LogLevel, msg: string, fields?: Record<string, unknown>) => {
    if (levelRank[level] < threshold) return;
    const span = trace.getActiveSpan()?.spanContext();
    const entry = {
      level,
      time: new Date().toISOString(),
      service: options.service,
      msg,
      // Present on every line (null when unknown) so log queries can rely on the fields.
      trace_id: span?.traceId ?? null,
      span_id: span?.spanId ?? null,
      request_id: null as unknown,
      ...bindings,
      ...fields,
    };
    let line = JSON.stringify(redact(entry, 0));
    for (const value of secrets) line = line.replaceAll(value, redacted);
    write(line);
  };

  return {
    debug: (msg, fields) => log("debug", msg, fields),
    info: (msg, fields) => log("info", msg, fields),
    warn: (msg, fields) => log("warn", msg, fields),
    error: (msg, fields) => log("error", msg, fields),
    child: (more) => createLogger(options, { ...bindings, ...more }),
  };
}

function redact(value: unknown, depth: number): unknown {
  if (depth > 8) return "[too deep]";
  if (typeof value === "string") return value.replace(credentialsInUrl, `$1$2:${redacted}@`);
  if (value instanceof Error)
    return databaseError(value) ?? { name: value.name, message: redact(value.message, depth + 1), stack: value.stack };
  if (Array.isArray(value)) return value.map((item) => redact(item, depth + 1));
  if (value && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      out[key] = sensitiveKey.test(key) && item !== undefined ? redacted : redact(item, depth + 1);
    }
    return out;
  }
  return value;
}

/**
 * A name for a statement without its text: verb and first table (`insert into events`,
 * `select from bookings`). The text itself stays out of the log because drizzle's error message
 * carries the bound values with it (a buyer's e-mail, a payment's ids).
 */
export function queryName(sql: string): string {
  const verb = /^\s*(with|select|insert|update|delete)\b/i.exec(sql)?.[1]?.toLowerCase() ?? "statement";
  const table = /\b(?:from|into|update|join)\s+"?([A-Za-z_][\w.]*)"?/i.exec(sql)?.[1];
  return table ? `${verb} ${verb === "insert" ? "into" : verb === "update" ? "" : "from"} ${table}`.replace(/\s+/g, " ") : verb;
}

/**
 * A database failure as it may be logged: SQLSTATE, the query's name and where it failed (table,
 * constraint, column, routine), plus the stack frames; never the message, the detail or the SQL,
 * which carry the values of the statement (PostgreSQL quotes the offending value, drizzle lists the
 * parameters).
 */
function databaseError(error: Error): Record<string, unknown> | undefined {
  const postgres = postgresErrorOf(error);
  if (!postgres) return undefined;
  const text = [error, postgres].map((candidate) => (candidate as { query?: unknown }).query).find((query) => typeof query === "string") as
    | string
    | undefined;
  const frames = (error.stack ?? "")
    .split("\n")
    .filter((line) => /^\s+at /.test(line))
    .join("\n");
  return {
    name: postgres.name,
    sql_state: postgres.code,
    query: text === undefined ? undefined : queryName(text),
    table: postgres.table_name,
    constraint: postgres.constraint_name,
    column: postgres.column_name,
    routine: postgres.routine,
    stack: frames,
  };
}
