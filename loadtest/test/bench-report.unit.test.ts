/**
 * The reserve benchmark's parsers and report (loadtest/bench/report.ts), on output captured from
 * real wrk and redis-benchmark runs on this machine, and the contract between wrk-reserve.lua's
 * done() and parseWrkReport.
 */
import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import {
  countOfStatus,
  formatChecks,
  formatLegTable,
  formatRatio,
  formatStatusMix,
  holdsMatchAnswers,
  type LegResult,
  parseRedisBenchmark,
  parseWrkReport,
} from "../bench/report";

const wrkOutput = `Running 5s test @ http://127.0.0.1:7141
  2 threads and 64 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency    12.44ms    8.07ms  77.75ms   80.68%
    Req/Sec     2.70k     1.13k    5.80k    69.00%
  27001 requests in 5.03s, 6.50MB read
  Non-2xx or 3xx responses: 21001
Requests/sec:   5366.31
Transfer/sec:      1.29MB
BENCH-RESULT requests=27001 duration_us=5031572 connect=0 read=2 write=1 timeout=3 p50_us=10498 p99_us=43466 p999_us=57203 max_us=77754
BENCH-STATUS 409 MAX_PER_USER_EXCEEDED 21001
BENCH-STATUS 201 6000
BENCH-STATUS 503 SERVICE_UNAVAILABLE 7
BENCH-STATUS 502 4
`;

// redis-benchmark 7 prints progress lines separated by \\r before the report.
const redisBenchmarkOutput = `EVALSHA b9d2 9 k1: rps=0.0 (overall: 0.0) avg_msec=-nan (overall: -nan)\r   \r====== EVALSHA b9d2 9 k1 ======
  5000 requests completed in 0.64 seconds
  50 parallel clients
  949 bytes payload
  keep alive: 1
  multi-thread: no

Latency by percentile distribution:
0.000% <= 0.839 milliseconds (cumulative count 1)
50.000% <= 6.143 milliseconds (cumulative count 2514)
99.805% <= 17.343 milliseconds (cumulative count 4991)
99.902% <= 18.447 milliseconds (cumulative count 4996)
99.951% <= 18.527 milliseconds (cumulative count 4998)
100.000% <= 18.591 milliseconds (cumulative count 5000)

Cumulative distribution of latencies:
0.000% <= 0.103 milliseconds (cumulative count 0)
99.820% <= 18.111 milliseconds (cumulative count 4991)
99.950% <= 18.300 milliseconds (cumulative count 4998)
100.000% <= 19.103 milliseconds (cumulative count 5000)

Summary:
  throughput summary: 7824.73 requests per second
  latency summary (msec):
          avg       min       p50       p95       p99       max
        6.297     0.832     6.143     9.823    14.687    18.591
`;

const leg = (overrides: Partial<LegResult>): LegResult => ({
  name: "leg",
  requests: 1000,
  seconds: 1,
  rate: 1000,
  p50Ms: 1,
  p99Ms: 2,
  p999Ms: 3,
  statuses: {},
  unanswered: 0,
  answered: 1000,
  ...overrides,
});

describe("parseWrkReport", () => {
  test("reads the done() lines: rate, percentiles in ms, statuses with codes, unanswered requests", () => {
    const result = parseWrkReport("baseline", wrkOutput);
    expect(result.name).toBe("baseline");
    expect(result.requests).toBe(27_001);
    expect(result.seconds).toBeCloseTo(5.031572, 6);
    expect(result.rate).toBeCloseTo(27_001 / 5.031572, 3);
    expect(result.p50Ms).toBeCloseTo(10.498, 6);
    expect(result.p99Ms).toBeCloseTo(43.466, 6);
    expect(result.p999Ms).toBeCloseTo(57.203, 6);
    expect(result.statuses).toEqual({ "201": 6000, "409 MAX_PER_USER_EXCEEDED": 21_001, "503 SERVICE_UNAVAILABLE": 7, "502": 4 });
    expect(result.unanswered).toBe(6);
    // Every answer counted by status; the CPU per request divides by it.
    expect(result.answered).toBe(6000 + 21_001 + 7 + 4);
  });

  test("fails loudly when wrk printed no result or a field is missing", () => {
    expect(() => parseWrkReport("full", "Running 5s test @ http://127.0.0.1:7140\n")).toThrow("no BENCH-RESULT line");
    expect(() => parseWrkReport("full", wrkOutput.replace("p99_us=43466 ", ""))).toThrow("no number for p99_us");
  });

  test("every field wrk-reserve.lua's done() prints is one parseWrkReport reads", () => {
    const lua = readFileSync(join(import.meta.dir, "..", "wrk-reserve.lua"), "utf8");
    const format = /"(BENCH-RESULT [^"]+)\\n"/.exec(lua)?.[1];
    expect(format).toBeDefined();
    let field = 0;
    const line = format!.replace(/%d/g, () => {
      field += 1;
      return String(field * 1000);
    });
    const statusFormat = /"(BENCH-STATUS %s %d)\\n"/.exec(lua)?.[1];
    expect(statusFormat).toBe("BENCH-STATUS %s %d");
    const result = parseWrkReport("contract", `${line}\nBENCH-STATUS 201 5\nBENCH-STATUS 409 INSUFFICIENT_STOCK 2\n`);
    // requests=1000 duration_us=2000 connect=3000 read=4000 write=5000 timeout=6000 p50_us=7000 p99_us=8000 p999_us=9000
    expect(result.requests).toBe(1000);
    expect(result.seconds).toBe(0.002);
    expect(result.unanswered).toBe(3000 + 4000 + 5000 + 6000);
    expect([result.p50Ms, result.p99Ms, result.p999Ms]).toEqual([7, 8, 9]);
    expect(result.statuses).toEqual({ "201": 5, "409 INSUFFICIENT_STOCK": 2 });
    expect(result.answered).toBe(7);
  });
});

describe("parseRedisBenchmark", () => {
  test("reads the summary and takes p99.9 from the first percentile line at or above 99.9%", () => {
    const result = parseRedisBenchmark("script", redisBenchmarkOutput);
    expect(result).toEqual({
      name: "script",
      requests: 5000,
      seconds: 0.64,
      rate: 7824.73,
      p50Ms: 6.143,
      p99Ms: 14.687,
      p999Ms: 18.447,
      statuses: {},
      unanswered: 0,
      answered: 5000,
    });
  });

  test("falls back to the maximum when the distribution has no line at 99.9%", () => {
    const withoutTail = redisBenchmarkOutput.replace(/^99\.9\d+% .*\n/gm, "").replace(/^100\.000% .*\n/gm, "");
    expect(parseRedisBenchmark("script", withoutTail).p999Ms).toBe(18.591);
  });

  test("fails loudly on output without a summary", () => {
    expect(() => parseRedisBenchmark("script", "NOAUTH Authentication required.\n")).toThrow("no summary");
  });
});

describe("status mix", () => {
  const statuses = { "201": 50, "409 INSUFFICIENT_STOCK": 7, "409 MAX_PER_USER_EXCEEDED": 3, "429 RATE_LIMITED": 7 };

  test("countOfStatus adds every error code of a status", () => {
    expect(countOfStatus(statuses, 201)).toBe(50);
    expect(countOfStatus(statuses, 409)).toBe(10);
    expect(countOfStatus(statuses, 500)).toBe(0);
  });

  test("formatStatusMix lists the largest first, ties by name", () => {
    expect(formatStatusMix(statuses)).toBe("201 50, 409 INSUFFICIENT_STOCK 7, 429 RATE_LIMITED 7, 409 MAX_PER_USER_EXCEEDED 3");
    expect(formatStatusMix({})).toBe("-");
  });
});

describe("the report", () => {
  test("formatLegTable aligns one row per leg with rate, percentiles, requests and the mix", () => {
    const table = formatLegTable([
      leg({ name: "full path", rate: 3643.4, p50Ms: 16.34, p99Ms: 40.81, p999Ms: 61.2, requests: 54_651, statuses: { "201": 54_651 } }),
      leg({ name: "script alone", rate: 18_012, p50Ms: 4.5, p99Ms: 9.87, p999Ms: 12, requests: 200_000, unanswered: 0 }),
      leg({ name: "baseline", rate: 9225, statuses: { "201": 10 }, unanswered: 3 }),
    ]);
    const lines = table.split("\n");
    expect(lines).toHaveLength(4);
    expect(lines[0]).toMatch(/^leg\s+requests\/s\s+p50\s+p99\s+p99\.9\s+requests\s+status mix$/);
    expect(lines[1]).toMatch(/^full path\s+3,643\s+16\.3 ms\s+40\.8 ms\s+61\.2 ms\s+54,651\s+201 54651$/);
    expect(lines[2]).toMatch(/^script alone\s+18,012\s+4\.50 ms\s+9\.87 ms\s+12\.0 ms\s+200,000\s+-$/);
    expect(lines[3]).toMatch(/201 10, unanswered 3$/);
    // Right-aligned numbers: every row's rate ends in the same column.
    const rateEnd = (line: string, rate: string) => line.indexOf(rate) + rate.length;
    expect(rateEnd(lines[1]!, "3,643")).toBe(rateEnd(lines[2]!, "18,012"));
    expect(rateEnd(lines[0]!, "requests/s")).toBe(rateEnd(lines[3]!, "9,225"));
  });

  test("formatRatio gives the ratio with both rates, and n/a without a divisor", () => {
    expect(formatRatio(3643, 9225)).toBe("0.39 (3,643 / 9,225 requests/s)");
    expect(formatRatio(3643, 10_000)).toBe("0.36 (3,643 / 10,000 requests/s)");
    expect(formatRatio(5, 0)).toBe("n/a");
  });

  test("formatChecks prints PASS/FAIL lines and passes only when every check does", () => {
    const passing = formatChecks([{ name: "no oversell", passed: true, detail: "1/2" }]);
    expect(passing).toEqual({ text: "PASS no oversell: 1/2", passed: true });
    const failing = formatChecks([
      { name: "no oversell", passed: true, detail: "1/2" },
      { name: "nothing lost", passed: false, detail: "3 for 4" },
    ]);
    expect(failing.text).toBe("PASS no oversell: 1/2\nFAIL nothing lost: 3 for 4");
    expect(failing.passed).toBe(false);
  });
});

describe("holdsMatchAnswers", () => {
  test("passes when the holds are the 201s, or more by at most the requests nobody read", () => {
    expect(holdsMatchAnswers(100, 100, 0, 0).passed).toBe(true);
    expect(holdsMatchAnswers(160, 100, 0, 64).passed).toBe(true);
    expect(holdsMatchAnswers(170, 100, 6, 64).passed).toBe(true);
  });

  test("fails when a 201 has no hold, or holds exceed what any answer could explain", () => {
    expect(holdsMatchAnswers(99, 100, 5, 64).passed).toBe(false);
    expect(holdsMatchAnswers(165, 100, 0, 64).passed).toBe(false);
    expect(holdsMatchAnswers(99, 100, 0, 0).detail).toContain("99 seats held in Redis for 100 answers 201");
  });
});
