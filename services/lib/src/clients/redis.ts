/**
 * Redis through Sentinel when sentinels are configured (the master is discovered, and rediscovered
 * after a failover), a direct URL otherwise. Commands fail fast instead of queueing for long, so a
 * request answers 503 while Redis is unreachable rather than hanging.
 */
import type { Socket } from "node:net";
import Redis, { type ChainableCommander, type RedisOptions } from "ioredis";
import type { Logger } from "../logger";
import type { RedisConfig } from "../settings";

export type { Redis };

export function createRedis(config: RedisConfig, logger: Logger, connectionName = "booking-rush"): Redis {
  const common: RedisOptions = {
    connectionName,
    password: config.password,
    // RESP2 keeps reply shapes (Lua tables, HGETALL) the same as every Redis client and script expects.
    protocol: 2,
    commandTimeout: config.commandTimeoutMs,
    connectTimeout: config.commandTimeoutMs,
    maxRetriesPerRequest: 1,
    retryStrategy: (attempt) => Math.min(50 * 2 ** attempt, 1_000),
    // A demoted master answers READONLY; reconnecting finds the new master and resends the command.
    reconnectOnError: (error) => (error.message.startsWith("READONLY") ? 2 : false),
  };
  const redis = config.sentinels
    ? new Redis({
        ...common,
        sentinels: config.sentinels,
        name: config.masterName,
        role: "master",
        sentinelPassword: config.sentinelPassword,
        // Subscribes to +switch-master so a failover is noticed at once, not at the next failed command.
        failoverDetector: true,
        sentinelRetryStrategy: (attempt) => Math.min(100 * 2 ** attempt, 2_000),
      })
    : new Redis(config.url, common);
  const connectionLogger = logger.child({ component: "redis", connection: connectionName });
  reportConnectionErrors(redis, connectionLogger);
  keepConnected(redis, connectionLogger);
  coalesceWrites(redis);
  return redis;
}

/**
 * ioredis writes every command to its socket on its own, and on this path a socket write is the
 * single most expensive thing Bun does: a CPU profile of the reserve path under load put 28% of
 * the process's samples in the native write (on loopback the sender's write runs the receiver's
 * TCP path too). So each connection's socket is corked at the first write of an event-loop turn
 * and uncorked after the turn (setImmediate): every command sent by every request handled in that
 * turn leaves in one write, in order. It delays a command by the rest of the turn, never longer;
 * the ordering a WAIT relies on (it covers the writes sent before it) is the socket's and unchanged.
 */
export function coalesceWrites(redis: Redis) {
  const corked = new WeakSet<Socket>();
  redis.on("connect", () => {
    const socket = (redis as unknown as { stream: Socket }).stream;
    if (corked.has(socket)) return;
    corked.add(socket);
    let turnOpen = false;
    const write = socket.write;
    socket.write = function coalescedWrite(this: Socket, ...args: Parameters<Socket["write"]>) {
      if (!turnOpen) {
        turnOpen = true;
        this.cork();
        setImmediate(() => {
          turnOpen = false;
          this.uncork();
        });
      }
      return (write as (...writeArgs: Parameters<Socket["write"]>) => boolean).apply(this, args);
    } as Socket["write"];
  });
}

/** Clients closed by closeRedis: the only ones allowed to stay closed. */
const closedOnPurpose = new WeakSet<Redis>();

/**
 * ioredis gives a client up for good ("end": every later command fails with "Connection is
 * closed.") when a reconnect is asked for while it is still connecting: its connector's connect
 * sees `connecting` cleared and rejects, and the client never retries. During a Sentinel failover
 * that happens (the failover detector, a READONLY answer and a connect time-out each ask for one),
 * and a long-lived client, such as the reconciler's, then stayed dead until the process restarted.
 * So a client that ends without closeRedis connects again, through the Sentinels, with back-off.
 */
export function keepConnected(redis: Redis, logger: Logger) {
  let attempts = 0;
  redis.on("ready", () => {
    attempts = 0;
  });
  redis.on("end", () => {
    if (closedOnPurpose.has(redis)) return;
    const wait = Math.min(100 * 2 ** attempts, 2_000);
    attempts += 1;
    if (attempts === 1 || attempts % 10 === 0)
      logger.warn("redis connection ended on its own, connecting again", { attempt: attempts, backoff_ms: wait });
    const timer = setTimeout(() => {
      if (!closedOnPurpose.has(redis) && redis.status === "end") redis.connect().catch(() => {});
    }, wait);
    timer.unref?.();
  });
}

/** ioredis emits an error per failed reconnect; one line per distinct message per 10 s is enough. */
function reportConnectionErrors(redis: Redis, logger: Logger) {
  const lastReported = new Map<string, number>();
  redis.on("error", (error: Error) => {
    const now = Date.now();
    if (now - (lastReported.get(error.message) ?? 0) < 10_000) return;
    lastReported.set(error.message, now);
    logger.warn("redis connection problem", { error: error.message });
  });
  redis.on("+switch-master", () => logger.info("redis master switched"));
}

export const pingRedis = (redis: Redis) => async () => {
  const reply = await redis.ping();
  if (reply !== "PONG") throw new Error(`unexpected PING reply ${reply}`);
};

/**
 * Closes a client for good. quit() alone leaves the Sentinel failover detector's subscriptions
 * open (ioredis 6), which keeps the process alive; disconnect() ends them too.
 */
export async function closeRedis(redis: Redis): Promise<void> {
  closedOnPurpose.add(redis);
  await redis.quit().catch(() => {});
  redis.disconnect();
}

/**
 * Runs a pipeline and returns each command's reply. ioredis resolves a pipeline even when commands
 * in it failed (each reply carries its own error): this throws the first one instead, so a caller
 * never reads an error as a value.
 */
export async function pipelineReplies(pipeline: ChainableCommander): Promise<unknown[]> {
  const replies = (await pipeline.exec()) ?? [];
  const failed = replies.find(([error]) => error);
  if (failed) throw failed[0];
  return replies.map(([, reply]) => reply);
}
