/**
 * Token-bucket rate limits in Redis (lua/rate-limit.lua), for the limits of shared/design/API.md
 * ("rate/burst per minute per client"): login 5/3, register 3/2, other 100/20.
 *
 * A request names one or more subjects, e.g. the client's address and the e-mail it logs in as;
 * each has its own bucket per rule and the request is admitted only when every one of them has a
 * token (a refusal spends nothing). Refused: RATE_LIMITED (429) with Retry-After.
 *
 * Counting writes the buckets, so a Redis that refuses writes (NOREPLICAS while no replica is in
 * sync, READONLY during a failover) or cannot be reached cannot count; each rule says what then
 * happens (`whenUnwritable`): by default the script's error surfaces and the kernel answers 503
 * (the limit fails closed); "admit" lets the request through uncounted (fail open), "local" counts
 * it in a bucket of this process instead.
 *
 * Keys: `{rl:<rule>}:<kind>:<sha256 of the value>`. The hash keeps addresses and e-mails out of
 * Redis' key space and bounds the key length; the shared `{rl:<rule>}` hash tag keeps every bucket
 * of one call in one Cluster slot (the script takes several keys atomically).
 */
import { Elysia } from "elysia";
import type { LuaScripts } from "../clients/lua-scripts";
import { takeRateLimitTokens } from "../clients/rate-limit-script";
import { rateLimited } from "../errors";
import { type ClientAddressOptions, clientAddress, type RequestIpSource } from "./client-address";
import { dependencyOf } from "./dependency-errors";

export interface RateLimitRule {
  /** Names the buckets, e.g. `login`; rules with different names never share a bucket. */
  name: string;
  /** Refill: tokens per minute. */
  perMinute: number;
  /** Bucket size: how many requests may come at once after a quiet period. */
  burst: number;
  /** When Redis cannot write the buckets: "refuse" (503, the default), "admit" (fail open) or "local" (a per-process bucket). */
  whenUnwritable?: UnwritableBuckets;
}

/**
 * - "refuse": 503 SERVICE_UNAVAILABLE, the limit fails closed;
 * - "admit": the request passes uncounted, for cheap anonymous reads that must not go down with
 *   the write path;
 * - "local": the same rule in memory of this process, so it still holds per process (N processes
 *   admit at most N times the rate) while Redis cannot count; buckets start full.
 */
export type UnwritableBuckets = "refuse" | "admit" | "local";

/** What a request is counted against: `{ kind: "ip", value: "203.0.113.7" }`, `{ kind: "email", value }`. */
export interface RateLimitSubject {
  kind: string;
  value: string;
}

export interface RateLimitDecision {
  admitted: boolean;
  /** Whole tokens left in the emptiest bucket after this request (0 when refused). */
  remaining: number;
  /** When refused: milliseconds until every bucket has a token again. */
  retryAfterMs: number;
  /** Set when Redis could not count the request: let through uncounted, or decided by the per-process bucket. */
  fallback?: "admitted" | "local";
}

export interface RateLimiter {
  /** Counts one request against every subject's bucket; decides without throwing. Subjects may be empty (admitted). */
  check(rule: RateLimitRule, subjects: RateLimitSubject[]): Promise<RateLimitDecision>;
  /** As check, but a refusal throws RATE_LIMITED with Retry-After. */
  take(rule: RateLimitRule, subjects: RateLimitSubject[]): Promise<void>;
}

export interface RateLimiterOptions {
  /** Called once per decision, e.g. for a `rate_limited_total{rule}` counter. */
  observe?: (rule: RateLimitRule, decision: RateLimitDecision) => void;
  /** Most buckets the per-process fallback keeps (least recently used dropped first); default 10,000. */
  localBuckets?: number;
}

export const rateLimitKey = (rule: string, subject: RateLimitSubject) =>
  `{rl:${rule}}:${subject.kind}:${new Bun.CryptoHasher("sha256").update(subject.value).digest("hex")}`;

/** `scripts` must include lua/rate-limit.lua (readLuaScripts(luaDirectory) does). */
export function createRateLimiter(scripts: LuaScripts, options: RateLimiterOptions = {}): RateLimiter {
  const local = localBuckets(options.localBuckets ?? 10_000);
  const decide = async (rule: RateLimitRule, keys: string[]): Promise<RateLimitDecision> => {
    try {
      const [admitted, retryAfterMs, remaining] = await takeRateLimitTokens(scripts, {
        buckets: keys,
        burst: rule.burst,
        perMinute: rule.perMinute,
      });
      return { admitted: admitted === 1, remaining, retryAfterMs };
    } catch (error) {
      const whenUnwritable = rule.whenUnwritable ?? "refuse";
      // Only "Redis cannot write or be reached" (the one dependency here); a script bug still surfaces.
      if (whenUnwritable === "refuse" || dependencyOf(error) === undefined) throw error;
      if (whenUnwritable === "admit") return { admitted: true, remaining: rule.burst, retryAfterMs: 0, fallback: "admitted" };
      return { ...local(rule, keys), fallback: "local" };
    }
  };
  const check = async (rule: RateLimitRule, subjects: RateLimitSubject[]): Promise<RateLimitDecision> => {
    if (subjects.length === 0) return { admitted: true, remaining: rule.burst, retryAfterMs: 0 };
    const decision = await decide(rule, [...new Set(subjects.map((subject) => rateLimitKey(rule.name, subject)))]);
    options.observe?.(rule, decision);
    return decision;
  };
  return {
    check,
    async take(rule, subjects) {
      const decision = await check(rule, subjects);
      if (!decision.admitted) throw rateLimited(decision.retryAfterMs / 1000);
    },
  };
}

/**
 * The arithmetic of lua/_token-bucket.lua in this process's memory: admitted only when every
 * bucket has a whole token, then one is spent from each; a missing bucket is full. The map keeps
 * recently used buckets last, so past `maxEntries` the least recently used go first.
 */
function localBuckets(maxEntries: number) {
  const buckets = new Map<string, { tokens: number; updatedMs: number }>();
  return (rule: RateLimitRule, keys: string[]): Omit<RateLimitDecision, "fallback"> => {
    const now = Date.now();
    const perMs = rule.perMinute / 60_000;
    const levels = keys.map((key) => {
      const bucket = buckets.get(key);
      return bucket ? Math.min(rule.burst, bucket.tokens + (now - bucket.updatedMs) * perMs) : rule.burst;
    });
    const retryAfterMs = Math.max(0, ...levels.map((tokens) => (tokens < 1 ? Math.ceil((1 - tokens) / perMs) : 0)));
    if (retryAfterMs > 0) return { admitted: false, remaining: 0, retryAfterMs };
    for (const [index, key] of keys.entries()) {
      buckets.delete(key);
      buckets.set(key, { tokens: levels[index]! - 1, updatedMs: now });
    }
    for (const key of buckets.keys()) {
      if (buckets.size <= maxEntries) break;
      buckets.delete(key);
    }
    return { admitted: true, remaining: Math.floor(Math.min(...levels) - 1), retryAfterMs: 0 };
  };
}

/** What a route's limit is counted against besides the client address. */
export interface RateLimitPolicy {
  rule: RateLimitRule;
  /** Count against the client's address (default true); skipped when the address is unknown. */
  byAddress?: boolean;
  /** Further subjects from the validated request, e.g. `({ body }) => [{ kind: "email", value: body.email.toLowerCase() }]`. */
  subjects?: (request: { body: unknown; request: Request }) => RateLimitSubject[];
  /** What a GET or HEAD of the route gets when its buckets cannot be written, instead of the rule's own choice. */
  readsWhenUnwritable?: UnwritableBuckets;
}

const isRead = (method: string) => method === "GET" || method === "HEAD";

let plugins = 0;

/**
 * A route opts in with `{ rateLimit: policy }`. The check runs in beforeHandle, i.e. after the
 * request passed its schema (a malformed request costs nothing and is answered 400) and before the
 * handler does any expensive work.
 */
export const rateLimitPlugin = (limiter: RateLimiter, addressOptions: ClientAddressOptions) => {
  // A seed per limiter: Elysia deduplicates plugins by name and seed, and two services in one process
  // (services/all) each bring their own limiter.
  plugins += 1;
  return new Elysia({ name: "kernel.rate-limit", seed: plugins }).macro({
    rateLimit: (policy: RateLimitPolicy) => ({
      async beforeHandle({ body, request, server }) {
        const subjects: RateLimitSubject[] = [];
        if (policy.byAddress !== false) {
          const address = clientAddress(request, server as RequestIpSource | null, addressOptions);
          if (address !== null) subjects.push({ kind: "ip", value: address });
        }
        if (policy.subjects) subjects.push(...policy.subjects({ body, request }));
        const reads = policy.readsWhenUnwritable;
        await limiter.take(reads && isRead(request.method) ? { ...policy.rule, whenUnwritable: reads } : policy.rule, subjects);
      },
    }),
  });
};
