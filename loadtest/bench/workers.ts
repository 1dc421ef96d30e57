/**
 * The platform's workers as scripts/run starts them, from the one list both read:
 * scripts/platform-workers.txt, a name a line and the settings that process gets (VAR=value). The
 * entrypoint follows from the name, services/<package>/bin/<name>.ts, as scripts/run finds it.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

export interface PlatformWorker {
  name: string;
  /** Relative to the repository's root. */
  entry: string;
  env: Record<string, string>;
}

export const workerListPath = "scripts/platform-workers.txt";

/** The list's lines: `#` comments and blank lines skipped; throws on a line that is not `<name> [VAR=value ...]`. */
export function parseWorkerList(text: string): { name: string; env: Record<string, string> }[] {
  return text
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line !== "" && !line.startsWith("#"))
    .map((line) => {
      const [name, ...settings] = line.split(/\s+/);
      if (!/^[a-z0-9-]+$/.test(name!)) throw new Error(`${workerListPath}: not a process name: ${line}`);
      const env: Record<string, string> = {};
      for (const setting of settings) {
        const match = /^([A-Z][A-Z0-9_]*)=(\S*)$/.exec(setting);
        if (!match) throw new Error(`${workerListPath}: not a VAR=value setting: ${setting} (${line})`);
        env[match[1]!] = match[2]!;
      }
      return { name: name!, env };
    });
}

/** The list with each worker's entrypoint, the one services/*\/bin/<name>.ts; throws when there is none or more than one. */
export function platformWorkers(root: string): PlatformWorker[] {
  const packages = readdirSync(join(root, "services"));
  return parseWorkerList(readFileSync(join(root, workerListPath), "utf8")).map(({ name, env }) => {
    const entries = packages.map((pkg) => `services/${pkg}/bin/${name}.ts`).filter((entry) => existsSync(join(root, entry)));
    if (entries.length !== 1) throw new Error(`${workerListPath}: ${name} has ${entries.length} entrypoints services/*/bin/${name}.ts`);
    return { name, entry: entries[0]!, env };
  });
}
