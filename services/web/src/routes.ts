/**
 * The web app's routes: the built assets under /assets/<hashed name>, cached for a year, and
 * index.html (never cached, so a deploy is picked up at once) on every page of the client's
 * router. The pages are listed, not a catch-all: an unknown /api/v1 path stays the API's 404 and
 * /healthz, /readyz, /metrics and /openapi stay the kernel's. Kept out of the OpenAPI document
 * (`hide`): pages are not part of the REST contract. Each answer is compressed as the request
 * accepts (encodings.ts).
 */
import { errorResponses, notFound } from "@booking-rush/lib/errors";
import { Elysia, t } from "elysia";
import type { BuiltClient } from "./client-build";
import { encodedResponse } from "./encodings";

/** The client router's pages (client/routes.ts); `*` is any rest of the path. */
export const clientPages = [
  "/",
  "/login",
  "/register",
  "/logout",
  "/forgot-password",
  "/reset-password",
  "/profile",
  "/events",
  "/events/*",
  "/shows/*",
  "/bookings",
  "/bookings/*",
  "/checkout/*",
  "/queue/*",
  "/waitlist/*",
  "/organizer",
  "/organizer/*",
] as const;

export const immutableCache = "public, max-age=31536000, immutable";

/** Paths that are never the app's: the API and the kernel's endpoints answer their own 404. */
const notPages = /^\/(api|assets|healthz|readyz|metrics|openapi)(\/|$)/;

/**
 * The kernel's not-found answer (NotFoundPage) for a browser asking for a page the app does not
 * have: index.html with status 404, so the client shows its "page not found" in the layout
 * instead of the JSON envelope. Anything else (another method, a client that does not accept
 * HTML, the API and kernel paths) keeps the envelope.
 */
export function notFoundPage(client: Promise<BuiltClient>) {
  return async (request: Request, path: string): Promise<Response | undefined> => {
    if (request.method !== "GET" || notPages.test(path) || !request.headers.get("accept")?.includes("text/html")) return undefined;
    return encodedResponse(request, (await client).indexHtml, { status: 404, headers: { "cache-control": "no-cache" } });
  };
}

export function webRoutes(client: Promise<BuiltClient>) {
  const page = async ({ request }: { request: Request }) =>
    encodedResponse(request, (await client).indexHtml, { headers: { "cache-control": "no-cache" } });
  const routes = new Elysia({ name: "web.routes" }).get(
    "/assets/:name",
    async ({ params, request }) => {
      const asset = (await client).assets.get(params.name);
      if (!asset) throw notFound("Asset");
      return encodedResponse(request, asset, { headers: { "cache-control": immutableCache } });
    },
    {
      params: t.Object({ name: t.String({ maxLength: 200 }) }),
      response: { 200: t.Any({ description: "The asset" }), ...errorResponses("NOT_FOUND") },
      detail: { hide: true },
    },
  );
  // Elysia's route methods add to the instance they are called on.
  for (const path of clientPages)
    routes.get(path, page, { response: { 200: t.String({ description: "index.html" }) }, detail: { hide: true } });
  return routes;
}
