/**
 * The address of the client that sent a request, for rate limits and the audit trail.
 *
 * By default the socket's peer address (Bun's `server.requestIP`): nothing a client sends can change
 * it. Behind a reverse proxy or load balancer every request comes from the proxy, so with
 * TRUST_PROXY on the first X-Forwarded-For hop is taken instead; that header is client-controlled
 * unless a proxy in front sets it, so the setting must stay off for a process reachable directly.
 * Under `app.handle` (tests) there is no server and hence no socket: the address is unknown (null)
 * unless TRUST_PROXY is on and the header is present. Only syntactically valid IPs are returned, so
 * the value is safe to use as a key and to store in an `inet` column.
 */
import { isIP } from "node:net";

/** What of Bun's server the lookup needs; Elysia's context has it as `server` (null under app.handle). */
export interface RequestIpSource {
  requestIP(request: Request): { address: string } | null;
}

export interface ClientAddressOptions {
  trustProxy: boolean;
}

export function clientAddress(request: Request, server: RequestIpSource | null | undefined, options: ClientAddressOptions): string | null {
  if (options.trustProxy) {
    const forwarded = request.headers.get("x-forwarded-for");
    if (forwarded !== null) return normalizeAddress(forwarded.split(",")[0] ?? "");
  }
  const socket = server?.requestIP(request);
  return socket ? normalizeAddress(socket.address) : null;
}

/** A valid IPv4/IPv6 address in canonical-enough form, or null. IPv4-mapped IPv6 becomes IPv4. */
export function normalizeAddress(candidate: string): string | null {
  let address = candidate.trim();
  // "[2001:db8::1]:443" and "203.0.113.7:51234" as some proxies write them.
  const bracketed = address.match(/^\[([^\]]+)\](?::\d+)?$/);
  if (bracketed?.[1]) address = bracketed[1];
  else if (/^\d{1,3}(\.\d{1,3}){3}:\d+$/.test(address)) address = address.slice(0, address.lastIndexOf(":"));
  if (address.length === 0 || address.length > 64 || isIP(address) === 0) return null;
  const mapped = address.match(/^::ffff:(\d{1,3}(\.\d{1,3}){3})$/i);
  return (mapped?.[1] ?? address).toLowerCase();
}
