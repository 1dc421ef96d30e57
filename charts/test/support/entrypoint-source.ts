/**
 * What an entrypoint's own source says about its process without running it (importing a
 * `services/*\/bin/*.ts` file starts the process): the `name` and `port` defaults of the
 * `serviceSettings` it runs with, given there or in a module of its own package it imports
 * (services/all keeps its groups in src/config.ts). `readSource` takes a path from the repository
 * root and answers undefined for a file that does not exist.
 */
import { dirname, join } from "node:path";

export type ReadSource = (path: string) => string | undefined;

const settingsDefaults = (text: string) => {
  const match = text.match(/serviceSettings\(\{\s*name:\s*"([^"]+)"(?:,\s*port:\s*(\d+))?/);
  return match ? { name: match[1], port: match[2] === undefined ? undefined : Number(match[2]) } : undefined;
};

export function serviceSettingsDefaults(path: string, readSource: ReadSource): { name?: string; port?: number } | undefined {
  const source = readSource(path) ?? "";
  const own = settingsDefaults(source);
  if (own) return own;
  for (const [, specifier] of source.matchAll(/from "(\.\.?\/[^"]+)"/g)) {
    const imported = settingsDefaults(readSource(`${join(dirname(path), specifier ?? "")}.ts`) ?? "");
    if (imported) return imported;
  }
  return undefined;
}
