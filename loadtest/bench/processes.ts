/**
 * The processes the reserve benchmark starts and stops: the platform's entrypoints, the baseline
 * server, and the load generators (wrk, redis-benchmark), each bounded by a deadline. Every child
 * is stopped by its own pid (SIGTERM, then SIGKILL after a grace period); logs go to the run's
 * directory.
 */
import type { Subprocess } from "bun";

export interface Child {
  name: string;
  process: Subprocess;
  log: string;
}

const children = new Set<Child>();

/** Starts `command` with its output in `log`, then polls `readyUrl` until it answers 200 (or 404 for a server without /readyz). */
export async function startChild(
  name: string,
  command: string[],
  env: Record<string, string | undefined>,
  log: string,
  readyUrl: string,
  readySeconds = 60,
): Promise<Child> {
  const proc = Bun.spawn(command, { env, stdout: Bun.file(log), stderr: Bun.file(`${log}.err`), stdin: "ignore" });
  const child = { name, process: proc, log };
  children.add(child);
  const deadline = Date.now() + readySeconds * 1000;
  for (;;) {
    if (proc.exitCode !== null || proc.signalCode !== null) {
      throw new Error(`${name} exited while starting (status ${proc.exitCode ?? proc.signalCode}); see ${log}.err`);
    }
    try {
      const response = await fetch(readyUrl, { signal: AbortSignal.timeout(2_000) });
      if (response.ok) return child;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`${name} not ready after ${readySeconds}s (${readyUrl}); see ${log}.err`);
    await Bun.sleep(200);
  }
}

/** The children that exited by themselves since they started (a crash during the run). */
export const exitedChildren = () =>
  [...children].filter((child) => child.process.exitCode !== null || child.process.signalCode !== null).map((child) => child.name);

export async function stopChild(child: Child, graceSeconds = 20): Promise<void> {
  children.delete(child);
  if (child.process.exitCode !== null || child.process.signalCode !== null) return;
  child.process.kill("SIGTERM");
  const stopped = await Promise.race([child.process.exited.then(() => true), Bun.sleep(graceSeconds * 1000).then(() => false)]);
  if (!stopped) {
    child.process.kill("SIGKILL");
    await child.process.exited;
  }
}

/** Every child still running, newest first (the API last, after the workers that use it). */
export async function stopAllChildren(): Promise<void> {
  for (const child of [...children].reverse()) await stopChild(child);
}

/**
 * Runs a command to its end, killed at the deadline; resolves to its output, exit status and the
 * CPU seconds it used (user + system, its rusage once it has ended).
 */
export async function runBounded(
  command: string[],
  env: Record<string, string | undefined>,
  deadlineSeconds: number,
): Promise<{ stdout: string; stderr: string; exitCode: number | null; timedOut: boolean; cpuSeconds: number | undefined }> {
  const proc = Bun.spawn(command, { env, stdout: "pipe", stderr: "pipe", stdin: "ignore" });
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    proc.kill("SIGKILL");
  }, deadlineSeconds * 1000);
  const [stdout, stderr] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text()]);
  await proc.exited;
  clearTimeout(timer);
  const usage = proc.resourceUsage();
  return { stdout, stderr, exitCode: proc.exitCode, timedOut, cpuSeconds: usage ? Number(usage.cpuTime.total) / 1e6 : undefined };
}
