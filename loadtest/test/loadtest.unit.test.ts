/**
 * Offline checks of the in-cluster flash-sale load test (no server, no cluster, no k6 binary):
 * - loadtest/k8s/testrun.yaml validates against the k6-operator's TestRun CRD schema
 *   (loadtest/k8s/schemas/k6.io_testruns.yaml), and the validation does reject broken manifests;
 * - loadtest/k6/flash-sale.js is an ES module that imports only k6 modules and exports the k6
 *   lifecycle; loaded with those modules stubbed, its options, setup, iteration and teardown
 *   (the no-oversell check) behave as intended against canned API answers;
 * - loadtest/run-testrun.sh parses, prints its usage (exit 2), and drives a fake kubectl through a
 *   run that finishes, errors or times out.
 */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Ajv, { type ValidateFunction } from "ajv";
import { parse } from "yaml";

const loadtest = join(import.meta.dir, "..");
const manifestPath = join(loadtest, "k8s/testrun.yaml");
const crdPath = join(loadtest, "k8s/schemas/k6.io_testruns.yaml");
const scriptPath = join(loadtest, "k6/flash-sale.js");
const runScript = join(loadtest, "run-testrun.sh");

// biome-ignore lint/suspicious/noExplicitAny: parsed manifests, schemas and request bodies of every shape
type Json = Record<string, any>;
const clone = <T>(value: T): T => structuredClone(value);
const manifest = (): Json => parse(readFileSync(manifestPath, "utf8"));

// ---------------------------------------------------------------------------------------------
// The TestRun manifest against the CRD's openAPIV3Schema
// ---------------------------------------------------------------------------------------------

/**
 * The API server prunes unknown fields of a structural schema, and kubectl's default field
 * validation (Strict) turns them into errors; JSON Schema lets them through. So every object with
 * declared properties (and no additionalProperties or x-kubernetes-preserve-unknown-fields of its
 * own) is closed here, which makes a misspelt field fail as it would on `kubectl apply`.
 */
function closeObjects(schema: Json): Json {
  if (Array.isArray(schema)) return schema.map(closeObjects) as unknown as Json;
  if (schema === null || typeof schema !== "object") return schema;
  const out: Json = {};
  for (const [key, value] of Object.entries(schema)) out[key] = closeObjects(value);
  if (out.properties && out.additionalProperties === undefined && !out["x-kubernetes-preserve-unknown-fields"]) {
    out.additionalProperties = false;
  }
  return out;
}

function testRunValidator(): ValidateFunction {
  const crd = parse(readFileSync(crdPath, "utf8"));
  expect(crd.kind).toBe("CustomResourceDefinition");
  expect(crd.metadata.name).toBe("testruns.k6.io");
  const version = crd.spec.versions.find((v: Json) => v.name === "v1alpha1");
  expect(version).toBeDefined();
  const ajv = new Ajv({ allErrors: true, strict: true, strictTypes: false });
  // Kubernetes' own schema extensions carry no validation of their own here.
  ajv.addVocabulary([
    "x-kubernetes-list-type",
    "x-kubernetes-list-map-keys",
    "x-kubernetes-map-type",
    "x-kubernetes-int-or-string",
    "x-kubernetes-preserve-unknown-fields",
    "x-kubernetes-embedded-resource",
    "x-kubernetes-validations",
  ]);
  ajv.addFormat("int32", { type: "number", validate: (n: number) => Number.isInteger(n) && n >= -(2 ** 31) && n < 2 ** 31 });
  ajv.addFormat("int64", { type: "number", validate: (n: number) => Number.isSafeInteger(n) });
  ajv.addFormat("date-time", (s: string) => !Number.isNaN(Date.parse(s)));
  return ajv.compile(closeObjects(version.schema.openAPIV3Schema));
}

const errorsOf = (validate: ValidateFunction) =>
  (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message} ${JSON.stringify(e.params)}`);

describe("loadtest/k8s/testrun.yaml", () => {
  let validate: ValidateFunction;
  beforeAll(() => {
    validate = testRunValidator();
  });

  test("the stored CRD is the whole TestRun schema", () => {
    const crd = parse(readFileSync(crdPath, "utf8"));
    const spec = crd.spec.versions[0].schema.openAPIV3Schema.properties.spec;
    expect(spec.required).toEqual(["parallelism", "script"]);
    expect(Object.keys(spec.properties)).toEqual(
      expect.arrayContaining(["parallelism", "script", "arguments", "cleanup", "runner", "initializer", "starter"]),
    );
    expect(crd.spec.versions[0].schema.openAPIV3Schema.properties.status.properties.stage.enum).toEqual(
      expect.arrayContaining(["finished", "error"]),
    );
  });

  test("validates against the TestRun CRD", () => {
    const ok = validate(manifest());
    expect(errorsOf(validate)).toEqual([]);
    expect(ok).toBe(true);
  });

  test("is the flash-sale run: 2 runners, the script's ConfigMap, the testid tag, cleanup, the API service", () => {
    const run = manifest();
    expect(run.apiVersion).toBe("k6.io/v1alpha1");
    expect(run.kind).toBe("TestRun");
    expect(run.spec.parallelism).toBe(2);
    expect(run.spec.script).toEqual({ configMap: { name: "flash-sale-script", file: "flash-sale.js" } });
    expect(run.spec.arguments).toContain("--tag testid=flash-sale");
    expect(run.spec.cleanup).toBe("post");
    const env = Object.fromEntries(run.spec.runner.env.map((e: Json) => [e.name, e.value]));
    expect(env.BASE_URL).toBe("http://ingress-nginx-controller.ingress-nginx.svc.cluster.local/api/v1");
    expect(env.API_HOST).toBe("booking-rush.localhost");
    expect(env.SHOW_ID).toBe("__SHOW_ID__");
    expect(env.ZONE_ID).toBe("__ZONE_ID__");
    expect(env.TARGET_RPS).toBe("__TARGET_RPS__");
    expect(env.QUEUE_EVENT_ID).toBe("__QUEUE_EVENT_ID__");
    expect(run.spec.runner.env.find((e: Json) => e.name === "ADMIN_TOKEN")).toEqual({
      name: "ADMIN_TOKEN",
      valueFrom: { secretKeyRef: { name: "flash-sale-admin", key: "token" } },
    });
    expect(run.spec.runner.resources.requests).toBeDefined();
    expect(run.spec.runner.resources.limits).toBeDefined();
  });

  test("the validation rejects a TestRun without spec.parallelism", () => {
    const run = manifest();
    delete run.spec.parallelism;
    expect(validate(run)).toBe(false);
    expect(errorsOf(validate).join("\n")).toContain("must have required property 'parallelism'");
  });

  test("the validation rejects other broken TestRuns: wrong types, an unknown cleanup, a misspelt field", () => {
    const wrongType = manifest();
    wrongType.spec.parallelism = "2";
    expect(validate(wrongType)).toBe(false);

    const badCleanup = manifest();
    badCleanup.spec.cleanup = "always";
    expect(validate(badCleanup)).toBe(false);
    expect(errorsOf(validate).join("\n")).toContain("/spec/cleanup must be equal to one of the allowed values");

    const misspelt = clone(manifest());
    misspelt.spec.runner.resource = misspelt.spec.runner.resources;
    delete misspelt.spec.runner.resources;
    expect(validate(misspelt)).toBe(false);
    expect(errorsOf(validate).join("\n")).toContain('additionalProperty":"resource"');

    const badQuantity = manifest();
    badQuantity.spec.runner.resources.limits.memory = "two gigabytes";
    expect(validate(badQuantity)).toBe(false);
  });
});

// ---------------------------------------------------------------------------------------------
// The k6 script, loaded with k6's modules stubbed
// ---------------------------------------------------------------------------------------------

interface FakeResponse {
  status: number;
  body: string;
  headers: Record<string, string>;
  json(): unknown;
}
interface Call {
  method: string;
  url: string;
  /** The JSON body the script sent (null for a GET). */
  body: Json;
  headers: Record<string, string>;
  tags: Record<string, string>;
}
type Handler = (call: Call) => { status: number; body?: unknown; headers?: Record<string, string> };

/** What the stubbed k6 modules saw. */
const k6 = {
  handler: (() => ({ status: 500 })) as Handler,
  calls: [] as Call[],
  checks: [] as { name: string; ok: boolean }[],
  metrics: new Map<string, { value: number | boolean; tags?: Record<string, string> }[]>(),
  sleeps: [] as number[],
  responseCallback: undefined as unknown,
  iteration: 0,
  reset(handler: Handler) {
    this.handler = handler;
    this.calls = [];
    this.checks = [];
    this.sleeps = [];
    for (const samples of this.metrics.values()) samples.length = 0;
  },
  metric(name: string) {
    return this.metrics.get(name) ?? [];
  },
};

function request(method: string, url: string, body: unknown, params: Json = {}): FakeResponse {
  const call: Call = {
    method,
    url,
    body: (typeof body === "string" ? JSON.parse(body) : body) as Json,
    headers: params.headers ?? {},
    tags: params.tags ?? {},
  };
  k6.calls.push(call);
  const answer = k6.handler(call);
  const text = answer.body === undefined ? "" : JSON.stringify(answer.body);
  return { status: answer.status, body: text, headers: answer.headers ?? {}, json: () => JSON.parse(text) };
}

const httpStub = {
  get: (url: string, params?: Json) => request("GET", url, null, params),
  post: (url: string, body: unknown, params?: Json) => request("POST", url, body, params),
  batch: (requests: Json[]) => requests.map((r) => request(r.method, r.url, r.body, r.params)),
  expectedStatuses: (...statuses: unknown[]) => ({ expectedStatuses: statuses }),
  setResponseCallback: (callback: unknown) => {
    k6.responseCallback = callback;
  },
};

class Metric {
  constructor(readonly name: string) {
    k6.metrics.set(name, k6.metrics.get(name) ?? []);
  }
  add(value: number | boolean, tags?: Record<string, string>) {
    k6.metrics.get(this.name)!.push({ value, tags });
  }
}

Bun.plugin({
  name: "k6 modules (stubs)",
  setup(build) {
    build.module("k6/http", () => ({ exports: { default: httpStub }, loader: "object" }));
    build.module("k6", () => ({
      exports: {
        check: (value: unknown, checks: Record<string, (v: unknown) => boolean>) => {
          let all = true;
          for (const [name, predicate] of Object.entries(checks)) {
            const ok = Boolean(predicate(value));
            k6.checks.push({ name, ok });
            all &&= ok;
          }
          return all;
        },
        fail: (message: string) => {
          throw new Error(message);
        },
        sleep: (seconds: number) => {
          k6.sleeps.push(seconds);
        },
      },
      loader: "object",
    }));
    build.module("k6/metrics", () => ({ exports: { Counter: Metric, Rate: Metric, Trend: Metric, Gauge: Metric }, loader: "object" }));
    build.module("k6/execution", () => ({
      exports: {
        default: {
          scenario: {
            get iterationInTest() {
              return k6.iteration++;
            },
          },
        },
      },
      loader: "object",
    }));
    build.module("k6/crypto", () => ({
      exports: { randomBytes: (n: number) => crypto.getRandomValues(new Uint8Array(n)).buffer },
      loader: "object",
    }));
  },
});

let loads = 0;
/** A fresh instance of the script, its init context run with this __ENV. */
async function loadScript(env: Record<string, string>) {
  (globalThis as { __ENV?: Record<string, string> }).__ENV = env;
  return await import(`${scriptPath}?load=${++loads}`);
}

const SHOW = "11111111-1111-4111-8111-111111111111";
const ZONE = "22222222-2222-4222-8222-222222222222";
const BASE = "http://api.test/api/v1";
const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const ADMIN = "admin-access-token";
const saleEnv = { BASE_URL: BASE, SHOW_ID: SHOW, ZONE_ID: ZONE, ADMIN_TOKEN: ADMIN };
const zoneAnswer = (counts: { available: number; reserved: number; sold: number }) => ({
  status: 200,
  body: {
    success: true,
    data: [{ id: ZONE, show_id: SHOW, name: "Standing", kind: "general_admission", price: 100, total_seats: 100, ...counts }],
  },
});

describe("loadtest/k6/flash-sale.js", () => {
  const source = readFileSync(scriptPath, "utf8");

  test("is an ES module importing only k6 modules, exporting options, setup, default and teardown", () => {
    const { imports, exports } = new Bun.Transpiler({ loader: "js" }).scan(source);
    const allowed = ["k6", "k6/http", "k6/metrics", "k6/execution", "k6/crypto"];
    expect(imports.length).toBeGreaterThan(0);
    for (const entry of imports) {
      expect(entry.kind).toBe("import-statement");
      expect(allowed).toContain(entry.path);
    }
    expect([...exports].sort()).toEqual(["default", "handleSummary", "options", "setup", "teardown"]);
  });

  test("options: the flash_sale scenario ramps an arrival rate to TARGET_RPS and holds it", async () => {
    const { options } = await loadScript({});
    const scenario = options.scenarios.flash_sale;
    expect(Object.keys(options.scenarios)).toEqual(["flash_sale"]);
    expect(scenario.executor).toBe("ramping-arrival-rate");
    expect(scenario.timeUnit).toBe("1s");
    expect(scenario.stages).toEqual([
      { target: 200, duration: "30s" },
      { target: 200, duration: "60s" },
    ]);
    expect(scenario.preAllocatedVUs).toBeGreaterThan(0);
    expect(scenario.maxVUs).toBeGreaterThanOrEqual(scenario.preAllocatedVUs);

    const tuned = (
      await loadScript({ TARGET_RPS: "1500", RAMP_SECONDS: "10", HOLD_SECONDS: "120", PRE_ALLOCATED_VUS: "300", MAX_VUS: "900" })
    ).options.scenarios.flash_sale;
    expect(tuned.stages).toEqual([
      { target: 1500, duration: "10s" },
      { target: 1500, duration: "120s" },
    ]);
    expect([tuned.preAllocatedVUs, tuned.maxVUs]).toEqual([300, 900]);
    await expect(loadScript({ TARGET_RPS: "lots" })).rejects.toThrow("TARGET_RPS must be an integer");
  });

  test("options: thresholds on unexpected failures, reserve p95 and oversold; 409 and 429 are expected statuses", async () => {
    const { options } = await loadScript({});
    expect(options.thresholds.http_req_failed).toEqual(["rate<0.01"]);
    expect(options.thresholds["http_req_duration{endpoint:reserve}"]).toEqual(["p(95)<500"]);
    expect(options.thresholds.oversold).toEqual(["rate==0"]);
    expect(options.thresholds.inventory_mismatch).toEqual(["rate==0"]);
    expect(k6.responseCallback).toEqual({ expectedStatuses: [{ min: 200, max: 299 }, 409, 429] });
  });

  test("setup fails with a clear message without SHOW_ID or ZONE_ID", async () => {
    const script = await loadScript({ BASE_URL: BASE, ZONE_ID: ZONE });
    k6.reset(() => ({ status: 500 }));
    expect(() => script.setup()).toThrow("SHOW_ID and ZONE_ID are required");
    expect(k6.calls).toHaveLength(0);
  });

  test("setup registers and logs in USERS buyers, retrying a rate-limited login, and reads the zone's total", async () => {
    const script = await loadScript({ ...saleEnv, USERS: "3", SETUP_BATCH: "2" });
    let logins = 0;
    k6.reset((call) => {
      if (call.url === `${BASE}/shows/${SHOW}/zones`) return zoneAnswer({ available: 100, reserved: 0, sold: 0 });
      if (call.url === `${BASE}/auth/register`) {
        expect(call.body).toEqual({
          email: expect.stringMatching(/^k6-[0-9a-f]{8}-\d+@loadtest\.example\.com$/),
          password: expect.any(String),
          name: expect.any(String),
        });
        return { status: 201, body: { success: true, data: { user: {}, tokens: { access_token: `reg-${call.body.email}` } } } };
      }
      if (call.url === `${BASE}/auth/login`) {
        if (++logins === 2)
          return { status: 429, body: { success: false, error: { code: "RATE_LIMITED" } }, headers: { "Retry-After": "2" } };
        return { status: 200, body: { success: true, data: { tokens: { access_token: `login-${call.body.email}` } } } };
      }
      return { status: 404 };
    });
    const data = script.setup();
    expect(data.total).toBe(100);
    expect(data.tokens).toHaveLength(3);
    expect(data.tokens.every((t: string) => t.startsWith("login-"))).toBe(true);
    expect(k6.calls.filter((c) => c.url.endsWith("/auth/register"))).toHaveLength(3);
    expect(k6.calls.filter((c) => c.url.endsWith("/auth/login"))).toHaveLength(4);
    expect(k6.sleeps).toEqual([2]);
  });

  test("setup fails when too few buyers got a token, naming the auth rate limits", async () => {
    const script = await loadScript({ ...saleEnv, USERS: "4", SETUP_ROUNDS: "2" });
    k6.reset((call) =>
      call.url.endsWith("/zones") ? zoneAnswer({ available: 100, reserved: 0, sold: 0 }) : { status: 429, headers: { "Retry-After": "1" } },
    );
    expect(() => script.setup()).toThrow("only 0 of 4 buyers got an access token");
    expect(k6.calls.filter((c) => c.url.endsWith("/auth/register"))).toHaveLength(8);
  });

  test("an iteration reserves one seat, pays, and polls the booking until it is confirmed", async () => {
    const script = await loadScript(saleEnv);
    let polls = 0;
    k6.reset((call) => {
      if (call.url === `${BASE}/bookings/reserve`)
        return { status: 201, body: { success: true, data: { booking_id: "b-1", status: "reserved", quantity: 1 } } };
      if (call.url === `${BASE}/payments`) return { status: 202, body: { success: true, data: { payment_id: "p-1", status: "pending" } } };
      if (call.url === `${BASE}/bookings/b-1`)
        return { status: 200, body: { success: true, data: { booking_id: "b-1", status: ++polls < 3 ? "reserved" : "confirmed" } } };
      return { status: 404 };
    });
    script.default({ tokens: ["token-a"], total: 100 });

    const [reserve, payment, ...gets] = k6.calls as [Call, Call, ...Call[]];
    expect(reserve.method).toBe("POST");
    expect(reserve.body).toEqual({ show_id: SHOW, zone_id: ZONE, quantity: 1 });
    expect(reserve.headers.Authorization).toBe("Bearer token-a");
    expect(reserve.headers["Idempotency-Key"]).toMatch(UUID_V4);
    expect(reserve.tags.endpoint).toBe("reserve");
    expect(payment.body).toEqual({ booking_id: "b-1", method: "card" });
    expect(payment.headers["Idempotency-Key"]).toMatch(UUID_V4);
    expect(payment.headers["Idempotency-Key"]).not.toBe(reserve.headers["Idempotency-Key"]);
    expect(gets).toHaveLength(3);
    expect(gets.every((g) => g.method === "GET" && g.headers.Authorization === "Bearer token-a")).toBe(true);
    expect(k6.sleeps).toEqual([0.5, 0.5, 0.5]);
    expect(k6.checks.every((c) => c.ok)).toBe(true);
    expect(k6.checks.map((c) => c.name)).toEqual(["reserve status is 201, 409 or 429", "payment accepted (202)", "booking ends confirmed"]);
    expect(k6.metric("reservations_made")).toHaveLength(1);
    expect(k6.metric("bookings_confirmed")).toHaveLength(1);
    expect(k6.metric("time_to_confirm")).toHaveLength(1);
    expect(k6.metric("reservations_rejected")).toHaveLength(0);
  });

  test("a 409 or 429 reserve is counted as rejected and goes no further", async () => {
    const script = await loadScript(saleEnv);
    for (const [status, code] of [
      [409, "INSUFFICIENT_STOCK"],
      [429, "RATE_LIMITED"],
    ] as const) {
      k6.reset(() => ({ status, body: { success: false, error: { code, message: "no" } } }));
      script.default({ tokens: ["t"], total: 100 });
      expect(k6.calls).toHaveLength(1);
      expect(k6.checks).toEqual([{ name: "reserve status is 201, 409 or 429", ok: true }]);
      expect(k6.metric("reservations_rejected")).toEqual([{ value: 1, tags: { code } }]);
    }
  });

  test("polling a booking that never settles stops after POLLS tries and fails the confirmed check", async () => {
    const script = await loadScript({ ...saleEnv, POLLS: "4" });
    k6.reset((call) => {
      if (call.url.endsWith("/reserve")) return { status: 201, body: { success: true, data: { booking_id: "b-2", status: "reserved" } } };
      if (call.url.endsWith("/payments")) return { status: 202, body: { success: true, data: { payment_id: "p", status: "pending" } } };
      return { status: 200, body: { success: true, data: { booking_id: "b-2", status: "reserved" } } };
    });
    script.default({ tokens: ["t"], total: 100 });
    expect(k6.calls.filter((c) => c.method === "GET")).toHaveLength(4);
    expect(k6.checks.at(-1)).toEqual({ name: "booking ends confirmed", ok: false });
    expect(k6.metric("bookings_confirmed")).toHaveLength(0);
  });

  const inventoryAnswer = (
    postgres: { available: number; reserved: number; sold: number },
    redis: typeof postgres | null,
    verdict = "clean",
  ) => ({
    status: 200,
    body: {
      success: true,
      data: [
        {
          zone_id: "33333333-3333-4333-8333-333333333333",
          name: "Other",
          verdict: "clean",
          redis: { available: 5, reserved: 0, sold: 0, seq: 1 },
          postgres: { available: 5, reserved: 0, sold: 0, applied_seq: 1 },
          difference: null,
        },
        {
          zone_id: ZONE,
          name: "Standing",
          verdict,
          redis: redis && { ...redis, seq: 9 },
          postgres: { ...postgres, applied_seq: 9 },
          difference: null,
        },
      ],
    },
  });

  test("teardown compares PostgreSQL with Redis through the admin API, with the admin token, and passes when both agree within the total", async () => {
    const script = await loadScript(saleEnv);
    const counts = { available: 0, reserved: 10, sold: 90 };
    k6.reset(() => inventoryAnswer(counts, counts));
    script.teardown({ tokens: [], total: 100 });
    expect(k6.calls).toHaveLength(1);
    expect(k6.calls[0]!.url).toBe(`${BASE}/admin/inventory-status?show_id=${SHOW}`);
    expect(k6.calls[0]!.headers.Authorization).toBe(`Bearer ${ADMIN}`);
    expect(k6.checks).toEqual([
      { name: "no oversell in PostgreSQL: sold + reserved <= total, available >= 0", ok: true },
      { name: "no oversell in Redis: sold + reserved <= total, available >= 0", ok: true },
      { name: "Redis agrees with PostgreSQL", ok: true },
    ]);
    expect(k6.metric("oversold")).toEqual([{ value: false, tags: undefined }]);
    expect(k6.metric("inventory_mismatch")).toEqual([{ value: false, tags: undefined }]);
  });

  test("teardown flags an oversell on either side, and Redis that never agrees with PostgreSQL", async () => {
    const script = await loadScript({ ...saleEnv, INVENTORY_POLLS: "3" });
    // Redis oversold; PostgreSQL within the total; they never agree: polled INVENTORY_POLLS times.
    k6.reset(() => inventoryAnswer({ available: 2, reserved: 5, sold: 93 }, { available: -2, reserved: 5, sold: 97 }, "drift"));
    script.teardown({ tokens: [], total: 100 });
    expect(k6.calls).toHaveLength(3);
    expect(k6.sleeps).toEqual([1, 1]);
    expect(k6.checks.map((c) => c.ok)).toEqual([true, false, false]);
    expect(k6.metric("oversold")).toEqual([{ value: true, tags: undefined }]);
    expect(k6.metric("inventory_mismatch")).toEqual([{ value: true, tags: undefined }]);

    // PostgreSQL oversold while Redis looks fine: the old Redis-only check could not see this.
    k6.reset(() => inventoryAnswer({ available: 0, reserved: 3, sold: 101 }, { available: 0, reserved: 3, sold: 97 }, "drift"));
    script.teardown({ tokens: [], total: 100 });
    expect(k6.checks.slice(0, 2).map((c) => c.ok)).toEqual([false, true]);
    expect(k6.metric("oversold")).toEqual([{ value: true, tags: undefined }]);
  });

  test("teardown waits (bounded) for PostgreSQL to catch up with Redis before judging", async () => {
    const script = await loadScript(saleEnv);
    let answers = 0;
    k6.reset(() =>
      ++answers < 3
        ? inventoryAnswer({ available: 10, reserved: 0, sold: 90 }, { available: 0, reserved: 0, sold: 100 }, "behind")
        : inventoryAnswer({ available: 0, reserved: 0, sold: 100 }, { available: 0, reserved: 0, sold: 100 }),
    );
    script.teardown({ tokens: [], total: 100 });
    expect(k6.calls).toHaveLength(3);
    expect(k6.checks.every((c) => c.ok)).toBe(true);
    expect(k6.metric("inventory_mismatch")).toEqual([{ value: false, tags: undefined }]);
  });

  test("an unreadable inventory, or no ADMIN_TOKEN, fails the run through the oversold rate", async () => {
    const script = await loadScript(saleEnv);
    k6.reset(() => ({ status: 403, body: { success: false, error: { code: "FORBIDDEN" } } }));
    script.teardown({ tokens: [], total: 100 });
    expect(k6.metric("oversold")).toEqual([{ value: true, tags: { reason: "unverified" } }]);

    const withoutAdmin = await loadScript({ BASE_URL: BASE, SHOW_ID: SHOW, ZONE_ID: ZONE });
    k6.reset(() => ({ status: 500 }));
    withoutAdmin.teardown({ tokens: [], total: 100 });
    expect(k6.calls).toHaveLength(0);
    expect(k6.metric("oversold")).toEqual([{ value: true, tags: { reason: "unverified" } }]);
  });

  test("options: a run that bought nothing fails: thresholds on checks, confirmed bookings (count and share of holds) and time to confirm", async () => {
    const { options } = await loadScript({});
    expect(options.thresholds.checks).toEqual(["rate>=0.99"]);
    expect(options.thresholds.bookings_confirmed).toEqual(["count>=1"]);
    expect(options.thresholds.reservations_confirmed).toEqual(["rate>=0.95"]);
    expect(options.thresholds.time_to_confirm).toEqual(["p(95)<4000"]);
    const tuned = (await loadScript({ MIN_CHECKS_RATE: "0.9", MIN_CONFIRMED: "300", MIN_CONFIRMED_RATE: "1", CONFIRM_P95_MS: "2500" }))
      .options.thresholds;
    expect([tuned.checks, tuned.bookings_confirmed, tuned.reservations_confirmed, tuned.time_to_confirm]).toEqual([
      ["rate>=0.9"],
      ["count>=300"],
      ["rate>=1"],
      ["p(95)<2500"],
    ]);
    await expect(loadScript({ MIN_CONFIRMED: "0" })).rejects.toThrow("MIN_CONFIRMED must be an integer >= 1");
    // The rejected reservations get a submetric per known code, for the summary's breakdown.
    for (const code of ["INSUFFICIENT_STOCK", "MAX_PER_USER_EXCEEDED", "RATE_LIMITED"])
      expect(options.thresholds[`reservations_rejected{code:${code}}`]).toEqual(["count>=0"]);
  });

  test("setup gives bookings_confirmed a zero sample, so its count threshold is judged when nothing is confirmed", async () => {
    const script = await loadScript({ ...saleEnv, USERS: "1" });
    k6.reset((call) =>
      call.url.endsWith("/zones")
        ? zoneAnswer({ available: 100, reserved: 0, sold: 0 })
        : { status: 201, body: { success: true, data: { tokens: { access_token: "t" } } } },
    );
    script.setup();
    expect(k6.metric("bookings_confirmed")).toEqual([{ value: 0, tags: undefined }]);
  });

  test("every reservation that is not a hold is counted by its error code, a hold paid but not confirmed lowers the confirmed share", async () => {
    const script = await loadScript({ ...saleEnv, POLLS: "2" });
    k6.reset(() => ({ status: 503, body: { success: false, error: { code: "SERVICE_UNAVAILABLE", message: "down" } } }));
    script.default({ tokens: ["t"], total: 100 });
    expect(k6.metric("reservations_rejected")).toEqual([{ value: 1, tags: { code: "SERVICE_UNAVAILABLE" } }]);
    expect(k6.metric("reservations_confirmed")).toEqual([]);

    const booking = "44444444-4444-4444-8444-444444444444";
    k6.reset((call) => {
      if (call.url.endsWith("/bookings/reserve"))
        return { status: 201, body: { success: true, data: { booking_id: booking, status: "reserved" } } };
      if (call.url.endsWith("/payments")) return { status: 502, body: { success: false, error: { code: "PAYMENT_FAILED" } } };
      return { status: 500 };
    });
    script.default({ tokens: ["t"], total: 100 });
    expect(k6.metric("reservations_made")).toHaveLength(1);
    expect(k6.metric("reservations_confirmed")).toEqual([{ value: false, tags: undefined }]);
    expect(k6.checks.at(-1)).toEqual({ name: "payment accepted (202)", ok: false });
  });

  // The flash sale with the waiting room on (QUEUE_EVENT_ID).
  const EVENT = "55555555-5555-4555-8555-555555555555";
  const queueEnv = { ...saleEnv, QUEUE_EVENT_ID: EVENT };
  const queued = (status: string, extra: Record<string, unknown> = {}, retryAfter?: string) => ({
    status: 200,
    body: { success: true, data: { position: 7, eta_seconds: 12, status, ...extra } },
    ...(retryAfter === undefined ? {} : { headers: { "Retry-After": retryAfter } }),
  });
  const holdAndConfirm = (call: Call) => {
    if (call.url === `${BASE}/bookings/reserve`)
      return { status: 201, body: { success: true, data: { booking_id: "b-q", status: "reserved" } } };
    if (call.url === `${BASE}/payments`) return { status: 202, body: { success: true, data: { payment_id: "p-q", status: "pending" } } };
    if (call.url === `${BASE}/bookings/b-q`)
      return { status: 200, body: { success: true, data: { booking_id: "b-q", status: "confirmed" } } };
    return { status: 404 };
  };

  test("options with QUEUE_EVENT_ID: every buyer arrives at once (one iteration per VU), bounded in time; nobody admitted fails the run", async () => {
    const { options } = await loadScript({ QUEUE_EVENT_ID: EVENT, USERS: "500", QUEUE_MAX_WAIT_SECONDS: "120", POLLS: "10" });
    expect(Object.keys(options.scenarios)).toEqual(["flash_sale_queue"]);
    expect(options.scenarios.flash_sale_queue).toEqual({ executor: "per-vu-iterations", vus: 500, iterations: 1, maxDuration: "185s" });
    expect(options.thresholds.queue_admitted).toEqual(["count>=1"]);
    for (const outcome of ["admitted", "sold_out", "closed", "gave_up", "join_failed"])
      expect(options.thresholds[`queue_outcomes{outcome:${outcome}}`]).toEqual(["count>=0"]);
    expect((await loadScript({ QUEUE_EVENT_ID: EVENT, QUEUE_BUYERS: "50" })).options.scenarios.flash_sale_queue.vus).toBe(50);
    // Without it, the plain flash sale and no queue threshold.
    expect((await loadScript({})).options.thresholds.queue_admitted).toBeUndefined();
    await expect(loadScript({ QUEUE_EVENT_ID: EVENT, QUEUE_POLL_SECONDS: "0" })).rejects.toThrow(
      "QUEUE_POLL_SECONDS must be a number >= 0.5",
    );
  });

  test("a queued buyer joins, polls the status as Retry-After says, and reserves with the queue pass in X-Queue-Pass", async () => {
    const script = await loadScript(queueEnv);
    const statuses = [queued("waiting", {}, "3"), queued("waiting"), queued("admitted", { queue_pass: "pass-token" }, "1")];
    k6.reset((call) => {
      if (call.url === `${BASE}/queue/join`) return queued("waiting", {}, "5");
      if (call.url === `${BASE}/queue/status?event_id=${EVENT}`) return statuses.shift()!;
      return holdAndConfirm(call);
    });
    script.default({ tokens: ["token-q"], total: 100 });

    const [join, ...rest] = k6.calls as [Call, ...Call[]];
    expect(join.method).toBe("POST");
    expect(join.body).toEqual({ event_id: EVENT });
    expect(join.headers.Authorization).toBe("Bearer token-q");
    const polls = rest.filter((call) => call.url.includes("/queue/status"));
    expect(polls).toHaveLength(3);
    expect(polls.every((call) => call.method === "GET" && call.headers.Authorization === "Bearer token-q")).toBe(true);
    // Waited as told: 5 s after the join, 3 s, then the default 2 s where no hint came; then the booking's poll.
    expect(k6.sleeps).toEqual([5, 3, 2, 0.5]);
    const reserve = k6.calls.find((call) => call.url.endsWith("/bookings/reserve"))!;
    expect(reserve.headers["X-Queue-Pass"]).toBe("pass-token");
    expect(reserve.headers["Idempotency-Key"]).toMatch(UUID_V4);
    expect(k6.calls.map((call) => call.url.replace(BASE, ""))).toEqual([
      "/queue/join",
      `/queue/status?event_id=${EVENT}`,
      `/queue/status?event_id=${EVENT}`,
      `/queue/status?event_id=${EVENT}`,
      "/bookings/reserve",
      "/payments",
      "/bookings/b-q",
    ]);
    expect(k6.metric("queue_admitted")).toHaveLength(1);
    expect(k6.metric("queue_outcomes")).toEqual([{ value: 1, tags: { outcome: "admitted" } }]);
    expect(k6.metric("queue_wait")).toHaveLength(1);
    expect(k6.metric("bookings_confirmed")).toHaveLength(1);
    expect(k6.checks.every((c) => c.ok)).toBe(true);
    // The plain run sends no pass.
    const plain = await loadScript(saleEnv);
    k6.reset(holdAndConfirm);
    plain.default({ tokens: ["t"], total: 100 });
    expect(k6.calls[0]!.headers["X-Queue-Pass"]).toBeUndefined();
  });

  test("a Retry-After hint is held within 0.5-30 s; a 429 while waiting keeps the place and waits as told", async () => {
    const script = await loadScript(queueEnv);
    const statuses = [
      queued("waiting", {}, "0"),
      { status: 429, body: { success: false, error: { code: "RATE_LIMITED" } }, headers: { "Retry-After": "7" } },
      queued("waiting", {}, "3600"),
      queued("admitted", { queue_pass: "p" }),
    ];
    k6.reset((call) => {
      if (call.url.endsWith("/queue/join")) return queued("waiting", {}, "1");
      if (call.url.includes("/queue/status")) return statuses.shift()!;
      return holdAndConfirm(call);
    });
    script.default({ tokens: ["t"], total: 100 });
    expect(k6.sleeps.slice(0, 4)).toEqual([1, 0.5, 7, 30]);
    expect(k6.metric("queue_outcomes")).toEqual([{ value: 1, tags: { outcome: "admitted" } }]);
  });

  test("a buyer never admitted gives up after QUEUE_MAX_POLLS polls and reserves nothing", async () => {
    const script = await loadScript({ ...queueEnv, QUEUE_MAX_POLLS: "4" });
    k6.reset((call) => (call.url.includes("/queue/") ? queued("waiting", {}, "2") : holdAndConfirm(call)));
    script.default({ tokens: ["t"], total: 100 });
    expect(k6.calls.filter((call) => call.url.includes("/queue/status"))).toHaveLength(4);
    expect(k6.calls.some((call) => call.url.endsWith("/bookings/reserve"))).toBe(false);
    expect(k6.sleeps).toEqual([2, 2, 2, 2]);
    expect(k6.metric("queue_outcomes")).toEqual([{ value: 1, tags: { outcome: "gave_up" } }]);
    expect(k6.metric("queue_admitted")).toHaveLength(0);
  });

  test("sold_out or closed ends the wait without a reservation; a join that fails is counted, not retried", async () => {
    for (const outcome of ["sold_out", "closed"]) {
      const script = await loadScript(queueEnv);
      const statuses = [queued("waiting", {}, "1"), queued(outcome)];
      k6.reset((call) => (call.url.endsWith("/queue/join") ? queued("waiting", {}, "1") : statuses.shift()!));
      script.default({ tokens: ["t"], total: 100 });
      expect(k6.calls).toHaveLength(3);
      expect(k6.metric("queue_outcomes")).toEqual([{ value: 1, tags: { outcome } }]);
    }
    const script = await loadScript(queueEnv);
    k6.reset(() => ({ status: 404, body: { success: false, error: { code: "NOT_FOUND" } } }));
    script.default({ tokens: ["t"], total: 100 });
    expect(k6.calls).toHaveLength(1);
    expect(k6.checks).toEqual([{ name: "queue join answered a place", ok: false }]);
    expect(k6.metric("queue_outcomes")).toEqual([{ value: 1, tags: { outcome: "join_failed" } }]);
  });

  test("admitted by the join itself: the pass is fetched from the status at once", async () => {
    const script = await loadScript(queueEnv);
    k6.reset((call) => {
      if (call.url.endsWith("/queue/join")) return queued("admitted", {}, "1");
      if (call.url.includes("/queue/status")) return queued("admitted", { queue_pass: "early" });
      return holdAndConfirm(call);
    });
    script.default({ tokens: ["t"], total: 100 });
    expect(k6.sleeps).toEqual([0.5]);
    expect(k6.calls.find((call) => call.url.endsWith("/bookings/reserve"))!.headers["X-Queue-Pass"]).toBe("early");
  });

  test("handleSummary of a queue run adds the waiting room's outcomes and the time in the queue", async () => {
    const script = await loadScript(queueEnv);
    const text: string = script.handleSummary({
      metrics: {
        "queue_outcomes{outcome:admitted}": { values: { count: 40 } },
        "queue_outcomes{outcome:sold_out}": { values: { count: 160 } },
        queue_wait: { values: { med: 12_345, "p(95)": 61_000 } },
      },
    }).stdout;
    expect(text).toContain("waiting room: admitted 40, sold_out 160, closed 0, gave_up 0, join_failed 0");
    expect(text).toContain("time in the queue: median 12.3 s, p95 61.0 s");
    expect((await loadScript(saleEnv)).handleSummary({ metrics: {} }).stdout).not.toContain("waiting room");
  });

  test("handleSummary prints failed thresholds, the outcome and the rejected reservations by code", async () => {
    const script = await loadScript(saleEnv);
    const metric = (values: Record<string, number>, thresholds?: Record<string, { ok: boolean }>) => ({
      values,
      ...(thresholds ? { thresholds } : {}),
    });
    const report = script.handleSummary({
      metrics: {
        checks: metric({ rate: 0.5 }, { "rate>=0.99": { ok: false } }),
        reservations_made: metric({ count: 0 }),
        bookings_confirmed: metric({ count: 0 }, { "count>=1": { ok: false } }),
        reservations_rejected: metric({ count: 12 }),
        "reservations_rejected{code:INSUFFICIENT_STOCK}": metric({ count: 7 }, { "count>=0": { ok: true } }),
        "reservations_rejected{code:RATE_LIMITED}": metric({ count: 3 }, { "count>=0": { ok: true } }),
        "reservations_rejected{code:MAX_PER_USER_EXCEEDED}": metric({ count: 0 }, { "count>=0": { ok: true } }),
        oversold: metric({ rate: 0 }, { "rate==0": { ok: true } }),
      },
    });
    const text: string = report.stdout;
    expect(text).toContain("thresholds: FAILED checks: rate>=0.99; bookings_confirmed: count>=1");
    expect(text).toContain("bookings confirmed: 0");
    expect(text).toContain("reservations rejected: 12\n    INSUFFICIENT_STOCK: 7\n    RATE_LIMITED: 3\n    other codes: 2\n");
    expect(text).not.toContain("MAX_PER_USER_EXCEEDED");
    expect(Object.keys(report)).toEqual(["stdout"]);

    const passing = script.handleSummary({
      metrics: {
        bookings_confirmed: metric({ count: 300 }, { "count>=1": { ok: true } }),
        reservations_confirmed: metric({ rate: 1 }),
        time_to_confirm: metric({ "p(95)": 812.4 }),
      },
    });
    expect(passing.stdout).toContain("thresholds: all passed");
    expect(passing.stdout).toContain("bookings confirmed: 300 (100.00% of holds)");
    expect(passing.stdout).toContain("time to confirm p95: 812 ms");
    const withJson = (await loadScript({ ...saleEnv, SUMMARY_JSON: "/tmp/summary.json" })).handleSummary({ metrics: {} });
    expect(JSON.parse(withJson["/tmp/summary.json"])).toEqual({ metrics: {} });
  });
});

// ---------------------------------------------------------------------------------------------
// run-testrun.sh, with a fake kubectl
// ---------------------------------------------------------------------------------------------

function run(args: string[], env: Record<string, string> = {}) {
  const result = Bun.spawnSync(["bash", runScript, ...args], { env: { ...process.env, ...env }, stdout: "pipe", stderr: "pipe" });
  return { code: result.exitCode, stdout: result.stdout.toString(), stderr: result.stderr.toString() };
}

describe("loadtest/run-testrun.sh", () => {
  // Each test runs bash and the fake kubectl several times: seconds on a machine the rest of the suite loads.
  setDefaultTimeout(60_000);
  let work: string;
  let bin: string;
  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), "run-testrun-test-"));
    bin = join(work, "bin");
    Bun.spawnSync(["mkdir", "-p", bin]);
    Bun.spawnSync(["cp", join(import.meta.dir, "fake-kubectl.sh"), join(bin, "kubectl")]);
    chmodSync(join(bin, "kubectl"), 0o755);
  });
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  let cases = 0;
  /** Runs the script against the fake kubectl in a fresh directory; returns the result and that directory. */
  function withFakeKubectl(args: string[], fake: Record<string, string>) {
    const dir = join(work, `case-${++cases}`);
    Bun.spawnSync(["mkdir", "-p", dir]);
    const result = run(args, {
      PATH: `${bin}:${process.env.PATH}`,
      FAKE_KUBE_DIR: dir,
      TMPDIR: dir,
      RUN_TESTRUN_POLL_SECONDS: "0.1",
      ...fake,
    });
    const calls = readFileSync(join(dir, "calls.log"), "utf8").trim().split("\n");
    const applied = readdirSync(dir)
      .filter((f) => f.startsWith("applied-"))
      .sort()
      .map((f) => parse(readFileSync(join(dir, f), "utf8")));
    return { ...result, calls, applied };
  }
  const ids = ["--namespace", "loadtest", "--show", SHOW, "--zone", ZONE];

  test("passes bash -n", () => {
    const result = Bun.spawnSync(["bash", "-n", runScript], { stderr: "pipe" });
    expect(result.stderr.toString()).toBe("");
    expect(result.exitCode).toBe(0);
  });

  test("prints its usage and exits 2 without arguments, or with bad ones", () => {
    const bare = run([]);
    expect(bare.code).toBe(2);
    expect(bare.stderr).toContain("usage: loadtest/run-testrun.sh --namespace NS --show SHOW_ID --zone ZONE_ID");
    for (const args of [
      ["--namespace", "x"],
      [...ids.slice(0, 4), "--zone", "not-a-uuid"],
      [...ids, "--target-rps", "0"],
      [...ids, "--bogus"],
    ]) {
      const bad = run(args);
      expect(bad.code).toBe(2);
      expect(bad.stderr).toContain("usage:");
    }
  });

  test("uploads the script, applies a TestRun with the ids filled in, waits for finished and prints the runners' summary", () => {
    const result = withFakeKubectl([...ids, "--target-rps", "750"], {
      FAKE_STAGES: "initialization,created,started,started,finished",
      FAKE_RUNNER_LOG: "setup: 200 buyers ready\\n  checks_succeeded...: 100.00%\\n  oversold.......: 0.00%\\n",
    });
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    // The two sides of `kubectl create --dry-run | kubectl apply` run at once: either may log first.
    expect(result.calls.slice(1, 3)).toContainEqual(
      expect.stringMatching(
        /^create configmap flash-sale-script --namespace loadtest --from-file=flash-sale\.js=.*\/loadtest\/k6\/flash-sale\.js --dry-run=client -o yaml$/,
      ),
    );
    expect(result.calls.some((c) => /\bdelete\b/.test(c))).toBe(false);

    const [configMap, testRun] = result.applied;
    expect(configMap.kind).toBe("ConfigMap");
    expect(configMap.metadata.name).toBe("flash-sale-script");
    expect(testRun.kind).toBe("TestRun");
    expect(testRun.metadata.name).toMatch(/^flash-sale-\d{8}-\d{6}$/);
    const env = Object.fromEntries(testRun.spec.runner.env.map((e: Json) => [e.name, e.value]));
    expect([env.SHOW_ID, env.ZONE_ID, env.TARGET_RPS]).toEqual([SHOW, ZONE, "750"]);
    expect(env.BASE_URL).toBe("http://ingress-nginx-controller.ingress-nginx.svc.cluster.local/api/v1");
    expect(env.API_HOST).toBe("booking-rush.localhost");
    expect(JSON.stringify(testRun)).not.toContain("__");
    const validate = testRunValidator();
    expect(validate(testRun)).toBe(true);

    expect(result.calls).toContain(`get testrun ${testRun.metadata.name} --namespace loadtest -o jsonpath={.status.stage}`);
    expect(result.stdout).toContain(`=== runners of ${testRun.metadata.name}`);
    expect(result.stdout).toContain(`--- ${testRun.metadata.name}-1 ---`);
    expect(result.stdout).toContain("oversold.......: 0.00%");
    expect(result.stdout).toContain(`TestRun ${testRun.metadata.name} finished`);
  });

  test("--queue-event fills in the waiting room's event; without it the run has none", () => {
    const event = "66666666-6666-4666-8666-666666666666";
    const queued = withFakeKubectl([...ids, "--queue-event", event], { FAKE_STAGES: "finished" });
    expect(queued.code).toBe(0);
    expect(queued.stdout).toContain(`through the waiting room of event ${event}`);
    const envOf = (run: Json) => Object.fromEntries(run.spec.runner.env.map((e: Json) => [e.name, e.value]));
    expect(envOf(queued.applied[1]).QUEUE_EVENT_ID).toBe(event);
    expect(testRunValidator()(queued.applied[1])).toBe(true);
    const plain = withFakeKubectl(ids, { FAKE_STAGES: "finished" });
    expect(envOf(plain.applied[1]).QUEUE_EVENT_ID).toBe("");
    const bad = run([...ids, "--queue-event", "not-a-uuid"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("--queue-event must be a UUID");
  });

  test("--base-url replaces the API address", () => {
    const result = withFakeKubectl([...ids, "--base-url", "http://api.staging.svc:8080/api/v1"], { FAKE_STAGES: "finished" });
    expect(result.code).toBe(0);
    const env = Object.fromEntries(result.applied[1].spec.runner.env.map((e: Json) => [e.name, e.value]));
    expect(env.BASE_URL).toBe("http://api.staging.svc:8080/api/v1");
  });

  test("--runner-image swaps the initializer's and the runners' image, and nothing else", () => {
    const local = withFakeKubectl([...ids, "--runner-image", "imported.local/k6:1.8.1"], { FAKE_STAGES: "finished" });
    expect(local.code).toBe(0);
    const plain = withFakeKubectl(ids, { FAKE_STAGES: "finished" });
    expect(plain.code).toBe(0);
    const [swapped, unchanged] = [local.applied[1], plain.applied[1]];
    expect(swapped.spec.runner.image).toBe("imported.local/k6:1.8.1");
    expect(swapped.spec.initializer.image).toBe("imported.local/k6:1.8.1");
    expect(unchanged.spec.runner.image).toBe("grafana/k6:1.8.1");
    expect(unchanged.spec.initializer.image).toBe("grafana/k6:1.8.1");
    const restored = clone(swapped.spec);
    restored.runner.image = unchanged.spec.runner.image;
    restored.initializer.image = unchanged.spec.initializer.image;
    expect(restored).toEqual(unchanged.spec);
    expect(testRunValidator()(swapped)).toBe(true);
    const bad = run([...ids, "--runner-image", "no tag"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("--runner-image must be an image name with a tag");
  });

  test("exits non-zero when the TestRun ends in error", () => {
    const result = withFakeKubectl(ids, { FAKE_STAGES: "started,error" });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("ended in stage error");
  });

  test("exits non-zero when the TestRun does not finish within --timeout-seconds", () => {
    const started = Date.now();
    const result = withFakeKubectl([...ids, "--timeout-seconds", "1"], { FAKE_STAGES: "started" });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("did not finish within 1 s");
    expect(Date.now() - started).toBeLessThan(15_000);
  });

  test("crossed thresholds are reported, and fail the run with --fail-on-thresholds", () => {
    const log = 'time="x" level=error msg="thresholds on metrics \'oversold\' have been crossed"\\n';
    const lenient = withFakeKubectl(ids, { FAKE_STAGES: "finished", FAKE_RUNNER_LOG: log });
    expect(lenient.code).toBe(0);
    expect(lenient.stdout).toContain("but thresholds were crossed");
    const strict = withFakeKubectl([...ids, "--fail-on-thresholds"], { FAKE_STAGES: "finished", FAKE_RUNNER_LOG: log });
    expect(strict.code).toBe(1);
  });
});
