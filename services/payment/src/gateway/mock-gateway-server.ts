/**
 * The payment gateway we do not run, as a real HTTP server with knobs: latency, a share of
 * transient failures (503), a share of declines (402), "fail the next n" for deterministic tests,
 * and a switch that stops it answering at all (time-outs). Like a real acquirer it is idempotent
 * on the caller's key: the same key is the same charge, never a second one. Run by tests and, for
 * local development, by scripts/run (`bun run services/payment/bin/mock-gateway.ts`).
 *
 *   POST /charges  { idempotency_key, amount, currency, method }  → 201 { id, status: "succeeded", amount } | 402 { status: "declined", reason }
 *   POST /refunds  { idempotency_key, charge_id, amount }          → 201 { id, status: "succeeded", amount } | 404
 *   POST /charges/cancel { idempotency_key }                        → 200 { status: "cancelled", charge_id? }
 *        (a "technical cancel" by our key, for a charge whose answer we never got: voids it if it was
 *        made, waits for it if it is in progress, and refuses it (409) if it arrives later)
 *   PUT  /knobs    { latency_ms?, failure_rate?, decline_rate?, fail_next?, decline_next?, timeout? }
 *   GET  /charges  → every charge and refund made, for checking "never twice"
 */
export interface GatewayKnobs {
  latencyMs: number;
  /** Share (0..1) of requests answered 503 (transient: worth retrying). */
  failureRate: number;
  /** Share (0..1) of charges declined (402: final). */
  declineRate: number;
  /** The next n requests fail with 503 / are declined, whatever the rates. */
  failNext: number;
  declineNext: number;
  /** Accept connections but never answer. */
  timeout: boolean;
}

interface GatewayRecord {
  id: string;
  kind: "charge" | "refund";
  idempotencyKey: string;
  amount: number;
  chargeId?: string;
  status: "succeeded" | "declined" | "voided";
  reason?: string;
}

/**
 * hostname: the bind address; 127.0.0.1 unless given (in-process tests), 0.0.0.0 in a pod so the
 * kubelet's probes and the payment service reach it on the pod address.
 */
export function startMockGateway(options: { hostname?: string; port?: number; knobs?: Partial<GatewayKnobs>; random?: () => number } = {}) {
  const knobs: GatewayKnobs = {
    latencyMs: 0,
    failureRate: 0,
    declineRate: 0,
    failNext: 0,
    declineNext: 0,
    timeout: false,
    ...options.knobs,
  };
  const random = options.random ?? Math.random;
  const byKey = new Map<string, GatewayRecord>();
  const records: GatewayRecord[] = [];
  const hanging = new Set<() => void>();

  const json = (status: number, body: unknown) => Response.json(body, { status });
  /** Charge keys cancelled by the caller: a charge with one of them is never made any more. */
  const cancelledKeys = new Set<string>();

  async function cancelCharge(body: { idempotency_key?: unknown }): Promise<Response> {
    if (knobs.timeout) {
      await new Promise<void>((resolve) => hanging.add(resolve));
      return json(503, { status: "unavailable" });
    }
    if (typeof body.idempotency_key !== "string") return json(400, { status: "invalid" });
    cancelledKeys.add(body.idempotency_key);
    await inFlight.get(`charge:${body.idempotency_key}`);
    const charge = byKey.get(`charge:${body.idempotency_key}`);
    if (charge?.status === "succeeded") charge.status = "voided";
    return json(200, { status: "cancelled", ...(charge ? { charge_id: charge.id } : {}) });
  }

  /** Requests in progress by key: a second request with the same key waits for the first's outcome. */
  const inFlight = new Map<string, Promise<GatewayRecord | undefined>>();

  async function answer(
    kind: GatewayRecord["kind"],
    body: { idempotency_key?: unknown; amount?: unknown; charge_id?: unknown },
  ): Promise<Response> {
    if (knobs.timeout) {
      await new Promise<void>((resolve) => hanging.add(resolve));
      return json(503, { status: "unavailable" });
    }
    if (typeof body.idempotency_key !== "string" || typeof body.amount !== "number" || !Number.isInteger(body.amount) || body.amount < 0) {
      return json(400, { status: "invalid" });
    }
    const key = `${kind}:${body.idempotency_key}`;
    const running = inFlight.get(key);
    if (running) await running;
    if (kind === "charge" && cancelledKeys.has(body.idempotency_key)) return json(409, { status: "cancelled" });
    const earlier = byKey.get(key);
    if (earlier) return earlier.status === "succeeded" ? json(201, earlier) : json(402, earlier);
    let settle: (record: GatewayRecord | undefined) => void = () => {};
    inFlight.set(key, new Promise((resolve) => (settle = resolve)));
    try {
      const outcome = await decide(kind, body as { idempotency_key: string; amount: number; charge_id?: unknown });
      settle(outcome.record);
      return outcome.response;
    } finally {
      inFlight.delete(key);
    }
  }

  async function decide(
    kind: GatewayRecord["kind"],
    body: { idempotency_key: string; amount: number; charge_id?: unknown },
  ): Promise<{ response: Response; record?: GatewayRecord }> {
    if (knobs.latencyMs > 0) await Bun.sleep(knobs.latencyMs);
    const key = `${kind}:${body.idempotency_key}`;
    if (knobs.failNext > 0) {
      knobs.failNext -= 1;
      return { response: json(503, { status: "unavailable" }) };
    }
    if (random() < knobs.failureRate) return { response: json(503, { status: "unavailable" }) };
    if (
      kind === "refund" &&
      !records.some((record) => record.kind === "charge" && record.id === body.charge_id && record.status === "succeeded")
    ) {
      return { response: json(404, { status: "unknown_charge" }) };
    }
    let declined = false;
    if (kind === "charge" && knobs.declineNext > 0) {
      knobs.declineNext -= 1;
      declined = true;
    } else if (kind === "charge" && random() < knobs.declineRate) declined = true;
    const record: GatewayRecord = {
      id: crypto.randomUUID(),
      kind,
      idempotencyKey: body.idempotency_key,
      amount: body.amount,
      ...(typeof body.charge_id === "string" ? { chargeId: body.charge_id } : {}),
      status: declined ? "declined" : "succeeded",
      ...(declined ? { reason: "card_declined" } : {}),
    };
    byKey.set(key, record);
    records.push(record);
    return { response: declined ? json(402, record) : json(201, record), record };
  }

  const server = Bun.serve({
    port: options.port ?? 0,
    hostname: options.hostname ?? "127.0.0.1",
    // A hanging request must outlive Bun's default idle timeout to be a real time-out for the client.
    idleTimeout: 0,
    async fetch(request) {
      const { pathname } = new URL(request.url);
      if (request.method === "GET" && pathname === "/charges") return json(200, records);
      // The chart probes every process on /healthz and /readyz; the mock has no dependency to wait for.
      if (request.method === "GET" && (pathname === "/healthz" || pathname === "/readyz")) return json(200, { status: "ok" });
      const body = (await request.json().catch(() => ({}))) as { [key: string]: unknown };
      if (request.method === "POST" && pathname === "/charges") return answer("charge", body);
      if (request.method === "POST" && pathname === "/charges/cancel") return cancelCharge(body);
      if (request.method === "POST" && pathname === "/refunds") return answer("refund", body);
      if (request.method === "PUT" && pathname === "/knobs") {
        const given = body as {
          latency_ms?: number;
          failure_rate?: number;
          decline_rate?: number;
          fail_next?: number;
          decline_next?: number;
          timeout?: boolean;
        };
        if (given.latency_ms !== undefined) knobs.latencyMs = given.latency_ms;
        if (given.failure_rate !== undefined) knobs.failureRate = given.failure_rate;
        if (given.decline_rate !== undefined) knobs.declineRate = given.decline_rate;
        if (given.fail_next !== undefined) knobs.failNext = given.fail_next;
        if (given.decline_next !== undefined) knobs.declineNext = given.decline_next;
        if (given.timeout !== undefined) knobs.timeout = given.timeout;
        if (!knobs.timeout) for (const release of hanging) release();
        return json(200, knobs);
      }
      return json(404, { status: "not_found" });
    },
  });

  return {
    /** Where a client on this machine reaches it: loopback when it binds every interface. */
    url: `http://${options.hostname === undefined || options.hostname === "0.0.0.0" ? "127.0.0.1" : options.hostname}:${server.port}`,
    port: server.port,
    knobs,
    records,
    /** Requests being decided right now, as `kind:key`. */
    inProgress: () => [...inFlight.keys()],
    stop() {
      for (const release of hanging) release();
      server.stop(true);
    },
  };
}

export type MockGateway = ReturnType<typeof startMockGateway>;
