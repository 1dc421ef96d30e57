// Booking Rush: a flash sale, run in the cluster by the k6-operator (loadtest/k8s/testrun.yaml,
// started by loadtest/run-testrun.sh) or by hand: `k6 run -e BASE_URL=... -e SHOW_ID=... -e ZONE_ID=... flash-sale.js`.
//
// Buyers arrive at a rising rate (`ramping-arrival-rate`) and each one tries to hold one place in
// one general-admission zone: POST /bookings/reserve. A hold (201) is paid for (POST /payments,
// 202) and the booking polled (GET /bookings/:id) until the payment saga confirms it. 409
// (INSUFFICIENT_STOCK once sold out, MAX_PER_USER_EXCEEDED) and 429 (RATE_LIMITED, the per-user
// token bucket) are what a flash sale answers most buyers, so they are expected statuses, not
// failures. At the end, teardown() asks the booking service's admin API for the zone as PostgreSQL
// and Redis each see it (GET /admin/inventory-status) and checks that neither oversold and that they
// agree. A run fails (non-zero exit) on a threshold: failed checks, no booking confirmed or too few
// of the holds confirmed (a sold-out zone, a broken payment path), a slow confirmation, an oversell.
// handleSummary() prints the outcome with the rejected reservations broken down by error code.
//
// With QUEUE_EVENT_ID set (the show's event, its waiting room on), the run is the flash sale with
// the queue instead (scenario flash_sale_queue): every buyer arrives at once (one iteration per VU),
// joins the waiting room (POST /queue/join), polls GET /queue/status as its Retry-After hint says
// (bounded: QUEUE_MAX_POLLS polls, QUEUE_MAX_WAIT_SECONDS) until admitted, then reserves with the
// queue pass in X-Queue-Pass and pays as above. A buyer told sold_out or closed stops there; one
// still waiting at the bound gives up. Every outcome is counted (queue_outcomes{outcome}), the time
// from joining to admission is queue_wait, and a run where nobody was admitted fails.
//
// Environment (all read once, in the init context):
//   BASE_URL          API base with /api/v1 (default: the ingress controller's in-cluster Service)
//   API_HOST          Host header for the ingress (the chart's ingress.host), when BASE_URL is the controller
//   SHOW_ID, ZONE_ID  the published show and its general-admission zone (required)
//   ADMIN_TOKEN       an access token of an admin of the show's tenant, for teardown's inventory
//                     check (required: without it the no-oversell check cannot run and the run fails)
//   TARGET_RPS        arrival rate reached after the ramp, iterations/s over all runners (200)
//   RAMP_SECONDS      ramp from 0 to TARGET_RPS (30); HOLD_SECONDS: then held (60)
//   PRE_ALLOCATED_VUS (TARGET_RPS), MAX_VUS (4 x TARGET_RPS): split over the runners like the rate
//   USERS             buyers registered and logged in by setup() (200)
//   MIN_USERS         setup() fails when fewer buyers got a token (USERS)
//   SETUP_BATCH       parallel register/login requests in setup() (20)
//   RESERVE_P95_MS    threshold on the reserve request's p95 (500); MAX_FAILED_RATE on http_req_failed (0.01)
//   POLLS, POLL_INTERVAL_SECONDS  how long a paid booking is watched (10 x 0.5 s)
//   MIN_CHECKS_RATE   threshold on the share of checks that pass (0.99)
//   MIN_CONFIRMED     threshold on bookings confirmed in the run (1); MIN_CONFIRMED_RATE: on the
//                     share of holds that end confirmed (0.95)
//   CONFIRM_P95_MS    threshold on time_to_confirm's p95, reserve to confirmed (4000)
//   INVENTORY_POLLS   teardown's tries for PostgreSQL to catch up with Redis (20, 1 s apart)
//   QUEUE_EVENT_ID    the show's event: set, the buyers go through its waiting room (flash_sale_queue)
//   QUEUE_BUYERS      buyers arriving at once in the queue run, one VU each (USERS)
//   QUEUE_MAX_WAIT_SECONDS, QUEUE_MAX_POLLS  how long, and how many polls, a buyer waits at most (600, 300)
//   QUEUE_POLL_SECONDS  the poll interval when an answer has no Retry-After (2); a hint is used
//                     within 0.5-30 s
//
// Notes for a real run:
// - The auth service limits registrations and logins per client address (REGISTER_RATE_PER_MINUTE 3,
//   LOGIN_RATE_PER_MINUTE 5 by default). Every buyer of one runner comes from that runner's pod, so
//   setup() can only register USERS buyers when those limits are raised for the load-test release
//   (or the rate-limited requests are retried for a long time). setup() retries each 429 a bounded
//   number of times and then fails with a message saying so.
// - Each buyer may hold at most the event's max_tickets_per_user (4 by default); to see the zone
//   sell out, USERS x max_tickets_per_user must exceed the zone's total.
// - The k6-operator runs setup() and teardown() in every runner (grafana/k6-operator#223), so each
//   runner registers its own USERS buyers (the e-mails carry a random run id) and checks the zone.

import { check, fail, sleep } from "k6";
import { randomBytes } from "k6/crypto";
import exec from "k6/execution";
import http from "k6/http";
import { Counter, Rate, Trend } from "k6/metrics";

function envString(name, fallback) {
  const raw = __ENV[name];
  return raw === undefined || raw === "" ? fallback : raw;
}

function envNumber(name, fallback, { integer = true, min = 0 } = {}) {
  const raw = __ENV[name];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < min || (integer && !Number.isInteger(value))) {
    throw new Error(`${name} must be ${integer ? "an integer" : "a number"} >= ${min}, got "${raw}"`);
  }
  return value;
}

const BASE_URL = envString("BASE_URL", "http://ingress-nginx-controller.ingress-nginx.svc.cluster.local/api/v1").replace(/\/+$/, "");
// The ingress routes /api/v1/* by host: inside the cluster the runners reach the ingress controller's
// Service and name the API's host here (the chart's ingress.host).
const API_HOST = envString("API_HOST", "");
const SHOW_ID = envString("SHOW_ID", "");
const ZONE_ID = envString("ZONE_ID", "");
const TARGET_RPS = envNumber("TARGET_RPS", 200, { min: 1 });
const RAMP_SECONDS = envNumber("RAMP_SECONDS", 30, { min: 1 });
const HOLD_SECONDS = envNumber("HOLD_SECONDS", 60);
const PRE_ALLOCATED_VUS = envNumber("PRE_ALLOCATED_VUS", TARGET_RPS, { min: 1 });
const MAX_VUS = Math.max(PRE_ALLOCATED_VUS, envNumber("MAX_VUS", TARGET_RPS * 4, { min: 1 }));
const USERS = envNumber("USERS", 200, { min: 1 });
const MIN_USERS = Math.min(USERS, envNumber("MIN_USERS", USERS, { min: 1 }));
const SETUP_BATCH = envNumber("SETUP_BATCH", 20, { min: 1 });
const SETUP_ROUNDS = envNumber("SETUP_ROUNDS", 3, { min: 1 });
const RESERVE_P95_MS = envNumber("RESERVE_P95_MS", 500, { integer: false, min: 1 });
const MAX_FAILED_RATE = envNumber("MAX_FAILED_RATE", 0.01, { integer: false });
const POLLS = envNumber("POLLS", 10, { min: 1 });
const POLL_INTERVAL_SECONDS = envNumber("POLL_INTERVAL_SECONDS", 0.5, { integer: false });
const PASSWORD = envString("BUYER_PASSWORD", "flash-sale-buyer-1");
const ADMIN_TOKEN = envString("ADMIN_TOKEN", "");
const MIN_CHECKS_RATE = envNumber("MIN_CHECKS_RATE", 0.99, { integer: false });
const MIN_CONFIRMED = envNumber("MIN_CONFIRMED", 1, { min: 1 });
const MIN_CONFIRMED_RATE = envNumber("MIN_CONFIRMED_RATE", 0.95, { integer: false });
const CONFIRM_P95_MS = envNumber("CONFIRM_P95_MS", 4000, { integer: false, min: 1 });
const INVENTORY_POLLS = envNumber("INVENTORY_POLLS", 20, { min: 1 });
const QUEUE_EVENT_ID = envString("QUEUE_EVENT_ID", "");
const QUEUE_BUYERS = envNumber("QUEUE_BUYERS", USERS, { min: 1 });
const QUEUE_MAX_WAIT_SECONDS = envNumber("QUEUE_MAX_WAIT_SECONDS", 600, { min: 1 });
const QUEUE_MAX_POLLS = envNumber("QUEUE_MAX_POLLS", 300, { min: 1 });
const QUEUE_POLL_SECONDS = envNumber("QUEUE_POLL_SECONDS", 2, { integer: false, min: 0.5 });
// The bounds a server's Retry-After hint is held to: never a busy loop, never a stall.
const QUEUE_MIN_POLL_SECONDS = 0.5;
const QUEUE_MAX_POLL_SECONDS = 30;
// How a buyer's time in the waiting room ends; each a submetric for the summary's breakdown.
const QUEUE_OUTCOMES = ["admitted", "sold_out", "closed", "gave_up", "join_failed"];

// The codes a rejected reservation is broken down by in the summary (each a submetric declared
// through a threshold that always holds); any other code still counts in reservations_rejected.
const REJECTION_CODES = [
  "INSUFFICIENT_STOCK",
  "MAX_PER_USER_EXCEEDED",
  "RATE_LIMITED",
  "BOOKING_NOT_OPEN",
  "VALIDATION_ERROR",
  "UNAUTHORIZED",
  "SERVICE_UNAVAILABLE",
  "INTERNAL_ERROR",
];

// Only these statuses are unexpected-free: http_req_failed then counts real failures (5xx, 4xx
// other than the flash sale's 409 and 429, timeouts).
http.setResponseCallback(http.expectedStatuses({ min: 200, max: 299 }, 409, 429));

// A paid booking is watched for at most POLLS x POLL_INTERVAL_SECONDS after its requests.
const BOOKING_WATCH_SECONDS = Math.ceil(POLLS * POLL_INTERVAL_SECONDS);

const flashSale = {
  executor: "ramping-arrival-rate",
  startRate: 0,
  timeUnit: "1s",
  preAllocatedVUs: PRE_ALLOCATED_VUS,
  maxVUs: MAX_VUS,
  stages: [
    { target: TARGET_RPS, duration: `${RAMP_SECONDS}s` },
    { target: TARGET_RPS, duration: `${HOLD_SECONDS}s` },
  ],
  gracefulStop: `${BOOKING_WATCH_SECONDS + 30}s`,
};

// Everyone at the same instant, as a sale's opening brings them; each buyer waits its turn.
const flashSaleQueue = {
  executor: "per-vu-iterations",
  vus: QUEUE_BUYERS,
  iterations: 1,
  maxDuration: `${QUEUE_MAX_WAIT_SECONDS + BOOKING_WATCH_SECONDS + 60}s`,
};

export const options = {
  scenarios: QUEUE_EVENT_ID ? { flash_sale_queue: flashSaleQueue } : { flash_sale: flashSale },
  setupTimeout: envString("SETUP_TIMEOUT", "10m"),
  teardownTimeout: envString("TEARDOWN_TIMEOUT", "1m"),
  thresholds: {
    http_req_failed: [`rate<${MAX_FAILED_RATE}`],
    "http_req_duration{endpoint:reserve}": [`p(95)<${RESERVE_P95_MS}`],
    oversold: ["rate==0"],
    inventory_mismatch: ["rate==0"],
    // A run that bought nothing, or whose holds were not confirmed, is a failed run.
    checks: [`rate>=${MIN_CHECKS_RATE}`],
    bookings_confirmed: [`count>=${MIN_CONFIRMED}`],
    reservations_confirmed: [`rate>=${MIN_CONFIRMED_RATE}`],
    time_to_confirm: [`p(95)<${CONFIRM_P95_MS}`],
    ...Object.fromEntries(REJECTION_CODES.map((code) => [`reservations_rejected{code:${code}}`, ["count>=0"]])),
    // The queue run: nobody admitted is a failed run.
    ...(QUEUE_EVENT_ID
      ? {
          queue_admitted: ["count>=1"],
          ...Object.fromEntries(QUEUE_OUTCOMES.map((outcome) => [`queue_outcomes{outcome:${outcome}}`, ["count>=0"]])),
        }
      : {}),
  },
  summaryTrendStats: ["avg", "min", "med", "p(90)", "p(95)", "p(99)", "max"],
};

const reservationsMade = new Counter("reservations_made");
const reservationsRejected = new Counter("reservations_rejected");
const bookingsConfirmed = new Counter("bookings_confirmed");
const timeToConfirm = new Trend("time_to_confirm", true);
const reservationsConfirmed = new Rate("reservations_confirmed");
const oversold = new Rate("oversold");
const inventoryMismatch = new Rate("inventory_mismatch");
const queueAdmitted = new Counter("queue_admitted");
const queueOutcomes = new Counter("queue_outcomes");
const queueWait = new Trend("queue_wait", true);

const FINAL_STATES = ["confirmed", "cancelled", "expired"];

function hex(bytes) {
  return Array.from(new Uint8Array(bytes), (byte) => (byte + 0x100).toString(16).slice(1)).join("");
}

/** A random (version 4) UUID from k6/crypto's random bytes. */
function uuidv4() {
  const bytes = new Uint8Array(randomBytes(16));
  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const h = hex(bytes.buffer);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

function jsonBody(response) {
  try {
    return response.json();
  } catch (_) {
    return null;
  }
}

function errorCode(response) {
  const body = jsonBody(response);
  return typeof body?.error?.code === "string" ? body.error.code : `HTTP_${response.status}`;
}

function headers(token, idempotencyKey, queuePass) {
  const result = { "Content-Type": "application/json" };
  if (API_HOST) result.Host = API_HOST;
  if (token) result.Authorization = `Bearer ${token}`;
  if (idempotencyKey) result["Idempotency-Key"] = idempotencyKey;
  if (queuePass) result["X-Queue-Pass"] = queuePass;
  return result;
}

/** The zone as GET /shows/:id/zones shows it, or null (with the reason logged). */
function readZone(when) {
  const response = http.get(`${BASE_URL}/shows/${SHOW_ID}/zones`, {
    headers: headers(),
    tags: { endpoint: "zones", name: `${BASE_URL}/shows/:id/zones` },
  });
  const body = jsonBody(response);
  if (response.status !== 200 || !body || body.success !== true || !Array.isArray(body.data)) {
    console.error(`${when}: GET /shows/${SHOW_ID}/zones answered ${response.status} ${response.body}`);
    return null;
  }
  const zone = body.data.find((candidate) => candidate.id === ZONE_ID);
  if (!zone) console.error(`${when}: show ${SHOW_ID} has no zone ${ZONE_ID} (zones: ${body.data.map((z) => z.id).join(", ")})`);
  return zone || null;
}

/** Sends one POST per pending buyer in batches; returns the buyers still rate-limited (429). */
function postInBatches(path, pending, bodyOf, onAnswer) {
  const limited = [];
  let retryAfter = 0;
  for (let start = 0; start < pending.length; start += SETUP_BATCH) {
    const slice = pending.slice(start, start + SETUP_BATCH);
    const responses = http.batch(
      slice.map((buyer) => ({
        method: "POST",
        url: `${BASE_URL}${path}`,
        body: JSON.stringify(bodyOf(buyer)),
        params: { headers: headers(), tags: { endpoint: path.slice(1).replace("/", "_") } },
      })),
    );
    responses.forEach((response, index) => {
      if (response.status === 429) {
        limited.push(slice[index]);
        retryAfter = Math.max(retryAfter, Number(response.headers["Retry-After"]) || 1);
      } else {
        onAnswer(slice[index], response);
      }
    });
  }
  return { limited, retryAfter };
}

/** Runs postInBatches for at most SETUP_ROUNDS rounds, waiting Retry-After (at most 30 s) between them. */
function postWithRetries(path, buyers, bodyOf, onAnswer) {
  let pending = buyers;
  for (let round = 1; round <= SETUP_ROUNDS && pending.length > 0; round++) {
    const { limited, retryAfter } = postInBatches(path, pending, bodyOf, onAnswer);
    pending = limited;
    if (pending.length > 0 && round < SETUP_ROUNDS) {
      console.warn(`setup: ${pending.length} ${path} requests rate-limited (429), retrying in ${Math.min(retryAfter, 30)} s`);
      sleep(Math.min(retryAfter, 30));
    }
  }
  return pending.length;
}

export function setup() {
  if (!SHOW_ID || !ZONE_ID) {
    fail(
      "SHOW_ID and ZONE_ID are required: the ids of a published show and of its general-admission zone (e.g. -e SHOW_ID=... -e ZONE_ID=...)",
    );
  }
  const zone = readZone("setup");
  if (!zone) fail(`setup: cannot read zone ${ZONE_ID} of show ${SHOW_ID} from ${BASE_URL}; see the error above`);
  const total = zone.total_seats;
  console.log(`setup: zone "${zone.name}" total ${total}, available ${zone.available}, reserved ${zone.reserved}, sold ${zone.sold}`);

  // The run id keeps the e-mails of this run (and of each k6-operator runner) apart.
  const runId = hex(randomBytes(4));
  const buyers = [];
  for (let i = 0; i < USERS; i++) {
    buyers.push({ email: `k6-${runId}-${i}@loadtest.example.com`, name: `Flash buyer ${i}`, token: null });
  }

  const registerLimited = postWithRetries(
    "/auth/register",
    buyers,
    (buyer) => ({ email: buyer.email, password: PASSWORD, name: buyer.name }),
    (buyer, response) => {
      const body = jsonBody(response);
      if (response.status === 201 && body && body.data && body.data.tokens) buyer.token = body.data.tokens.access_token;
      else if (response.status !== 409) console.warn(`setup: register ${buyer.email} answered ${response.status} ${errorCode(response)}`);
    },
  );

  const loginLimited = postWithRetries(
    "/auth/login",
    buyers,
    (buyer) => ({ email: buyer.email, password: PASSWORD }),
    (buyer, response) => {
      const body = jsonBody(response);
      if (response.status === 200 && body && body.data && body.data.tokens) buyer.token = body.data.tokens.access_token;
      else console.warn(`setup: login ${buyer.email} answered ${response.status} ${errorCode(response)}`);
    },
  );

  // A buyer whose login was refused keeps the token its registration answered with.
  const tokens = buyers.map((buyer) => buyer.token).filter((token) => typeof token === "string" && token.length > 0);
  if (tokens.length < MIN_USERS) {
    fail(
      `setup: only ${tokens.length} of ${USERS} buyers got an access token (MIN_USERS ${MIN_USERS}; ` +
        `${registerLimited} registrations and ${loginLimited} logins still rate-limited after ${SETUP_ROUNDS} rounds). ` +
        "Raise REGISTER_RATE_PER_MINUTE/REGISTER_RATE_BURST and LOGIN_RATE_PER_MINUTE/LOGIN_RATE_BURST on the auth service for the load test, or lower USERS.",
    );
  }
  console.log(`setup: ${tokens.length} buyers ready (run ${runId})`);
  // One zero sample, so bookings_confirmed exists even when nothing is ever confirmed: k6 before
  // v0.38 left a threshold on a metric without samples unjudged (grafana/k6#1346); a run that
  // bought nothing must fail on count>=MIN_CONFIRMED whatever the k6 version.
  bookingsConfirmed.add(0);
  return { tokens, total };
}

/** Seconds to wait before the next status poll: the answer's Retry-After within bounds, or the default. */
function pollDelay(response) {
  const hint = Number(response.headers["Retry-After"]);
  const seconds = Number.isFinite(hint) && response.headers["Retry-After"] !== "" ? hint : QUEUE_POLL_SECONDS;
  return Math.min(QUEUE_MAX_POLL_SECONDS, Math.max(QUEUE_MIN_POLL_SECONDS, seconds));
}

/** The queue's answer in a 200, or null. */
function queueAnswer(response) {
  const data = response.status === 200 || response.status === 201 ? jsonBody(response)?.data : null;
  return data && typeof data.status === "string" ? data : null;
}

/**
 * Joins the event's waiting room and waits, polling its status as told, until admitted: the queue
 * pass, or null when the buyer was told sold_out or closed, could not join, or gave up at the bound.
 */
function waitForQueuePass(token) {
  const started = Date.now();
  const joined = http.post(`${BASE_URL}/queue/join`, JSON.stringify({ event_id: QUEUE_EVENT_ID }), {
    headers: headers(token),
    tags: { endpoint: "queue_join" },
  });
  let answer = queueAnswer(joined);
  check(joined, { "queue join answered a place": () => answer !== null });
  if (answer === null) {
    queueOutcomes.add(1, { outcome: "join_failed" });
    return null;
  }
  const deadline = started + QUEUE_MAX_WAIT_SECONDS * 1000;
  let response = joined;
  for (let poll = 0; ; poll++) {
    if (answer?.status === "admitted" && typeof answer.queue_pass === "string") {
      queueWait.add(Date.now() - started);
      queueAdmitted.add(1);
      queueOutcomes.add(1, { outcome: "admitted" });
      return answer.queue_pass;
    }
    if (answer?.status === "sold_out" || answer?.status === "closed") {
      queueOutcomes.add(1, { outcome: answer.status });
      return null;
    }
    const left = (deadline - Date.now()) / 1000;
    if (poll >= QUEUE_MAX_POLLS || left <= 0) break;
    // Admitted by the join itself: the pass comes with the status, fetched at once.
    if (!(answer?.status === "admitted" && poll === 0)) sleep(Math.min(pollDelay(response), left));
    response = http.get(`${BASE_URL}/queue/status?event_id=${QUEUE_EVENT_ID}`, {
      headers: headers(token),
      tags: { endpoint: "queue_status", name: `${BASE_URL}/queue/status` },
    });
    // A 429 or 503 keeps the last known state and waits as its Retry-After says.
    answer = queueAnswer(response) ?? answer;
  }
  queueOutcomes.add(1, { outcome: "gave_up" });
  return null;
}

export default function (data) {
  const token = data.tokens[exec.scenario.iterationInTest % data.tokens.length];
  const queuePass = QUEUE_EVENT_ID ? waitForQueuePass(token) : null;
  if (QUEUE_EVENT_ID && queuePass === null) return;
  const started = Date.now();

  const reserve = http.post(`${BASE_URL}/bookings/reserve`, JSON.stringify({ show_id: SHOW_ID, zone_id: ZONE_ID, quantity: 1 }), {
    headers: headers(token, uuidv4(), queuePass),
    tags: { endpoint: "reserve" },
  });
  check(reserve, { "reserve status is 201, 409 or 429": (r) => r.status === 201 || r.status === 409 || r.status === 429 });
  if (reserve.status !== 201) {
    reservationsRejected.add(1, { code: errorCode(reserve) });
    return;
  }

  const booking = jsonBody(reserve)?.data || {};
  if (typeof booking.booking_id !== "string") {
    console.error(`reserve answered 201 without a booking_id: ${reserve.body}`);
    return;
  }
  reservationsMade.add(1);
  // Every hold counts, confirmed or not: a broken payment path shows as a low rate.
  let confirmed = false;
  try {
    confirmed = payAndWait(token, booking, started);
  } finally {
    reservationsConfirmed.add(confirmed);
  }
}

/** Pays for a hold and polls the booking until it settles; true when it ends confirmed. */
function payAndWait(token, booking, started) {
  const payment = http.post(`${BASE_URL}/payments`, JSON.stringify({ booking_id: booking.booking_id, method: "card" }), {
    headers: headers(token, uuidv4()),
    tags: { endpoint: "payment" },
  });
  check(payment, { "payment accepted (202)": (r) => r.status === 202 });
  if (payment.status !== 202) return false;

  let status = booking.status;
  for (let poll = 0; poll < POLLS && !FINAL_STATES.includes(status); poll++) {
    sleep(POLL_INTERVAL_SECONDS);
    const answer = http.get(`${BASE_URL}/bookings/${booking.booking_id}`, {
      headers: headers(token),
      tags: { endpoint: "booking", name: `${BASE_URL}/bookings/:id` },
    });
    const body = answer.status === 200 ? jsonBody(answer) : null;
    if (typeof body?.data?.status === "string") status = body.data.status;
  }
  check(status, { "booking ends confirmed": (s) => s === "confirmed" });
  if (status === "confirmed") {
    bookingsConfirmed.add(1);
    timeToConfirm.add(Date.now() - started);
  }
  return status === "confirmed";
}

/** The zone as the admin API shows it (PostgreSQL and Redis side by side), or null (reason logged). */
function readInventory(when) {
  const response = http.get(`${BASE_URL}/admin/inventory-status?show_id=${SHOW_ID}`, {
    headers: headers(ADMIN_TOKEN),
    tags: { endpoint: "inventory_status", name: `${BASE_URL}/admin/inventory-status` },
  });
  const body = jsonBody(response);
  if (response.status !== 200 || !body || body.success !== true || !Array.isArray(body.data)) {
    console.error(`${when}: GET /admin/inventory-status answered ${response.status} ${errorCode(response)}`);
    return null;
  }
  const zone = body.data.find((candidate) => candidate.zone_id === ZONE_ID);
  if (!zone) console.error(`${when}: inventory-status of show ${SHOW_ID} has no zone ${ZONE_ID}`);
  return zone || null;
}

const overTotal = (side, total) => side.sold + side.reserved > total || side.available < 0;

export function teardown(data) {
  if (!ADMIN_TOKEN) {
    oversold.add(true, { reason: "unverified" });
    console.error("teardown: ADMIN_TOKEN is not set; the no-oversell check (GET /admin/inventory-status) could not run");
    return;
  }
  // Redis is ahead of PostgreSQL until the projector has applied the last events: wait (bounded)
  // for the two to agree before judging them.
  let zone = readInventory("teardown");
  for (let poll = 1; poll < INVENTORY_POLLS && zone && zone.verdict !== "clean"; poll++) {
    sleep(1);
    zone = readInventory("teardown");
  }
  if (!zone) {
    // Unverified counts as a failure: the threshold on oversold fails the run.
    oversold.add(true, { reason: "unverified" });
    console.error("teardown: could not read the inventory; the no-oversell check failed");
    return;
  }
  const total = data && typeof data.total === "number" ? data.total : zone.postgres.available + zone.postgres.reserved + zone.postgres.sold;
  const postgresOk = !overTotal(zone.postgres, total);
  const redisOk = zone.redis !== null && !overTotal(zone.redis, total);
  const agree =
    zone.verdict === "clean" &&
    zone.redis !== null &&
    zone.redis.sold === zone.postgres.sold &&
    zone.redis.reserved === zone.postgres.reserved;
  check(zone, {
    "no oversell in PostgreSQL: sold + reserved <= total, available >= 0": () => postgresOk,
    "no oversell in Redis: sold + reserved <= total, available >= 0": () => redisOk,
    "Redis agrees with PostgreSQL": () => agree,
  });
  oversold.add(!(postgresOk && redisOk));
  inventoryMismatch.add(!agree);
  const show = (side) => (side ? `sold ${side.sold}, reserved ${side.reserved}, available ${side.available}` : "missing");
  console.log(
    `teardown: zone total ${total}; PostgreSQL ${show(zone.postgres)}; Redis ${show(zone.redis)}; verdict ${zone.verdict} -> ` +
      (postgresOk && redisOk ? "no oversell" : "OVERSOLD") +
      (agree ? "" : ", Redis and PostgreSQL DISAGREE"),
  );
}

/** The end-of-test report: thresholds, the sale's outcome, and the rejected reservations by code. */
export function handleSummary(data) {
  const metrics = data.metrics || {};
  const value = (name, field) => metrics[name]?.values?.[field];
  const lines = ["flash sale summary"];
  const failed = [];
  for (const [name, metric] of Object.entries(metrics)) {
    for (const [expression, result] of Object.entries(metric.thresholds || {})) {
      if (!result.ok) failed.push(`${name}: ${expression}`);
    }
  }
  lines.push(`  thresholds: ${failed.length === 0 ? "all passed" : `FAILED ${failed.join("; ")}`}`);
  lines.push(`  checks passed: ${((value("checks", "rate") || 0) * 100).toFixed(2)}%`);
  lines.push(`  reservations made: ${value("reservations_made", "count") || 0}`);
  lines.push(
    `  bookings confirmed: ${value("bookings_confirmed", "count") || 0} (${((value("reservations_confirmed", "rate") || 0) * 100).toFixed(2)}% of holds)`,
  );
  const p95 = value("time_to_confirm", "p(95)");
  lines.push(`  time to confirm p95: ${p95 === undefined ? "n/a" : `${Math.round(p95)} ms`}`);
  const rejected = value("reservations_rejected", "count") || 0;
  lines.push(`  reservations rejected: ${rejected}`);
  let named = 0;
  for (const code of REJECTION_CODES) {
    const count = value(`reservations_rejected{code:${code}}`, "count") || 0;
    named += count;
    if (count > 0) lines.push(`    ${code}: ${count}`);
  }
  if (rejected - named > 0) lines.push(`    other codes: ${rejected - named}`);
  if (QUEUE_EVENT_ID) {
    const outcomes = QUEUE_OUTCOMES.map((outcome) => [outcome, value(`queue_outcomes{outcome:${outcome}}`, "count") || 0]);
    lines.push(`  waiting room: ${outcomes.map(([outcome, count]) => `${outcome} ${count}`).join(", ")}`);
    const waits = ["med", "p(95)"].map((stat) => value("queue_wait", stat));
    lines.push(
      `  time in the queue: ${waits[0] === undefined ? "n/a" : `median ${(waits[0] / 1000).toFixed(1)} s, p95 ${(waits[1] / 1000).toFixed(1)} s`}`,
    );
  }
  lines.push(
    `  oversold: ${value("oversold", "rate") ? "YES" : "no"}; Redis/PostgreSQL mismatch: ${value("inventory_mismatch", "rate") ? "YES" : "no"}`,
  );
  const report = { stdout: `${lines.join("\n")}\n` };
  const jsonPath = envString("SUMMARY_JSON", "");
  if (jsonPath) report[jsonPath] = JSON.stringify(data, null, 2);
  return report;
}
