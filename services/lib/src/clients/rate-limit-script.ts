/**
 * The typed call of lua/rate-limit.lua (platform: the HTTP kernel's rate limiter runs it). Keys and
 * arguments are built here, in the order of the script's header, and nowhere else.
 */
import type { ScriptRunner } from "./lua-scripts";

export interface RateLimitCommand {
  /** The buckets' keys; under Cluster they share a hash tag (see rateLimitKey in http/rate-limit.ts). */
  buckets: string[];
  /** Bucket size, >= 1. */
  burst: number;
  /** Refill per minute, > 0. */
  perMinute: number;
}

/** [1, 0, remaining] when admitted; [0, retry_after_ms, 0] when refused (nothing spent). */
export type RateLimitReply = [admitted: 0 | 1, retryAfterMs: number, remaining: number];

/** lua/rate-limit.lua: one request against every bucket at once, admitted only if each has a token. */
export function takeRateLimitTokens(runner: ScriptRunner, command: RateLimitCommand): Promise<RateLimitReply> {
  return runner.run<RateLimitReply>("rate-limit", command.buckets, [command.burst, command.perMinute]);
}
