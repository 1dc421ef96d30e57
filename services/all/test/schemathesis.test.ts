/**
 * Schema-driven fuzzing of the whole platform (services/all, a real process on the local stack, on
 * a fresh database seeded by scripts/seed.ts) with schemathesis, pinned and installed by
 * scripts/schemathesis. Every operation of the OpenAPI document, anonymously and with a user's,
 * an organizer's and an admin's token; a run fails on any 5xx, any response that does not match
 * its declared schema and any status the document does not declare for the operation.
 * Bounded: a fixed number of examples per operation and a time limit per run.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { type SeededPlatform, seededPlatform } from "@booking-rush/test-support/seeded-platform";

const root = join(import.meta.dir, "..", "..", "..");
/** Examples per operation and phase; with 34 operations a run takes well under a minute here. */
const examplesPerOperation = 15;
const runTimeoutMs = 240_000;

let platform: SeededPlatform;
const tokens: Record<string, string | null> = { anonymous: null };

async function login(email: string, secret: string): Promise<string> {
  const response = await fetch(platform.url("/api/v1/auth/login"), {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email, password: secret }),
  });
  const body = (await response.json()) as { data?: { tokens?: { access_token?: string } } };
  const token = body.data?.tokens?.access_token;
  if (!token) throw new Error(`login of ${email} failed: ${response.status} ${JSON.stringify(body)}`);
  return token;
}

beforeAll(async () => {
  platform = await seededPlatform({
    label: "schemathesis",
    // The fuzzer sends thousands of requests from one address in a minute: limits that would
    // answer 429 to nearly all of them would leave the routes behind them untested.
    platformEnv: {
      API_RATE_PER_MINUTE: "1000000",
      API_RATE_BURST: "1000000",
      LOGIN_RATE_PER_MINUTE: "1000000",
      LOGIN_RATE_BURST: "1000000",
      REGISTER_RATE_PER_MINUTE: "1000000",
      REGISTER_RATE_BURST: "1000000",
      RESERVE_RATE_PER_MINUTE: "1000000",
    },
  });
  const password = platform.demoPassword;
  const email = `fuzz-${crypto.randomUUID()}@example.com`;
  const registered = await fetch(platform.url("/api/v1/auth/register"), {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email, password, name: "Fuzz User" }),
  });
  expect(registered.status).toBe(201);
  tokens.user = await login(email, password);
  tokens.organizer = await login(platform.demo.organizer.email, password);
  tokens.admin = await login(platform.demo.admin.email, password);
}, 120_000);

// The events the run published (the seeded one and any the fuzzer made) leave their inventory in
// the shared Redis; close() removes it, so other tests' workers do not see them.
afterAll(() => platform?.close(), 60_000);

function runSchemathesis(kind: string) {
  const reports = join(root, ".stack", "logs", "schemathesis");
  mkdirSync(reports, { recursive: true });
  const token = tokens[kind];
  const args = [
    "bash",
    join(root, "scripts/schemathesis"),
    "run",
    platform.url("/openapi/json"),
    "--checks",
    "not_a_server_error,status_code_conformance,response_schema_conformance",
    "--phases",
    "examples,coverage,fuzzing",
    "--max-examples",
    String(examplesPerOperation),
    "--generation-deterministic",
    "--request-timeout",
    "10",
    "--workers",
    "1",
    "--no-color",
    ...(token ? ["--header", `Authorization: Bearer ${token}`] : []),
  ];
  const run = Bun.spawnSync(args, { cwd: reports, env: process.env, stdout: "pipe", stderr: "pipe", timeout: runTimeoutMs });
  const output = `${run.stdout.toString()}\n${run.stderr.toString()}`;
  // The tail holds the failures with a curl command to reproduce each, and the summary.
  return { exitCode: run.exitCode, signal: run.signalCode, report: output.slice(-12_000) };
}

describe("schemathesis against the running platform's OpenAPI", () => {
  for (const kind of ["anonymous", "user", "organizer", "admin"]) {
    test(
      `${kind}: no 5xx, every answer matches its declared schema and status`,
      () => {
        const result = runSchemathesis(kind);
        expect({ exitCode: result.exitCode, signal: result.signal ?? "none", report: result.report }).toEqual({
          exitCode: 0,
          signal: "none",
          report: expect.stringContaining("passed"),
        });
      },
      runTimeoutMs + 30_000,
    );
  }
});
