/**
 * Runs a mutating Lua script and acknowledges it only once the replicas have it (`WAIT <n> <ms>` on
 * the same connection; n: every replica the Sentinels consider up, at least `replicas`, see
 * replica-target.ts), so an acknowledged write survives a Sentinel failover. WAIT blocks the
 * connection it runs on, so writes go round-robin over a small pool of connections instead of
 * queueing behind one another's WAIT on a single one.
 */
import type { Redis } from "ioredis";
import { AppError } from "../errors";
import type { Logger } from "../logger";
import type { RedisConfig } from "../settings";
import { createLuaScripts, type LuaScript, type LuaScripts, type ScriptArgument, type ScriptRunner } from "./lua-scripts";
import { closeRedis, createRedis } from "./redis";
import { createReplicaTarget } from "./replica-target";

export interface DurableScriptsOptions {
  connections: number;
  /** Replicas a write must reach at least (0: no waiting); with Sentinels, every replica they consider up. */
  replicas: number;
  waitTimeoutMs: number;
  /** Called with each script's run time in seconds (for redis_operation_duration_seconds). */
  observe?: (script: string, seconds: number) => void;
}

/**
 * `run`'s `changed` tells from the reply whether the script wrote anything; only then is there
 * something to WAIT for. `alongside` may send follow-up writes on the same connection: they go out
 * just before the WAIT, in the same round trip, and the WAIT covers them too.
 */
export interface DurableScripts extends ScriptRunner {
  connections: Redis[];
  close(): Promise<void>;
}

export class NotReplicatedError extends AppError {
  constructor() {
    super(
      "SERVICE_UNAVAILABLE",
      "The change could not be confirmed on a replica in time; retry with the same Idempotency-Key",
      {
        dependency: "redis",
      },
      { "Retry-After": "1" },
    );
  }
}

export function createDurableScripts(
  config: RedisConfig,
  logger: Logger,
  scripts: Map<string, LuaScript>,
  options: DurableScriptsOptions,
): DurableScripts {
  const connections = Array.from({ length: options.connections }, (_, index) => createRedis(config, logger, `durable-${index}`));
  const runners: LuaScripts[] = connections.map((connection) => createLuaScripts(connection, scripts));
  const target = createReplicaTarget(config, logger, options.replicas);
  let next = 0;
  return {
    connections,
    async run<T>(
      name: string,
      keys: string[],
      args: ScriptArgument[],
      changed: (reply: T) => boolean = () => true,
      alongside?: (reply: T, connection: Redis) => Promise<unknown>,
    ): Promise<T> {
      const required = await target.required();
      const index = next;
      next = (next + 1) % connections.length;
      const started = performance.now();
      const reply = await runners[index]!.run<T>(name, keys, args);
      options.observe?.(name, (performance.now() - started) / 1000);
      const connection = connections[index]!;
      const followUp = alongside?.(reply, connection);
      if (!changed(reply)) {
        await followUp;
        return reply;
      }
      const [, acknowledged] = (await Promise.all([followUp, connection.call("WAIT", required, options.waitTimeoutMs)])) as [
        unknown,
        number,
      ];
      if (acknowledged < required) throw new NotReplicatedError();
      return reply;
    },
    async close() {
      target.close();
      await Promise.all(connections.map(closeRedis));
    },
  };
}
