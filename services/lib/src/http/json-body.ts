import { Elysia } from "elysia";
import { validationError } from "../errors";

/** Requests carry a few ids and numbers; anything bigger is refused before it is read. */
export const maxJsonBodyBytes = 64 * 1024;

/**
 * A declared Content-Length over the limit is a VALIDATION_ERROR like any other bad input, answered
 * before the body is read. A body without a length (chunked) is cut off by the server's own
 * maxRequestBodySize (serveHttp). Parsing stays Elysia's, so OpenAPI still sees JSON bodies.
 */
export const bodyLimitPlugin = (maxBytes = maxJsonBodyBytes) =>
  new Elysia({ name: "kernel.body-limit" }).onRequest(({ request }) => {
    if (Number(request.headers.get("content-length") ?? 0) > maxBytes) {
      throw validationError([{ in: "body", field: "", message: `Body is larger than ${maxBytes} bytes` }]);
    }
  });
