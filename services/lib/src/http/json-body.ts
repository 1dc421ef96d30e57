import { type TUint8Array, Type } from "@sinclair/typebox";
import { Elysia } from "elysia";
import { AppError, validationError } from "../errors";

/** Requests carry a few ids and numbers; anything bigger is refused before it is read. */
export const maxJsonBodyBytes = 64 * 1024;

/** The largest body that is not JSON: an uploaded image (a tenant's logo). */
export const maxRawBodyBytes = 100 * 1024;

/** Bodies handed to the route as their bytes (a Uint8Array), not parsed: uploads. */
const isRaw = (contentType: string) => /^(?:image\/[\w.+-]+|application\/octet-stream)\s*(?:;|$)/i.test(contentType);

/** The schema key naming a raw body's (or response's) content types, for the OpenAPI document. */
export const rawContentTypesKey = "x-raw-content-types";

/**
 * A route's raw body (or binary response): its bytes, of one of these content types (which the
 * domain must still check: a Content-Type is only a claim), at most `maxRawBodyBytes`.
 */
export const rawBody = (contentTypes: string[], description?: string): TUint8Array =>
  Type.Uint8Array({ minByteLength: 1, maxByteLength: maxRawBodyBytes, [rawContentTypesKey]: contentTypes, description });

/** Every header of a request together (names, values, separators); a bearer token is under 1 KB. */
export const maxHeaderBytes = 8 * 1024;

/**
 * What Bun itself allows (serveHttp). Far above the limits here, so that every request over them is
 * answered by this plugin with the error envelope and the security headers; Bun's own refusal is a
 * bare 413/431 that closes the connection. Headers past Bun's own fixed limit (16 KB) still get
 * that bare 431.
 */
export const serverMaxRequestBodyBytes = 1024 * 1024 * 1024;

export const payloadTooLarge = (maxBytes: number) =>
  new AppError("PAYLOAD_TOO_LARGE", `The body is larger than ${maxBytes} bytes`, { max_bytes: maxBytes });

export const headersTooLarge = (maxBytes: number) =>
  new AppError("HEADERS_TOO_LARGE", `The request headers are larger than ${maxBytes} bytes`, { max_bytes: maxBytes });

function headerBytes(headers: Headers): number {
  let total = 0;
  for (const [name, value] of headers) total += name.length + value.length + 4;
  return total;
}

/**
 * The body's bytes, refused as soon as they pass the limit. A body with a Content-Length (checked
 * against the limit before anything is read, and held to it by Bun) is read in one native call: the
 * stream reader below cost the reserve path ~6% of its CPU. A chunked body declares no length, so
 * it is read chunk by chunk and refused at the first byte past the limit.
 */
async function readCapped(request: Request, maxBytes: number): Promise<Uint8Array> {
  if (!request.body) return new Uint8Array();
  // Not when a Transfer-Encoding is sent too: then the length is not what delimits the body.
  if (request.headers.has("content-length") && !request.headers.has("transfer-encoding"))
    return new Uint8Array(await request.arrayBuffer());
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel().catch(() => {});
      throw payloadTooLarge(maxBytes);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks);
}

/** Stateless between calls (no `stream` option), so one serves every request. */
const utf8 = new TextDecoder("utf-8", { fatal: true });

const isJson = (contentType: string) => /^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i.test(contentType);

/**
 * A body that is not JSON is refused by the route's schema, not by the parser: parsing runs before
 * the auth guard's check (`transform`), and a caller who may not call a route must get 401/403
 * whatever it sent. The parser hands over a value no object schema accepts and keeps the reason
 * here; the error handler answers with it when the body then fails its schema.
 */
const unreadableBodies = new WeakMap<Request, AppError>();
const unreadableBody = "<body that is not JSON>";

export const unreadableBodyError = (request: Request) => unreadableBodies.get(request);

function unreadable(request: Request, message: string) {
  unreadableBodies.set(request, validationError([{ in: "body", field: "", message }]));
  return unreadableBody;
}

/**
 * Limits of every request, answered with the error envelope: headers over `maxHeadersBytes` are 431
 * HEADERS_TOO_LARGE, a declared Content-Length over `maxBodyBytes` is 413 PAYLOAD_TOO_LARGE before
 * anything is read, and a body without a length (chunked) is read only up to the limit.
 * Bodies are JSON, except uploads: an image or octet-stream body (up to `maxRawBytes`) reaches the
 * route as its bytes, which only a route declaring a `rawBody` accepts. Another content type, like
 * malformed JSON, is a VALIDATION_ERROR (see unreadableBodies).
 */
export const bodyLimitPlugin = (maxBodyBytes = maxJsonBodyBytes, maxHeadersBytes = maxHeaderBytes, maxRawBytes = maxRawBodyBytes) => {
  const limitOf = (request: Request) => (isRaw(request.headers.get("content-type") ?? "") ? maxRawBytes : maxBodyBytes);
  return new Elysia({ name: "kernel.body-limit" })
    .onRequest(({ request }) => {
      if (headerBytes(request.headers) > maxHeadersBytes) throw headersTooLarge(maxHeadersBytes);
      const length = request.headers.get("content-length");
      const limit = limitOf(request);
      if (length !== null && !(Number(length) <= limit)) throw payloadTooLarge(limit);
    })
    .onParse({ as: "global" }, async ({ request }, contentType) => {
      const bytes = await readCapped(request, limitOf(request));
      // null, not undefined: undefined would hand the (already read) body to Elysia's own parsers.
      if (bytes.byteLength === 0) return null;
      if (isRaw(contentType ?? "")) return bytes;
      if (!isJson(contentType ?? "")) return unreadable(request, "The body must be application/json");
      try {
        return JSON.parse(utf8.decode(bytes));
      } catch {
        return unreadable(request, "Body is not valid JSON");
      }
    });
};
