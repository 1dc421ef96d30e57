/**
 * What the cluster tests share: running a command, `scripts/cluster <args>`, and the settings
 * `scripts/cluster env` prints (scripts/cluster.env unless overridden).
 */
import { join } from "node:path";

export const root = join(import.meta.dir, "../..");
export const clusterScript = join(root, "scripts/cluster");

export type Run = { code: number; stdout: string; stderr: string };

export function run(...command: string[]): Run {
  const result = Bun.spawnSync(command, { cwd: root, stdout: "pipe", stderr: "pipe" });
  return { code: result.exitCode, stdout: result.stdout.toString(), stderr: result.stderr.toString() };
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
