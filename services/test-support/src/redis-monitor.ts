/**
 * The commands Redis ran on some keys while a piece of work ran, the commands of Lua scripts
 * included (MONITOR shows what a script calls), to assert what a pass reads rather than how long it
 * takes. Other clients' commands on other keys are left out, so other work on the stack does not
 * disturb the count.
 *
 * MONITOR runs on a plain socket to the master, not through ioredis: ioredis switches a connection
 * to monitor mode one microtask after MONITOR's +OK, so a monitored line in the same packet (the
 * Sentinels' INFO every few seconds) is taken for a reply and it fails with "Command queue state
 * error" on every later line, in whatever test runs then (seen in CI).
 */
import type { Redis } from "ioredis";

/** The arguments of one MONITOR line: `+<time> [<db> <client>] "cmd" "arg" ...`, unquoted. */
export function monitorArguments(line: string): string[] {
  const args: string[] = [];
  for (const match of line.matchAll(/"((?:[^"\\]|\\.)*)"/g)) {
    args.push(
      match[1]!.replace(/\\(x[0-9a-fA-F]{2}|.)/g, (_, escaped: string) => {
        if (escaped.startsWith("x") && escaped.length === 3) return String.fromCharCode(Number.parseInt(escaped.slice(1), 16));
        return ({ n: "\n", r: "\r", t: "\t", a: "\x07", b: "\b" } as Record<string, string>)[escaped] ?? escaped;
      }),
    );
  }
  return args;
}

export async function commandsOnKeys<T>(
  redis: Redis,
  keyPrefix: string,
  work: () => Promise<T>,
): Promise<{ value: T; commands: string[][] }> {
  // The master this client talks to now (through Sentinel), and its password.
  await redis.ping();
  const host = redis.stream.remoteAddress!;
  const port = redis.stream.remotePort!;
  const password = redis.options.password;
  const commands: string[][] = [];
  const markers = new Map<string, () => void>();
  let recording = false;
  let pending = "";
  let oks = 0;
  let monitoring: () => void = () => {};
  let refused: (error: Error) => void = () => {};
  const started = new Promise<void>((resolve, reject) => {
    monitoring = resolve;
    refused = reject;
  });
  const socket = await Bun.connect({
    hostname: host,
    port,
    socket: {
      data(_socket, chunk) {
        pending += chunk.toString("latin1");
        for (let end = pending.indexOf("\r\n"); end >= 0; end = pending.indexOf("\r\n")) {
          const line = pending.slice(0, end);
          pending = pending.slice(end + 2);
          // AUTH's +OK comes first when there is a password; monitoring starts with MONITOR's.
          if (line === "+OK") {
            oks += 1;
            if (oks === (password ? 2 : 1)) monitoring();
            continue;
          }
          if (line.startsWith("-")) {
            refused(new Error(`MONITOR refused: ${line}`));
            continue;
          }
          const args = monitorArguments(line);
          const marker = args.find((arg) => markers.has(arg));
          if (marker) markers.get(marker)!();
          else if (recording && args.slice(1).some((arg) => arg.startsWith(keyPrefix)))
            commands.push([args[0]!.toLowerCase(), ...args.slice(1)]);
        }
      },
    },
  });
  /** Resolves once the monitor has shown a command sent now: everything sent before it is in the stream. */
  const caughtUp = async () => {
    const marker = `monitor-marker:${crypto.randomUUID()}`;
    const seen = new Promise<void>((resolve) => markers.set(marker, resolve));
    await redis.exists(marker);
    let timer: Timer | undefined;
    await Promise.race([
      seen,
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error("MONITOR did not show its marker within 10 s")), 10_000);
      }),
    ]).finally(() => clearTimeout(timer));
  };
  try {
    const command = (...parts: string[]) =>
      `*${parts.length}\r\n${parts.map((part) => `$${Buffer.byteLength(part)}\r\n${part}\r\n`).join("")}`;
    socket.write(`${password ? command("AUTH", password) : ""}${command("MONITOR")}`);
    await started;
    await caughtUp();
    recording = true;
    const value = await work();
    await caughtUp();
    recording = false;
    return { value, commands };
  } finally {
    socket.end();
  }
}
