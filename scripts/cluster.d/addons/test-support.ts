/**
 * What the add-on tests share: commands run from the repository (the cluster tests' runner), the variables scripts/test exports
 * (the loopback API server of scripts/kube-apiserver), and a kubeconfig for that server.
 */
import { writeFileSync } from "node:fs";
import { stringify } from "yaml";
import { runCommand } from "../../test-cluster/support";

export { goTool, type Run, root } from "../../test-cluster/support";

export const run = (command: string[], env: Record<string, string> = {}, stdin?: string) => runCommand(command, { env, input: stdin });

export function required(name: string): string {
  const value = process.env[name];
  if (!value)
    throw new Error(
      `${name} is not set: run this file through scripts/test (it starts the stack and scripts/kube-apiserver and exports their env)`,
    );
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
