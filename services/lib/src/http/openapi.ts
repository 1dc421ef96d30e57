/**
 * The OpenAPI document of a process, at `/openapi` and `/openapi/json` (the same JSON; no HTML page,
 * so nothing is loaded from a CDN and the service's CSP `default-src 'self'` holds; point any
 * OpenAPI viewer at it).
 *
 * Generated from the route schemas by @elysiajs/openapi, then completed with what the kernel knows
 * about every route, so that the document is the whole contract a client (or schemathesis) can
 * check answers against:
 * - the error envelope of every status a route can answer: its own (`errorResponses` in its
 *   `response`) plus what every route of its kind can answer: 400 VALIDATION_ERROR with any input,
 *   401/403 with `auth`, 413 with a body, 431, 500 and 503 everywhere (a macro leaves no trace
 *   in the route but `auth`'s security requirement, so `viewer` routes declare 401 and
 *   rate-limited ones 429 themselves);
 * - a query parameter with a default is optional (Elysia applies the default);
 * - request bodies are JSON only (the kernel's parser takes nothing else), with the route's schema.
 */
import { toOpenAPISchema } from "@elysiajs/openapi";
import { type AnyElysia, Elysia } from "elysia";
import { errorSchemaOf } from "../envelope";
import { type ErrorCode, errorStatus } from "../errors";
import { registerFormats } from "../schemas";
import { rawContentTypesKey } from "./json-body";

// After the plugin's import, which registers slow checks of its own for the same formats.
registerFormats();

type JsonObject = Record<string, unknown>;

interface RouteFacts {
  method: string;
  path: string;
  hooks: JsonObject;
}

/** The codes of an error envelope schema (a literal or a union of literals), or none for another schema. */
function codesOf(schema: unknown): ErrorCode[] {
  const code = (schema as { properties?: { error?: { properties?: { code?: JsonObject } } } } | undefined)?.properties?.error?.properties
    ?.code;
  if (!code) return [];
  const literals = Array.isArray(code.anyOf) ? (code.anyOf as JsonObject[]) : [code];
  return literals.map((literal) => literal.const).filter((value): value is ErrorCode => typeof value === "string" && value in errorStatus);
}

/** What every route of this kind can answer, whatever its domain does. */
function kernelCodes(route: RouteFacts): ErrorCode[] {
  const { hooks } = route;
  const codes: ErrorCode[] = ["HEADERS_TOO_LARGE", "INTERNAL_ERROR", "SERVICE_UNAVAILABLE"];
  const hasBody = hooks.body !== undefined && route.method !== "GET";
  if (hasBody || hooks.params || hooks.query || hooks.headers) codes.push("VALIDATION_ERROR");
  if (hasBody) codes.push("PAYLOAD_TOO_LARGE");
  // The auth guard's macro marks its routes with the bearer security requirement.
  if ((hooks.detail as { security?: unknown[] } | undefined)?.security?.length) codes.push("UNAUTHORIZED", "FORBIDDEN");
  return codes;
}

const rawContentTypesOf = (schema: unknown) => (schema as Record<string, string[] | undefined> | undefined)?.[rawContentTypesKey];

const binaryContent = (contentTypes: string[]) =>
  Object.fromEntries(contentTypes.map((type) => [type, { schema: { type: "string", format: "binary" } }]));

const openApiPath = (path: string) => path.replace(/:([^/]+)/g, "{$1}");

function completeOperation(operation: JsonObject, route: RouteFacts) {
  operation.responses ??= {};
  const responses = operation.responses as Record<string, JsonObject>;
  const declared = (route.hooks.response ?? {}) as Record<string, unknown>;
  const byStatus = new Map<string, Set<ErrorCode>>();
  for (const [status, schema] of Object.entries(declared)) {
    const codes = codesOf(schema);
    if (codes.length > 0) byStatus.set(status, new Set(codes));
  }
  for (const code of kernelCodes(route)) {
    const status = String(errorStatus[code]);
    // A status the route answers with another shape (e.g. /readyz's 503) keeps its own schema.
    if (declared[status] !== undefined && !byStatus.has(status)) continue;
    (byStatus.get(status) ?? byStatus.set(status, new Set()).get(status)!).add(code);
  }
  for (const [status, codes] of byStatus) {
    responses[status] = {
      description: [...codes].join(", "),
      content: { "application/json": { schema: JSON.parse(JSON.stringify(errorSchemaOf([...codes]))) } },
    };
  }
  for (const parameter of (operation.parameters ?? []) as JsonObject[]) {
    if (parameter.in === "query" && (parameter.schema as JsonObject | undefined)?.default !== undefined) parameter.required = false;
  }
  // The kernel's own body parser (json-body.ts) hides the body's content type from the generator,
  // which then lists no content at all: the body is JSON, with the route's schema, or the bytes of
  // an upload (rawBody).
  const body = operation.requestBody as { content?: Record<string, { schema: unknown }> } | undefined;
  if (body && route.hooks.body !== undefined) {
    const raw = rawContentTypesOf(route.hooks.body);
    body.content = raw ? binaryContent(raw) : { "application/json": { schema: JSON.parse(JSON.stringify(route.hooks.body)) } };
  }
  // A binary answer has its content types; an empty one (t.Void, e.g. 304) none.
  for (const [status, schema] of Object.entries(declared)) {
    const description = (schema as JsonObject).description ?? status;
    const raw = rawContentTypesOf(schema);
    if (raw) responses[status] = { description, content: binaryContent(raw) };
    else if ((schema as JsonObject).type === "void") responses[status] = { description };
  }
}

/** The generated document, completed (see the top of this file). */
export function openApiDocument(app: AnyElysia, info: { title: string; version: string }) {
  const generated = toOpenAPISchema(app, undefined, undefined, undefined, "3.1.0") as unknown as {
    paths: Record<string, Record<string, JsonObject>>;
    components?: JsonObject;
  };
  // The routes of the whole app (a plugin sees its root's), as the generator reads them.
  const routes = (app as unknown as { getGlobalRoutes(): RouteFacts[] }).getGlobalRoutes();
  for (const route of routes) {
    const operation = generated.paths[openApiPath(route.path)]?.[route.method.toLowerCase()];
    if (operation) completeOperation(operation, { ...route, hooks: route.hooks ?? {} });
  }
  return {
    openapi: "3.1.0",
    info,
    paths: generated.paths,
    components: {
      ...generated.components,
      securitySchemes: { bearer: { type: "http", scheme: "bearer", bearerFormat: "JWT" } },
    },
  };
}

/** `/openapi` and `/openapi/json`: the document, built once on first request (the routes are fixed by then). */
export const openApiPlugin = (info: { title: string; version: string }) => {
  const plugin = new Elysia({ name: "kernel.openapi" });
  let document: ReturnType<typeof openApiDocument> | undefined;
  const serve = () => (document ??= openApiDocument(plugin, info));
  return plugin.get("/openapi", serve, { detail: { hide: true } }).get("/openapi/json", serve, { detail: { hide: true } });
};
