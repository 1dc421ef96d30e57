const root = `${import.meta.dir}/../../..`;

/** Stops or starts local stack components (`bash scripts/stack down kafka`, `up`), for failure tests. */
export function stack(...args: string[]) {
  const result = Bun.spawnSync(["bash", "scripts/stack", ...args], { cwd: root, stdout: "pipe", stderr: "pipe" });
  if (result.exitCode !== 0) throw new Error(`scripts/stack ${args.join(" ")} failed: ${result.stderr.toString()}`);
}
