/**
 * Runs a mutating Lua script and acknowledges it only once the replicas have it (`WAIT <n> <ms>` on
 * the same connection; n: every replica the Sentinels consider up, at least `replicas`, see
 * replica-target.ts), so an acknowledged write survives a Sentinel failover.
 *
 * Group commit: WAIT waits until the replicas have every earlier write of its connection, so one
 * WAIT covers every script (and `alongside` write) sent on that connection before it. Each
 * connection sends the scripts as they come and, once their replies are in, one WAIT for all of
 * them; scripts that arrive while a WAIT is out are covered by the next one. A WAIT blocks its
 * connection, so a script goes to a connection with no WAIT out when there is one. Every write
 * a WAIT covered is acknowledged when it answers with enough replicas, and fails with
 * NotReplicatedError (503) when it times out with too few; a connection that closed between a
 * script's reply and its WAIT's answer (a failover: the WAIT may have been resent to another
 * master, where it covers nothing) fails the writes it carried the same way.
 */
import type { Redis } from "ioredis";
import { AppError } from "../errors";
import type { Logger } from "../logger";
import type { RedisConfig } from "../settings";
import { type Alongside, createLuaScripts, type LuaScript, type LuaScripts, type ScriptArgument, type ScriptRunner } from "./lua-scripts";
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

/** A ScriptRunner whose writes are acknowledged by the replicas (see ScriptRunner for `changed` and `alongside`). */
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

interface Covered {
  /** The connection's generation when the script answered: a WAIT on a later one does not cover it. */
  generation: number;
  required: number;
  resolve: () => void;
  reject: (error: unknown) => void;
}

/** One connection: its scripts, the writes no WAIT was sent for yet, and whether a WAIT is out. */
interface Lane {
  connection: Redis;
  scripts: LuaScripts;
  uncovered: Covered[];
  waiting: boolean;
  flushScheduled: boolean;
  /** Counts the connection's closes: writes answered before a close are not covered by a WAIT after it. */
  generation: number;
}

export function createDurableScripts(
  config: RedisConfig,
  logger: Logger,
  scripts: Map<string, LuaScript>,
  options: DurableScriptsOptions,
): DurableScripts {
  const lanes: Lane[] = Array.from({ length: options.connections }, (_, index) => {
    const connection = createRedis(config, logger, `durable-${index}`);
    const lane: Lane = {
      connection,
      scripts: createLuaScripts(connection, scripts),
      uncovered: [],
      waiting: false,
      flushScheduled: false,
      generation: 0,
    };
    connection.on("close", () => {
      lane.generation += 1;
    });
    return lane;
  });
  const target = createReplicaTarget(config, logger, options.replicas);
  let next = 0;

  /** A connection with no WAIT out (its script runs at once), else the next in turn. */
  function pickLane(): Lane {
    for (let step = 0; step < lanes.length; step += 1) {
      const lane = lanes[(next + step) % lanes.length]!;
      if (!lane.waiting) {
        next = (next + step + 1) % lanes.length;
        return lane;
      }
    }
    const lane = lanes[next]!;
    next = (next + 1) % lanes.length;
    return lane;
  }

  /** Sends one WAIT for every write of the lane that has none yet; the next one goes when it answers. */
  function flush(lane: Lane) {
    lane.flushScheduled = false;
    if (lane.waiting || lane.uncovered.length === 0) return;
    const batch = lane.uncovered;
    lane.uncovered = [];
    lane.waiting = true;
    const required = Math.max(...batch.map((write) => write.required));
    (lane.connection.call("WAIT", required, options.waitTimeoutMs) as Promise<number>).then(
      (acknowledged) => {
        lane.waiting = false;
        for (const write of batch) {
          if (acknowledged >= write.required && write.generation === lane.generation) write.resolve();
          else write.reject(new NotReplicatedError());
        }
        scheduleFlush(lane);
      },
      (error: unknown) => {
        lane.waiting = false;
        for (const write of batch) write.reject(error);
        scheduleFlush(lane);
      },
    );
  }

  /**
   * After the I/O turn rather than at once: the replies that came in one read all join the same
   * WAIT, and their `alongside` writes are sent before it.
   */
  function scheduleFlush(lane: Lane) {
    if (lane.flushScheduled || lane.waiting || lane.uncovered.length === 0) return;
    lane.flushScheduled = true;
    setImmediate(() => flush(lane));
  }

  function covered(lane: Lane, generation: number, required: number): Promise<void> {
    return new Promise((resolve, reject) => {
      lane.uncovered.push({ generation, required, resolve, reject });
      scheduleFlush(lane);
    });
  }

  return {
    connections: lanes.map((lane) => lane.connection),
    async run<T>(
      name: string,
      keys: string[],
      args: ScriptArgument[],
      changed: (reply: T) => boolean = () => true,
      alongside?: Alongside<T>,
    ): Promise<T> {
      const required = await target.required();
      const lane = pickLane();
      const started = performance.now();
      const reply = await lane.scripts.run<T>(name, keys, args);
      options.observe?.(name, (performance.now() - started) / 1000);
      const generation = lane.generation;
      // Sent now, so the WAIT (sent after this turn) covers it.
      const followUp = alongside?.(reply, lane.connection);
      if (!changed(reply) || required === 0) {
        await followUp;
        return reply;
      }
      await Promise.all([followUp, covered(lane, generation, required)]);
      return reply;
    },
    async close() {
      target.close();
      await Promise.all(lanes.map((lane) => closeRedis(lane.connection)));
    },
  };
}
