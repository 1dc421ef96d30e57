/**
 * Token-bucket rate limits in Redis (lua/rate-limit.lua), for the limits of shared/design/API.md
 * ("rate/burst per minute per client"): login 5/3, register 3/2, other 100/20.
 *
 * A request names one or more subjects, e.g. the client's address and the e-mail it logs in as;
 * each has its own bucket per rule and the request is admitted only when every one of them has a
 * token (a refusal spends nothing). Refused: RATE_LIMITED (429) with Retry-After. Redis down: the
 * script's error surfaces and the kernel answers 503, i.e. limits fail closed.
 *
 * Keys: `{rl:<rule>}:<kind>:<sha256 of the value>`. The hash keeps addresses and e-mails out of
 * Redis' key space and bounds the key length; the shared `{rl:<rule>}` hash tag keeps every bucket
 * of one call in one Cluster slot (the script takes several keys atomically).
 */
import { Elysia } from "elysia";
import type { LuaScripts } from "../clients/lua-scripts";
import { rateLimited } from "../errors";
import { type ClientAddressOptions, clientAddress, type RequestIpSource } from "./client-address";

export interface RateLimitRule {
  /** Names the buckets, e.g. `login`; rules with different names never share a bucket. */
  name: string;
  /** Refill: tokens per minute. */
  perMinute: number;
  /** Bucket size: how many requests may come at once after a quiet period. */
  burst: number;
}

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
}

export const rateLimitKey = (rule: string, subject: RateLimitSubject) =>
  `{rl:${rule}}:${subject.kind}:${new Bun.CryptoHasher("sha256").update(subject.value).digest("hex")}`;

/** `scripts` must include lua/rate-limit.lua (readLuaScripts(luaDirectory) does). */
export function createRateLimiter(scripts: LuaScripts, options: RateLimiterOptions = {}): RateLimiter {
  const check = async (rule: RateLimitRule, subjects: RateLimitSubject[]): Promise<RateLimitDecision> => {
    if (subjects.length === 0) return { admitted: true, remaining: rule.burst, retryAfterMs: 0 };
    const keys = [...new Set(subjects.map((subject) => rateLimitKey(rule.name, subject)))];
    const [admitted, retryAfterMs, remaining] = await scripts.run<[number, number, number]>("rate-limit", keys, [rule.burst, rule.perMinute]);
    const decision = { admitted: admitted === 1, remaining, retryAfterMs };
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

/** What a route's limit is counted against besides the client address. */
export interface RateLimitPolicy {
  rule: RateLimitRule;
  /** Count against the client's address (default true); skipped when the address is unknown. */
  byAddress?: boolean;
  /** Further subjects from the validated request, e.g. `({ body }) => [{ kind: "email", value: body.email.toLowerCase() }]`. */
  subjects?: (request: { body: unknown; request: Request }) => RateLimitSubject[];
}

let plugins = 0;

/**
 * A route opts in with `{ rateLimit: policy }`. The check runs in beforeHandle, i.e. after the
 * request passed its schema (a malformed request costs nothing and is answered 400) and before the
 * handler does any expensive work.
 */
export const rateLimitPlugin = (limiter: RateLimiter, addressOptions: ClientAddressOptions) =>
  // A seed per limiter: Elysia deduplicates plugins by name and seed, and two services in one process
  // (services/all) each bring their own limiter.
  new Elysia({ name: "kernel.rate-limit", seed: (plugins += 1) }).macro({
    rateLimit: (policy: RateLimitPolicy) => ({
      async beforeHandle({ body, request, server }) {
        const subjects: RateLimitSubject[] = [];
        if (policy.byAddress !== false) {
          const address = clientAddress(request, server as RequestIpSource | null, addressOptions);
          if (address !== null) subjects.push({ kind: "ip", value: address });
        }
        if (policy.subjects) subjects.push(...policy.subjects({ body, request }));
        await limiter.take(policy.rule, subjects);
      },
    }),
  });
