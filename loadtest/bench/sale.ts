/**
 * The benchmark's sale and buyers, made the way users make them: buyers register and log in through
 * the public auth API, the organizer creates, fills and publishes the event through the catalog API.
 * The baseline and the script-alone legs get a sale loaded straight into Redis the way publishing
 * loads one (loadEventInventory), never written to PostgreSQL, and removed afterwards: the workers
 * must not see them.
 */
import { writeFileSync } from "node:fs";
import type { Redis } from "@booking-rush/lib/clients";
import { eventKeys, eventRegistryKey, loadEventInventory, showEventKey } from "@booking-rush/lib/inventory";

export interface Sale {
  eventId: string;
  showId: string;
  zoneIds: string[];
  seatsPerZone: number;
}

export interface Buyer {
  userId: string;
  accessToken: string;
}

type Envelope = { success: true; data: Record<string, unknown> } | { success: false; error: { code: string; message: string } };

/** One JSON request to the API; throws with the status and the error code on anything but 2xx. */
async function call(base: string, method: string, path: string, body?: unknown, token?: string): Promise<Record<string, unknown>> {
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (token) headers.authorization = `Bearer ${token}`;
  const response = await fetch(`${base}/api/v1${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(30_000),
  });
  const envelope = (await response.json().catch(() => undefined)) as Envelope | undefined;
  if (!response.ok || !envelope?.success) {
    const code = envelope && !envelope.success ? envelope.error.code : "no envelope";
    throw new Error(`${method} ${path}: ${response.status} ${code}`);
  }
  return envelope.data;
}

export async function login(base: string, email: string, password: string): Promise<Buyer> {
  const data = (await call(base, "POST", "/auth/login", { email, password })) as {
    user: { id: string };
    tokens: { access_token: string };
  };
  return { userId: data.user.id, accessToken: data.tokens.access_token };
}

/**
 * `count` new buyers, `concurrency` at a time: each registers, then logs in (the token used is the
 * login's). Bounded by `deadlineSeconds` overall.
 */
export async function registerBuyers(
  base: string,
  options: { count: number; concurrency: number; runId: string; deadlineSeconds: number },
): Promise<Buyer[]> {
  const password = "bench-buyer-password";
  const buyers: Buyer[] = new Array(options.count);
  const deadline = Date.now() + options.deadlineSeconds * 1000;
  let next = 0;
  await Promise.all(
    Array.from({ length: options.concurrency }, async () => {
      while (next < options.count) {
        if (Date.now() > deadline) throw new Error(`registering ${options.count} buyers took over ${options.deadlineSeconds}s`);
        const index = next++;
        const email = `buyer-${index}@${options.runId}.bench.example.com`;
        await call(base, "POST", "/auth/register", { email, password, name: `Bench buyer ${index}` });
        buyers[index] = await login(base, email, password);
      }
    }),
  );
  return buyers;
}

/** "<user id> <token>" per line, what loadtest/wrk-reserve.lua reads. */
export function writeBuyersFile(path: string, buyers: Buyer[]): void {
  writeFileSync(path, `${buyers.map((buyer) => `${buyer.userId} ${buyer.accessToken}`).join("\n")}\n`);
}

/** An organizer's sale through the catalog API: a draft event, one show, general-admission zones, then publish. */
export async function createSaleThroughApi(
  base: string,
  organizerToken: string,
  options: { title: string; zones: number; seatsPerZone: number; maxPerUser: number },
): Promise<Sale> {
  const hour = 3_600_000;
  const event = await call(
    base,
    "POST",
    "/events",
    {
      title: options.title,
      description: "Created by loadtest/bench-reserve",
      category: "concerts",
      venue: "Loopback Arena",
      booking_opens_at: new Date(Date.now() - 60_000).toISOString(),
      booking_closes_at: new Date(Date.now() + 24 * hour).toISOString(),
      max_tickets_per_user: options.maxPerUser,
    },
    organizerToken,
  );
  const eventId = event.id as string;
  const starts = Date.now() + 30 * 24 * hour;
  const show = await call(
    base,
    "POST",
    `/events/${eventId}/shows`,
    { starts_at: new Date(starts).toISOString(), ends_at: new Date(starts + 3 * hour).toISOString() },
    organizerToken,
  );
  const zoneIds: string[] = [];
  for (let index = 0; index < options.zones; index += 1) {
    const zone = await call(
      base,
      "POST",
      `/shows/${show.id}/zones`,
      { name: `Zone ${index + 1}`, price: 150_000, total_seats: options.seatsPerZone },
      organizerToken,
    );
    zoneIds.push(zone.id as string);
  }
  await call(base, "POST", `/events/${eventId}/publish`, undefined, organizerToken);
  return { eventId, showId: show.id as string, zoneIds, seatsPerZone: options.seatsPerZone };
}

/** A sale in Redis only, loaded as publishing loads one (the baseline and the script-alone legs). */
export async function loadRedisOnlySale(redis: Redis, options: { zones: number; seatsPerZone: number; maxPerUser: number }): Promise<Sale> {
  const sale: Sale = {
    eventId: crypto.randomUUID(),
    showId: crypto.randomUUID(),
    zoneIds: Array.from({ length: options.zones }, () => crypto.randomUUID()),
    seatsPerZone: options.seatsPerZone,
  };
  await loadEventInventory(redis, {
    id: sale.eventId,
    tenantId: crypto.randomUUID(),
    opensAt: new Date(Date.now() - 60_000),
    closesAt: new Date(Date.now() + 3_600_000),
    maxTicketsPerUser: options.maxPerUser,
    shows: [{ id: sale.showId, zones: sale.zoneIds.map((id) => ({ id, kind: "general", total: options.seatsPerZone, price: 1 })) }],
  });
  return sale;
}

/** Every key under an event's hash tag; answers how many were removed. */
export async function removeEventKeys(redis: Redis, eventId: string): Promise<number> {
  let cursor = "0";
  let removed = 0;
  // Bounded: SCAN ends when the cursor comes back to 0; each round unlinks what it found.
  do {
    const [next, keys] = await redis.scan(cursor, "MATCH", `${eventKeys(eventId).tag}*`, "COUNT", 5_000);
    cursor = next;
    if (keys.length > 0) removed += await redis.unlink(...keys);
  } while (cursor !== "0");
  return removed;
}

/** Every key of a Redis-only sale (its hash tag), its show lookup and its registry entry. */
export async function removeRedisOnlySale(redis: Redis, sale: Sale): Promise<number> {
  await redis.srem(eventRegistryKey, sale.eventId);
  await redis.del(showEventKey(sale.showId));
  return removeEventKeys(redis, sale.eventId);
}
