/**
 * The reserve benchmark's second table, what each leg cost: the CPU each process used per
 * answered request (the API process and the load generator from the kernel's accounting, the
 * Redis master and every replica from their INFO cpu) and the master's INFO commandstats of the
 * leg; and the top of a Bun CPU profile (--cpu-prof-md). Pure functions
 * (loadtest/test/cpu-report.unit.test.ts); cpu-meter.ts takes the readings.
 */
import { formatTable, thousands } from "./report";

/**
 * utime + stime of a /proc/<pid>/stat line (fields 14 and 15, every thread of the process), in
 * seconds. Clock ticks are USER_HZ, 100 on Linux whatever the kernel's HZ.
 */
export function procStatCpuSeconds(stat: string, ticksPerSecond = 100): number {
  // Field 2, the command name, is in parentheses and may hold spaces: count from after the last ")".
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const [utime, stime] = [Number(fields[11]), Number(fields[12])];
  if (!Number.isFinite(utime) || !Number.isFinite(stime)) throw new Error(`not a /proc/<pid>/stat line: ${stat.slice(0, 80)}`);
  return (utime + stime) / ticksPerSecond;
}

/** used_cpu_user + used_cpu_sys of INFO cpu: the server process's CPU seconds (its threads; not its forked children's). */
export function redisCpuSeconds(info: string): number {
  const field = (name: string) => {
    const value = new RegExp(`^${name}:([\\d.]+)`, "m").exec(info)?.[1];
    if (value === undefined) throw new Error(`INFO cpu has no ${name}`);
    return Number(value);
  };
  return field("used_cpu_user") + field("used_cpu_sys");
}

export interface CommandStat {
  calls: number;
  usec: number;
}

/** INFO commandstats by command ("evalsha", "config|resetstat"); a script's own commands count under their names. */
export function parseCommandStats(info: string): Record<string, CommandStat> {
  const stats: Record<string, CommandStat> = {};
  for (const [, name, calls, usec] of info.matchAll(/^cmdstat_(\S+?):calls=(\d+),usec=(\d+)/gm)) {
    stats[name!] = { calls: Number(calls), usec: Number(usec) };
  }
  return stats;
}

/** The replicas an INFO replication of a master lists (slaveN:ip=...,port=...). */
export function parseReplicaAddresses(info: string): { host: string; port: number }[] {
  return [...info.matchAll(/^slave\d+:ip=([^,\s]+),port=(\d+)/gm)].map(([, host, port]) => ({ host: host!, port: Number(port) }));
}

/** What one leg cost, in CPU seconds over the leg (undefined: the leg has no such process) and the master's commands. */
export interface LegUsage {
  name: string;
  answered: number;
  apiSeconds?: number;
  loadGeneratorSeconds?: number;
  masterSeconds: number;
  /** By replica address, "host:port". */
  replicaSeconds: Record<string, number>;
  commands: Record<string, CommandStat>;
}

const replicaTitle = (address: string) => `replica ${address.replace(/^(127\.0\.0\.1|localhost):/, ":")}`;

/**
 * One row per leg: CPU µs per answered request of the API process, the load generator, the master
 * and each replica (a column per replica address any leg saw); EVALSHA µs per call, WAIT calls and
 * every command the master ran (its scripts' own included) per answered request. "-" where a leg
 * has no such process or no such command.
 */
export function formatUsageTable(legs: LegUsage[]): string {
  const replicas = [...new Set(legs.flatMap((leg) => Object.keys(leg.replicaSeconds)))].sort();
  const header = [
    "leg",
    "answered",
    "API",
    "load gen",
    "master",
    ...replicas.map(replicaTitle),
    "EVALSHA µs/call",
    "WAIT/request",
    "commands/request",
  ];
  const rows = legs.map((leg) => {
    const perRequest = (seconds: number | undefined) =>
      seconds === undefined || leg.answered === 0 ? "-" : Math.round((seconds * 1e6) / leg.answered).toLocaleString("en-US");
    const evalsha = leg.commands.evalsha;
    const allCalls = Object.values(leg.commands).reduce((sum, stat) => sum + stat.calls, 0);
    const ratio = (count: number, digits: number) => (leg.answered === 0 ? "-" : (count / leg.answered).toFixed(digits));
    return [
      leg.name,
      thousands(leg.answered),
      perRequest(leg.apiSeconds),
      perRequest(leg.loadGeneratorSeconds),
      perRequest(leg.masterSeconds),
      ...replicas.map((address) => perRequest(leg.replicaSeconds[address])),
      evalsha && evalsha.calls > 0 ? (evalsha.usec / evalsha.calls).toFixed(1) : "-",
      ratio(leg.commands.wait?.calls ?? 0, 2),
      ratio(allCalls, 1),
    ];
  });
  return formatTable(header, rows, [0]);
}

export interface HotFunction {
  selfPercent: number;
  selfMs: number;
  totalPercent: number;
  name: string;
  location: string;
}

const durationMs = (text: string) => {
  const [, value, unit] = /^([\d.]+)(us|µs|ms|s)$/.exec(text) ?? [];
  if (value === undefined) throw new Error(`not a duration: ${text}`);
  return Number(value) * (unit === "s" ? 1000 : unit === "ms" ? 1 : 0.001);
};

/**
 * The rows of the "Hot Functions (Self Time)" table of a Bun --cpu-prof-md profile, by self time,
 * largest first: `| Self% | Self | Total% | Total | Function | Location |`, the last two in backquotes.
 */
export function parseHotFunctions(markdown: string): HotFunction[] {
  const section = markdown.split(/^## Hot Functions \(Self Time\)\s*$/m)[1]?.split(/^## /m)[0];
  if (section === undefined) throw new Error("the profile has no Hot Functions (Self Time) table");
  const rows: HotFunction[] = [];
  const row = /^\|\s*([\d.]+)%\s*\|\s*(\S+)\s*\|\s*([\d.]+)%\s*\|\s*\S+\s*\|\s*`(.*)`\s*\|\s*`(.*)`\s*\|\s*$/gm;
  for (const [, selfPercent, self, totalPercent, name, location] of section.matchAll(row)) {
    rows.push({
      selfPercent: Number(selfPercent),
      selfMs: durationMs(self!),
      totalPercent: Number(totalPercent),
      name: name!,
      location: location!,
    });
  }
  return rows.sort((a, b) => b.selfMs - a.selfMs);
}

/** The first `limit` hot functions as a table; locations under `root` relative to it. */
export function formatHotFunctions(functions: HotFunction[], root: string, limit = 15): string {
  const prefix = `${root.replace(/\/$/, "")}/`;
  const rows = functions
    .slice(0, limit)
    .map((fn) => [
      `${fn.selfPercent.toFixed(1)}%`,
      `${fn.selfMs.toFixed(1)} ms`,
      `${fn.totalPercent.toFixed(1)}%`,
      fn.name,
      fn.location.startsWith(prefix) ? fn.location.slice(prefix.length) : fn.location,
    ]);
  return formatTable(["self", "self time", "total", "function", "location"], rows, [3, 4]);
}
