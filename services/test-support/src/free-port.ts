/** A port the kernel just handed out, so a spawned process does not collide with anything running. */
export function freePort(): number {
  const probe = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: () => new Response() });
  const { port } = probe;
  probe.stop(true);
  return port ?? 0;
}
