/**
 * The public REST API of the release (API.md), through each service's in-cluster Service, as a
 * client behind the ingress would call it, or through the release's Ingress as a client in front of
 * it does (`entry`). `send` is one request; `sendRetrying` is what a client does when a pod goes
 * away under it: the same request with the same Idempotency-Key again after a connection error or
 * a 502/503, until a deadline — and it counts those retries.
 */
import { serviceUrl } from "./release";

// biome-ignore lint/suspicious/noExplicitAny: the API's JSON answers; assertions inspect the shape
export type Answer = { status: number; body: any };
export type Service = "auth" | "catalog" | "booking" | "payment";

/**
 * Where a request enters the release: the owning service's Service (the default), or an Ingress
 * controller's address with the Host header of the release's Ingress rule, which routes the path
 * to the owning service itself (support/release.ts `ingressEntry`).
 */
export type Entry = { kind: "services" } | { kind: "ingress"; url: string; host: string };
export const throughServices: Entry = { kind: "services" };

export type Request = { token?: string; body?: unknown; idempotencyKey?: string; queuePass?: string; entry?: Entry };

function baseUrl(service: Service, entry: Entry): string {
  return entry.kind === "ingress" ? entry.url : serviceUrl(service);
}

export async function send(service: Service, method: string, path: string, request: Request = {}): Promise<Answer> {
  const entry = request.entry ?? throughServices;
  const headers: Record<string, string> = { accept: "application/json" };
  if (entry.kind === "ingress") headers.host = entry.host;
  if (request.body !== undefined) headers["content-type"] = "application/json";
  if (request.token) headers.authorization = `Bearer ${request.token}`;
  if (request.idempotencyKey) headers["idempotency-key"] = request.idempotencyKey;
  if (request.queuePass) headers["x-queue-pass"] = request.queuePass;
  const response = await fetch(`${baseUrl(service, entry)}/api/v1${path}`, {
    method,
    headers,
    body: request.body === undefined ? undefined : JSON.stringify(request.body),
    signal: AbortSignal.timeout(15_000),
  });
  const text = await response.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON (e.g. an empty body): kept as text for the failure message
  }
  return { status: response.status, body };
}

/** Outcomes of retried requests, for the assertions and the log. */
export class RetryLog {
  retries = 0;
  reasons = new Map<string, number>();
  note(reason: string) {
    this.retries++;
    this.reasons.set(reason, (this.reasons.get(reason) ?? 0) + 1);
  }
  toString() {
    return `${this.retries} retries (${[...this.reasons].map(([reason, count]) => `${reason}: ${count}`).join(", ") || "none"})`;
  }
}

const retryable = new Set([502, 503, 504]);

export async function sendRetrying(
  service: Service,
  method: string,
  path: string,
  request: Request,
  log: RetryLog,
  { deadlineMs = 120_000, pauseMs = 250 } = {},
): Promise<Answer> {
  const deadline = Date.now() + deadlineMs;
  for (;;) {
    let reason: string;
    try {
      const answer = await send(service, method, path, request);
      if (!retryable.has(answer.status)) return answer;
      reason = `${answer.status} ${answer.body?.error?.code ?? ""}`.trim();
    } catch (error) {
      reason = error instanceof Error ? ((error as { code?: string }).code ?? error.name) : "error";
    }
    if (Date.now() > deadline) throw new Error(`${method} ${path} still failing after ${deadlineMs} ms: ${reason}`);
    log.note(reason);
    await Bun.sleep(pauseMs);
  }
}

export function expectStatus(answer: Answer, status: number, what: string) {
  if (answer.status !== status) throw new Error(`${what}: expected ${status}, got ${answer.status} ${JSON.stringify(answer.body)}`);
  return answer.body;
}

export const hoursFromNow = (hours: number) => new Date(Date.now() + hours * 3_600_000).toISOString();

/**
 * A 503 says nothing was changed and to retry later (a busy node, a Redis failover still settling):
 * a client tries the same request again, a few times with a growing pause (about 15 s in all).
 */
export async function sendAgainOn503(service: Service, method: string, path: string, request: Request = {}): Promise<Answer> {
  let answer = await send(service, method, path, request);
  for (let attempt = 1; answer.status === 503 && attempt < 6; attempt++) {
    await Bun.sleep(1_000 * attempt);
    answer = await send(service, method, path, request);
  }
  return answer;
}

/** A buyer registered (registration signs the buyer in) through the auth service. */
export async function newBuyer(
  tag: string,
  entry: Entry = throughServices,
): Promise<{ email: string; password: string; token: string; id: string }> {
  const email = `${tag}-${crypto.randomUUID().slice(0, 8)}@cluster.test`;
  const password = "cluster-test-password";
  const answer = await sendAgainOn503("auth", "POST", "/auth/register", { body: { email, password, name: tag }, entry });
  const session = expectStatus(answer, 201, `register ${email}`).data;
  return { email, password, token: session.tokens.access_token, id: session.user.id };
}

export async function logIn(email: string, password: string, entry: Entry = throughServices): Promise<string> {
  return expectStatus(await send("auth", "POST", "/auth/login", { body: { email, password }, entry }), 200, `login ${email}`).data.tokens
    .access_token;
}

/** A published event with one show in two days and one general-admission zone of `seats` places. */
export async function publishedZone(organizerToken: string, seats: number, title: string) {
  const event = expectStatus(
    await sendAgainOn503("catalog", "POST", "/events", {
      token: organizerToken,
      body: {
        title,
        description: "cluster test",
        category: "concerts",
        venue: "Node Arena",
        booking_opens_at: hoursFromNow(-1),
        booking_closes_at: hoursFromNow(24),
        max_tickets_per_user: 4,
      },
    }),
    201,
    "create event",
  ).data;
  const show = expectStatus(
    await sendAgainOn503("catalog", "POST", `/events/${event.id}/shows`, {
      token: organizerToken,
      body: { starts_at: hoursFromNow(48), ends_at: hoursFromNow(51) },
    }),
    201,
    "create show",
  ).data;
  const zone = expectStatus(
    await sendAgainOn503("catalog", "POST", `/shows/${show.id}/zones`, {
      token: organizerToken,
      body: { name: "Standing", price: 150_000, total_seats: seats },
    }),
    201,
    "create zone",
  ).data;
  expectStatus(await sendAgainOn503("catalog", "POST", `/events/${event.id}/publish`, { token: organizerToken }), 200, "publish");
  return { eventId: event.id as string, showId: show.id as string, zoneId: zone.id as string };
}

export type ZoneStatus = {
  zone_id: string;
  verdict: string;
  redis: { available: number; reserved: number; sold: number; waitlisted: number; seq: number } | null;
  postgres: { available: number; reserved: number; sold: number; waitlisted: number; applied_seq: number };
};

export async function inventoryStatus(adminToken: string, showId: string): Promise<ZoneStatus[]> {
  return expectStatus(
    await send("booking", "GET", `/admin/inventory-status?show_id=${showId}`, { token: adminToken }),
    200,
    "inventory status",
  ).data;
}
