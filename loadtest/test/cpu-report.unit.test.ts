/**
 * The benchmark's second table (loadtest/bench/cpu-report.ts): the parsers of /proc/<pid>/stat,
 * Redis 7's INFO cpu, commandstats and replication, and of Bun's --cpu-prof-md profile, each on
 * the real format (this process's own /proc line, a profile Bun writes here) as well as on
 * captured text; and the tables they make.
 */
import { describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  formatHotFunctions,
  formatUsageTable,
  type LegUsage,
  parseCommandStats,
  parseHotFunctions,
  parseReplicaAddresses,
  procStatCpuSeconds,
  redisCpuSeconds,
} from "../bench/cpu-report";

// Redis 7.0 separates lines with \r\n.
const infoCpu = [
  "# CPU",
  "used_cpu_sys:12.250000",
  "used_cpu_user:30.500000",
  "used_cpu_sys_children:4.000000",
  "used_cpu_user_children:8.000000",
  "used_cpu_sys_main_thread:11.000000",
  "used_cpu_user_main_thread:29.000000",
  "",
].join("\r\n");

const infoCommandStats = [
  "# Commandstats",
  "cmdstat_evalsha:calls=12000,usec=660000,usec_per_call=55.00,rejected_calls=0,failed_calls=0",
  "cmdstat_wait:calls=1500,usec=3000,usec_per_call=2.00,rejected_calls=0,failed_calls=0",
  "cmdstat_get:calls=12000,usec=12000,usec_per_call=1.00,rejected_calls=0,failed_calls=0",
  "cmdstat_config|resetstat:calls=1,usec=20,usec_per_call=20.00,rejected_calls=0,failed_calls=0",
  "",
].join("\r\n");

const infoReplication = [
  "# Replication",
  "role:master",
  "connected_slaves:2",
  "min_slaves_good_slaves:2",
  "slave0:ip=127.0.0.1,port=7681,state=online,offset=93381,lag=0",
  "slave1:ip=127.0.0.1,port=7682,state=online,offset=93381,lag=1",
  "master_failover_state:no-failover",
  "",
].join("\r\n");

describe("procStatCpuSeconds", () => {
  test("adds utime and stime (fields 14 and 15) in clock ticks, after a command name with spaces and parentheses", () => {
    const stat = "4242 (bun (x) y) S 1 4242 4242 0 -1 4194560 9000 0 12 0 1500 320 7 3 20 0 9 0 12345 0 0\n";
    expect(procStatCpuSeconds(stat)).toBeCloseTo(18.2, 9);
    expect(procStatCpuSeconds(stat, 1000)).toBeCloseTo(1.82, 9);
    expect(() => procStatCpuSeconds("4242 (bun) S 1")).toThrow("not a /proc/<pid>/stat line");
  });

  test("reads this process's own /proc line as the kernel accounts it (process.cpuUsage, the same counters)", () => {
    const read = () => procStatCpuSeconds(readFileSync("/proc/self/stat", "utf8"));
    const startProc = read();
    const start = process.cpuUsage();
    // Burn 200 ms of CPU (bounded: 10 s of wall time at most on a loaded machine).
    const deadline = Date.now() + 10_000;
    let spent = 0;
    while (spent < 0.2 && Date.now() < deadline) {
      for (let index = 0; index < 100_000; index += 1) Math.sqrt(index);
      const usage = process.cpuUsage(start);
      spent = (usage.user + usage.system) / 1e6;
    }
    const procSpent = read() - startProc;
    expect(spent).toBeGreaterThanOrEqual(0.2);
    // Ticks of 10 ms at each end; the test's other threads may add a little on either reading.
    expect(Math.abs(procSpent - spent)).toBeLessThan(0.05);
  });
});

describe("Redis INFO", () => {
  test("redisCpuSeconds is used_cpu_user + used_cpu_sys (not the children's, not the main thread's alone)", () => {
    expect(redisCpuSeconds(infoCpu)).toBeCloseTo(42.75, 9);
    expect(() => redisCpuSeconds("# CPU\r\nused_cpu_sys:1.0\r\n")).toThrow("no used_cpu_user");
  });

  test("parseCommandStats reads calls and µs per command, subcommands by their full name", () => {
    expect(parseCommandStats(infoCommandStats)).toEqual({
      evalsha: { calls: 12_000, usec: 660_000 },
      wait: { calls: 1500, usec: 3000 },
      get: { calls: 12_000, usec: 12_000 },
      "config|resetstat": { calls: 1, usec: 20 },
    });
    expect(parseCommandStats("# Commandstats\r\n")).toEqual({});
  });

  test("parseReplicaAddresses lists the replicas of INFO replication", () => {
    expect(parseReplicaAddresses(infoReplication)).toEqual([
      { host: "127.0.0.1", port: 7681 },
      { host: "127.0.0.1", port: 7682 },
    ]);
    expect(parseReplicaAddresses("# Replication\r\nrole:master\r\nconnected_slaves:0\r\n")).toEqual([]);
  });
});

describe("formatUsageTable", () => {
  const full: LegUsage = {
    name: "full path",
    answered: 12_000,
    apiSeconds: 3.6,
    loadGeneratorSeconds: 0.3,
    masterSeconds: 1.5,
    replicaSeconds: { "127.0.0.1:7681": 0.48, "127.0.0.1:7682": 0.36 },
    commands: parseCommandStats(infoCommandStats),
  };
  const script: LegUsage = {
    name: "reserve.lua alone",
    answered: 50_000,
    loadGeneratorSeconds: 0.5,
    masterSeconds: 2.5,
    replicaSeconds: { "127.0.0.1:7681": 1 },
    commands: { evalsha: { calls: 50_000, usec: 2_000_000 }, hset: { calls: 50_000, usec: 100_000 } },
  };

  test("a row per leg: CPU µs per answered request, EVALSHA µs per call, WAITs and commands per request", () => {
    const lines = formatUsageTable([full, script]).split("\n");
    expect(lines).toHaveLength(3);
    const cells = (line: string) => line.split(/\s{2,}/);
    expect(cells(lines[0]!)).toEqual([
      "leg",
      "answered",
      "API",
      "load gen",
      "master",
      "replica :7681",
      "replica :7682",
      "EVALSHA µs/call",
      "WAIT/request",
      "commands/request",
    ]);
    // 3.6 s / 12,000 = 300 µs; 0.3 s = 25; 1.5 s = 125; 0.48 s = 40; 0.36 s = 30; 660,000 µs / 12,000 calls = 55.0;
    // 1,500 WAITs / 12,000 = 0.13; 25,501 commands / 12,000 = 2.1.
    expect(cells(lines[1]!)).toEqual(["full path", "12,000", "300", "25", "125", "40", "30", "55.0", "0.13", "2.1"]);
    // No API process, no second replica, no WAIT in that leg.
    expect(cells(lines[2]!)).toEqual(["reserve.lua alone", "50,000", "-", "10", "50", "20", "-", "40.0", "0.00", "2.0"]);
    // Numbers right-aligned: each column ends where its title does.
    const end = (line: string, cell: string) => line.lastIndexOf(cell) + cell.length;
    expect(end(lines[1]!, "55.0")).toBe(end(lines[0]!, "EVALSHA µs/call"));
    expect(end(lines[2]!, "40.0")).toBe(end(lines[0]!, "EVALSHA µs/call"));
  });

  test("a leg with no answer and no EVALSHA shows - instead of dividing by zero", () => {
    const row = formatUsageTable([{ ...full, answered: 0, commands: {} }]).split("\n")[1]!;
    expect(row.split(/\s{2,}/)).toEqual(["full path", "0", "-", "-", "-", "-", "-", "-", "-", "-"]);
  });
});

// A profile as Bun 1.4 writes it (--cpu-prof-md), trimmed.
const profile = `# CPU Profile

| Duration | Samples | Interval | Functions |
|----------|---------|----------|----------|
| 9.8s | 9000 | 1.0ms | 812 |

**Top 10:** \`writeBuffered\` 11.0%, \`stringify\` 4.2%

## Hot Functions (Self Time)

| Self% | Self | Total% | Total | Function | Location |
|------:|-----:|-------:|------:|----------|----------|
| 11.0% | 1.08s | 11.0% | 1.08s | \`writeBuffered\` | \`/repo/node_modules/ioredis/built/Redis.js:412\` |
| 4.2% | 411.6ms | 4.2% | 411.6ms | \`stringify\` | \`[native code]\` |
| 0.1% | 900us | 30.5% | 2.99s | \`(anonymous)\` | \`/repo/services/lib/src/clients/durable-scripts.ts:88\` |

## Call Tree (Total Time)

| Total% | Total | Self% | Self | Function | Location |
|-------:|------:|------:|-----:|----------|----------|
| 100.0% | 9.8s | 50.0% | 4.9s | \`(module)\` | \`/repo/services/all/bin/all.ts:1\` |
`;

describe("the CPU profile", () => {
  test("parseHotFunctions reads the Hot Functions table only, times in ms, largest self time first", () => {
    expect(parseHotFunctions(profile)).toEqual([
      { selfPercent: 11, selfMs: 1080, totalPercent: 11, name: "writeBuffered", location: "/repo/node_modules/ioredis/built/Redis.js:412" },
      { selfPercent: 4.2, selfMs: 411.6, totalPercent: 4.2, name: "stringify", location: "[native code]" },
      {
        selfPercent: 0.1,
        selfMs: 0.9,
        totalPercent: 30.5,
        name: "(anonymous)",
        location: "/repo/services/lib/src/clients/durable-scripts.ts:88",
      },
    ]);
    expect(() => parseHotFunctions("# CPU Profile\n")).toThrow("no Hot Functions (Self Time) table");
  });

  test("formatHotFunctions keeps the first N, with locations relative to the repository", () => {
    const lines = formatHotFunctions(parseHotFunctions(profile), "/repo", 2).split("\n");
    expect(lines).toHaveLength(3);
    expect(lines[0]!.trim().split(/\s{2,}/)).toEqual(["self", "self time", "total", "function", "location"]);
    expect(lines[1]!.trim().split(/\s{2,}/)).toEqual([
      "11.0%",
      "1080.0 ms",
      "11.0%",
      "writeBuffered",
      "node_modules/ioredis/built/Redis.js:412",
    ]);
    expect(lines[2]!.trim().split(/\s{2,}/)).toEqual(["4.2%", "411.6 ms", "4.2%", "stringify", "[native code]"]);
  });

  test("parses the profile this Bun writes (--cpu-prof-md), where a busy function is the hottest", async () => {
    const directory = mkdtempSync(join(tmpdir(), "bench-cpu-profile-"));
    try {
      writeFileSync(
        join(directory, "busy.js"),
        "function busyBenchFunction() { let sum = 0; for (let i = 0; i < 1e6; i++) sum += Math.sqrt(i); return sum; }\n" +
          "const end = Date.now() + 300; while (Date.now() < end) busyBenchFunction();\n",
      );
      const child = Bun.spawn(
        [process.execPath, "--cpu-prof-md", `--cpu-prof-dir=${directory}`, "--cpu-prof-name=busy.md", join(directory, "busy.js")],
        { stdout: "ignore", stderr: "pipe" },
      );
      const timer = setTimeout(() => child.kill("SIGKILL"), 30_000);
      await child.exited;
      clearTimeout(timer);
      expect(child.exitCode).toBe(0);
      const hot = parseHotFunctions(readFileSync(join(directory, "busy.md"), "utf8"));
      expect(hot.length).toBeGreaterThan(0);
      // The hottest: a JIT-compiled frame may come without its line.
      expect(hot[0]!.name).toBe("busyBenchFunction");
      expect(hot[0]!.location).toMatch(new RegExp(`^${join(directory, "busy\\.js")}(:1)?$`));
      expect(hot[0]!.selfMs).toBeGreaterThan(0);
      expect(formatHotFunctions(hot, directory)).toMatch(/busyBenchFunction\s+busy\.js(:1)?$/m);
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });
});
