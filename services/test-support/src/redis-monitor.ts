/**
 * The commands Redis ran on some keys while a piece of work ran, the commands of Lua scripts
 * included (MONITOR shows what a script calls), to assert what a pass reads rather than how long it
 * takes. Other clients' commands on other keys are left out, so other work on the stack does not
 * disturb the count.
 */
import type { Redis } from "ioredis";

export async function commandsOnKeys<T>(
  redis: Redis,
  keyPrefix: string,
  work: () => Promise<T>,
): Promise<{ value: T; commands: string[][] }> {
  const monitor = await redis.monitor();
  const commands: string[][] = [];
  const markers = new Map<string, () => void>();
  let recording = false;
  monitor.on("monitor", (_time: string, args: string[]) => {
    const marker = args.find((arg) => markers.has(arg));
    if (marker) markers.get(marker)!();
    else if (recording && args.slice(1).some((arg) => arg.startsWith(keyPrefix))) commands.push([args[0]!.toLowerCase(), ...args.slice(1)]);
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
    await caughtUp();
    recording = true;
    const value = await work();
    await caughtUp();
    recording = false;
    return { value, commands };
  } finally {
    monitor.disconnect();
  }
}
