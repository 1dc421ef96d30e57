/**
 * Calls the payment gateway, retrying what is worth retrying: a time-out, a refused connection or
 * a 5xx is retried with exponential back-off and full jitter; a decline (402) or a bad request is
 * final. Every attempt of one payment carries the same idempotency key (the payment id), so a retry
 * after a lost answer finds the charge the gateway already made instead of making a second one.
 * Nothing is tried after the deadline (the hold's expiry): a payment that cannot finish in time
 * fails rather than charging for seats that are gone.
 */
export interface RetryPolicy {
  /** Attempts at most, the first included. */
  attempts: number;
  /** Back-off before retry n is random in [0, min(maxDelayMs, baseDelayMs * 2^(n-1))). */
  baseDelayMs: number;
  maxDelayMs: number;
  /** One attempt waits this long for an answer. */
  attemptTimeoutMs: number;
}

export type GatewayOutcome =
  | { status: "succeeded"; reference: string; attempts: number }
  | { status: "declined"; reason: string; attempts: number }
  | { status: "failed"; reason: "deadline" | "gateway_unavailable" | "gateway_rejected"; attempts: number };

export interface GatewayRequest {
  idempotencyKey: string;
  amount: number;
  currency: string;
  method?: string;
  /** Refunds: the charge to refund. */
  chargeId?: string;
}

export interface GatewayClient {
  charge(request: GatewayRequest, deadline: Date): Promise<GatewayOutcome>;
  refund(request: GatewayRequest & { chargeId: string }, deadline: Date): Promise<GatewayOutcome>;
  /**
   * Voids whatever charge the gateway made under this key, and makes sure it never makes one: for a
   * charge whose answer never came (time-outs up to the deadline), where the money may have been
   * taken all the same.
   */
  cancelCharge(idempotencyKey: string, deadline: Date): Promise<GatewayOutcome>;
}

export function createGatewayClient(baseUrl: string, policy: RetryPolicy, random: () => number = Math.random): GatewayClient {
  async function call(path: "/charges" | "/refunds" | "/charges/cancel", request: GatewayRequest, deadline: Date): Promise<GatewayOutcome> {
    let attempts = 0;
    while (attempts < policy.attempts) {
      const remaining = deadline.getTime() - Date.now();
      if (remaining <= 0) return { status: "failed", reason: "deadline", attempts };
      attempts += 1;
      let response: Response | undefined;
      try {
        response = await fetch(`${baseUrl}${path}`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({
            idempotency_key: request.idempotencyKey,
            amount: request.amount,
            currency: request.currency,
            ...(request.method ? { method: request.method } : {}),
            ...(request.chargeId ? { charge_id: request.chargeId } : {}),
          }),
          signal: AbortSignal.timeout(Math.min(policy.attemptTimeoutMs, remaining)),
        });
      } catch {
        response = undefined; // time-out or connection refused: worth another try
      }
      if (response?.status === 201 || response?.status === 200) {
        const body = (await response.json()) as { id?: string; charge_id?: string };
        return { status: "succeeded", reference: body.id ?? body.charge_id ?? "", attempts };
      }
      if (response?.status === 402) {
        const body = (await response.json().catch(() => ({}))) as { reason?: string };
        return { status: "declined", reason: body.reason ?? "declined", attempts };
      }
      if (response && response.status < 500) return { status: "failed", reason: "gateway_rejected", attempts };
      if (attempts >= policy.attempts) break;
      const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempts - 1));
      const delay = Math.floor(random() * ceiling);
      if (Date.now() + delay >= deadline.getTime()) return { status: "failed", reason: "deadline", attempts };
      await Bun.sleep(delay);
    }
    return { status: "failed", reason: "gateway_unavailable", attempts };
  }
  return {
    charge: (request, deadline) => call("/charges", request, deadline),
    refund: (request, deadline) => call("/refunds", request, deadline),
    cancelCharge: (idempotencyKey, deadline) => call("/charges/cancel", { idempotencyKey, amount: 0, currency: "" }, deadline),
  };
}
