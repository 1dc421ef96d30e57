import { Elysia } from "elysia";
import type { Logger } from "../logger";

/** Accepted as given only when it is short and harmless to echo and log; otherwise replaced. */
const acceptableRequestId = /^[A-Za-z0-9._:-]{1,128}$/;

const requestIds = new WeakMap<Request, string>();

/**
 * The request's id, fixed on first use. Kept beside the Request rather than in route context because
 * unmatched routes and parse failures never reach the context, and they need the id too.
 */
export function requestIdOf(request: Request): string {
  let id = requestIds.get(request);
  if (!id) {
    const given = request.headers.get("x-request-id");
    id = given && acceptableRequestId.test(given) ? given : crypto.randomUUID();
    requestIds.set(request, id);
  }
  return id;
}

/** X-Request-ID: echoed when given, generated when absent; `log` in context carries it. */
export const requestIdPlugin = (logger: Logger) =>
  new Elysia({ name: "kernel.request-id" })
    .onRequest(({ request, set }) => {
      set.headers["x-request-id"] = requestIdOf(request);
    })
    .derive({ as: "global" }, ({ request }) => {
      const requestId = requestIdOf(request);
      return { requestId, log: logger.child({ request_id: requestId }) };
    });
