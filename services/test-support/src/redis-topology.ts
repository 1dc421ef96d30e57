/**
 * The local stack's Redis nodes as the Sentinels see them (a master and two replicas), and their
 * processes, for failure tests: which node replicates, whether every replica is linked, and how to
 * pause a replica (SIGSTOP) and resume it. The pids come from scripts/stack's `.stack/run/*.pid`,
 * trusted only when that process really is the redis-server listening on the port.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import Redis from "ioredis";
import { stackConfig } from "./stack-config";

const runDirectory = join(import.meta.dir, "..", "..", "..", ".stack", "run");
const { sentinels, masterName, password } = stackConfig.redis;

/** The replicas the local stack runs (scripts/stack: redis-replica, redis-replica-2). */
export const stackReplicas = 2;

export function sentinelClient(): Redis {
  if (!sentinels) throw new Error("REDIS_SENTINELS must be set: these tests exercise the Sentinel topology");
  return new Redis({ ...sentinels[0]!, protocol: 2 });
}

/** A connection straight to one node (not through Sentinel), e.g. to read its INFO. */
export const nodeClient = (address: string) => {
  const [host, port] = address.split(":");
  return new Redis({ host, port: Number(port), password, protocol: 2, maxRetriesPerRequest: 1 });
};

export async function masterAddress(sentinel: Redis): Promise<string> {
  return ((await sentinel.call("SENTINEL", "GET-MASTER-ADDR-BY-NAME", masterName)) as string[]).join(":");
}

type Fields = Record<string, string>;
const fieldsOf = (flat: string[]): Fields =>
  Object.fromEntries(flat.flatMap((value, index) => (index % 2 === 0 ? [[value, flat[index + 1]!]] : [])));

export async function sentinelReplicas(sentinel: Redis): Promise<Fields[]> {
  return ((await sentinel.call("SENTINEL", "REPLICAS", masterName)) as string[][]).map(fieldsOf);
}

/** Throws unless the Sentinels know exactly the stack's replicas and every one is a linked replica (writes are accepted). */
export async function replicasLinked(sentinel: Redis): Promise<string[]> {
  const replicas = await sentinelReplicas(sentinel);
  if (replicas.length !== stackReplicas) throw new Error(`the Sentinels know ${replicas.length} replica(s), expected ${stackReplicas}`);
  for (const replica of replicas) {
    if (replica.flags !== "slave" || replica["master-link-status"] !== "ok") {
      throw new Error(`replica ${replica.ip}:${replica.port} is ${replica.flags}, link ${replica["master-link-status"]}`);
    }
  }
  return replicas.map((replica) => `${replica.ip}:${replica.port}`);
}

/** The stack's component (redis-master, redis-replica, redis-replica-2) running the node at `address`, and its pid. */
export function stackRedisAt(address: string): { name: string; pid: number } {
  const signature = `redis-server ${address}`;
  for (const file of readdirSync(runDirectory).filter((name) => name.startsWith("redis-") && name.endsWith(".pid"))) {
    const pid = Number(readFileSync(join(runDirectory, file), "utf8").trim());
    let commandLine = "";
    try {
      commandLine = readFileSync(`/proc/${pid}/cmdline`, "utf8").replaceAll("\0", " ");
    } catch {
      continue;
    }
    if (commandLine.startsWith(signature)) return { name: file.slice(0, -".pid".length), pid };
  }
  throw new Error(`no redis-server of the stack listens on ${address} (${runDirectory})`);
}

/** The master's INFO replication as fields (role, connected_slaves, min_slaves_good_slaves, slaveN, ...). */
export async function replicationInfo(node: Redis): Promise<Fields> {
  const info = (await node.info("replication")) as string;
  return Object.fromEntries(
    info
      .split("\r\n")
      .filter((line) => line.includes(":"))
      .map((line) => [line.slice(0, line.indexOf(":")), line.slice(line.indexOf(":") + 1)]),
  );
}

/**
 * Stops and resumes replica processes. Every paused pid is remembered, so `resumeAll` (in a
 * finally or afterAll) never leaves a server stopped, whatever failed in between.
 */
export function replicaPauser() {
  const paused = new Set<number>();
  return {
    pause(address: string) {
      const { pid } = stackRedisAt(address);
      paused.add(pid);
      process.kill(pid, "SIGSTOP");
    },
    resumeAll() {
      for (const pid of paused) {
        try {
          process.kill(pid, "SIGCONT");
        } catch {
          // Gone already: nothing to resume.
        }
      }
      paused.clear();
    },
  };
}
