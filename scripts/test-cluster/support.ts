/**
 * What the cluster tests share: running a command, a Go tool's path, `scripts/cluster <args>`, and the settings
 * `scripts/cluster env` prints (scripts/cluster.env unless overridden).
 */
import { join } from "node:path";

export const root = join(import.meta.dir, "../..");
export const clusterScript = join(root, "scripts/cluster");

export type Run = { code: number; stdout: string; stderr: string };
export type RunOptions = { timeoutMs?: number; input?: string; env?: Record<string, string> };

/** A command to its end, from the repository (killed after `timeoutMs` if given); `env` is added to this process's environment. */
export function runCommand(command: string[], { timeoutMs, input, env }: RunOptions = {}): Run {
  const result = Bun.spawnSync(command, {
    cwd: root,
    env: env ? { ...process.env, ...env } : process.env,
    stdin: input === undefined ? "ignore" : Buffer.from(input),
    stdout: "pipe",
    stderr: "pipe",
    timeout: timeoutMs,
  });
  return { code: result.exitCode ?? -1, stdout: result.stdout.toString(), stderr: result.stderr.toString() };
}

export const run = (...command: string[]) => runCommand(command);

/** The path of a Go program scripts/go-tools builds (once). */
export function goTool(name: string): string {
  const path = runCommand(["bash", join(root, "scripts/go-tools"), "path", name]);
  if (path.code !== 0) throw new Error(`scripts/go-tools path ${name} failed: ${path.stderr}`);
  return path.stdout.trim();
}

export const cluster = (...args: string[]) => run("bash", clusterScript, ...args);

/** The named settings from `scripts/cluster env`; a missing one is an error, not an empty string. */
export function clusterEnv<Name extends string>(names: readonly Name[]): Record<Name, string> {
  const env = cluster("env");
  if (env.code !== 0) throw new Error(`scripts/cluster env failed: ${env.stderr}`);
  const values = new Map(
    env.stdout
      .trim()
      .split("\n")
      .map((line) => [line.slice(0, line.indexOf("=")), line.slice(line.indexOf("=") + 1)]),
  );
  const setting = (name: string) => {
    const value = values.get(name);
    if (!value) throw new Error(`scripts/cluster env printed no ${name}`);
    return value;
  };
  return Object.fromEntries(names.map((name) => [name, setting(name)])) as Record<Name, string>;
}
