/**
 * What the add-on tests share: commands run from the repository, the variables scripts/test exports
 * (the loopback API server of scripts/kube-apiserver), and a kubeconfig for that server.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { stringify } from "yaml";

export const root = join(import.meta.dir, "../../..");

export type Run = { code: number; stdout: string; stderr: string };

export function run(command: string[], env: Record<string, string> = {}, stdin?: string): Run {
  const result = Bun.spawnSync(command, { cwd: root, env: { ...process.env, ...env }, stdin: stdin === undefined ? "ignore" : Buffer.from(stdin), stdout: "pipe", stderr: "pipe" });
  return { code: result.exitCode, stdout: result.stdout.toString(), stderr: result.stderr.toString() };
}

export function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run this file through scripts/test (it starts the stack and scripts/kube-apiserver and exports their env)`);
  return value;
}

/** A kubeconfig for the tests' API server (KUBE_TEST_*), written to `path`; returns its token. */
export function writeTestKubeconfig(path: string): string {
  const server = required("KUBE_TEST_API_URL");
  const ca = required("KUBE_TEST_CA_FILE");
  const token = required("KUBE_TEST_TOKEN");
  writeFileSync(
    path,
    stringify({
      apiVersion: "v1",
      kind: "Config",
      clusters: [{ name: "tests", cluster: { server, "certificate-authority": ca } }],
      users: [{ name: "tests", user: { token } }],
      contexts: [{ name: "tests", context: { cluster: "tests", user: "tests" } }],
      "current-context": "tests",
    }),
  );
  return token;
}

/** The path of a Go program scripts/go-tools builds (once). */
export function goTool(name: string): string {
  const path = run(["bash", join(root, "scripts/go-tools"), "path", name]);
  if (path.code !== 0) throw new Error(`scripts/go-tools path ${name} failed: ${path.stderr}`);
  return path.stdout.trim();
}
