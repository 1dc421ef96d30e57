import { describe, expect, test } from "bun:test";
import { eventually } from "@booking-rush/test-support/eventually";
import { Elysia, t } from "elysia";
import postgres from "postgres";
import { errorResponses, okSchema, pageQuerySchema, pageSchema } from "../src/envelope";
import { AppError } from "../src/errors";
import { maxRawBodyBytes, rawBody, serverMaxRequestBodyBytes } from "../src/http/json-body";
import { jsonInteger } from "../src/schemas";
import { call, json, jsonOf, testKernel } from "./support/test-kernel";

const sampleService = new Elysia({ name: "sample", prefix: "/api/v1" })
  .post("/orders", ({ body }) => ({ success: true as const, data: { quantity: body.quantity } }), {
    body: t.Object({ show_id: t.String({ format: "uuid" }), quantity: jsonInteger({ minimum: 1, maximum: 10 }) }),
    response: okSchema(t.Object({ quantity: jsonInteger() })),
  })
  .get(
    "/orders/:id",
    ({ params }) => {
      throw new AppError("NOT_FOUND", `Order ${params.id} not found`);
    },
    { params: t.Object({ id: t.String({ format: "uuid" }) }) },
  )
  .put("/pictures", ({ body }) => ({ success: true as const, data: { bytes: body.byteLength } }), {
    body: rawBody(["image/png"]),
    response: okSchema(t.Object({ bytes: jsonInteger() })),
  })
  .get("/pictures/:id", () => new Response(null, { status: 304 }), {
    params: t.Object({ id: t.String({ format: "uuid" }) }),
    response: { 200: rawBody(["image/png"], "The picture"), 304: t.Void({ description: "Not modified" }) },
  })
  .get("/crash", () => {
    throw new Error("secret internals at /srv/app/src/db.ts:42");
  })
  .get("/redis-down", () => {
    throw Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:6380"), { code: "ECONNREFUSED" });
  })
  .get("/slow-down", () => {
    throw new AppError("RATE_LIMITED", "Too many requests", undefined, { "Retry-After": "7" });
  });

const showId = "7b0f6c0e-6f8a-4c1e-9a43-2f1d1f0b9a10";

describe("error envelope", () => {
  const { app, lines } = testKernel([sampleService]);

  test("an unknown route is a NOT_FOUND envelope", async () => {
    const response = await call(app, "/api/v1/nothing-here");
    expect(response.status).toBe(404);
    expect(await jsonOf(response)).toEqual({ success: false, error: { code: "NOT_FOUND", message: "No such route" } });
  });

  test("a malformed JSON body is a VALIDATION_ERROR envelope", async () => {
    const response = await call(app, "/api/v1/orders", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: '{"show_id": ',
    });
    expect(response.status).toBe(400);
    const body = await jsonOf(response);
    expect(body.success).toBe(false);
    expect(body.error.code).toBe("VALIDATION_ERROR");
  });

  test("a body failing its schema names each failing field", async () => {
    const response = await call(app, "/api/v1/orders", json({ show_id: "not-a-uuid", quantity: 0 }));
    expect(response.status).toBe(400);
    const body = await jsonOf(response);
    expect(body.error.code).toBe("VALIDATION_ERROR");
    expect(body.error.details.fields.map((field: { field: string }) => field.field).sort()).toEqual(["quantity", "show_id"]);
    expect(body.error.details.fields[0].in).toBe("body");
  });

  test("wrong types and missing fields are rejected", async () => {
    const wrongType = await call(app, "/api/v1/orders", json({ show_id: showId, quantity: "2" }));
    expect(wrongType.status).toBe(400);
    const missing = await call(app, "/api/v1/orders", json({ quantity: 2 }));
    expect((await jsonOf(missing)).error.details.fields.map((field: { field: string }) => field.field)).toContain("show_id");
  });

  test("a body over the size limit is 413 PAYLOAD_TOO_LARGE with the envelope, refused before it is read", async () => {
    const huge = JSON.stringify({ show_id: showId, quantity: 1, padding: "x".repeat(100_000) });
    const response = await call(app, "/api/v1/orders", {
      method: "POST",
      headers: { "content-type": "application/json", "content-length": String(huge.length) },
      body: huge,
    });
    expect(response.status).toBe(413);
    expect((await jsonOf(response)).error).toMatchObject({ code: "PAYLOAD_TOO_LARGE", details: { max_bytes: 65_536 } });
    expect(response.headers.get("content-security-policy")).toBe("default-src 'self'");
  });

  test("a body without a length (streamed) is read only up to the limit: 413, also between 64 and 128 KB", async () => {
    for (const size of [70_000, 200_000]) {
      const text = JSON.stringify({ show_id: showId, quantity: 1, padding: "x".repeat(size) });
      const stream = new ReadableStream({
        start(controller) {
          for (let at = 0; at < text.length; at += 8_192) controller.enqueue(new TextEncoder().encode(text.slice(at, at + 8_192)));
          controller.close();
        },
      });
      const response = await call(app, "/api/v1/orders", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: stream,
        duplex: "half",
      } as RequestInit);
      expect({ size, status: response.status }).toEqual({ size, status: 413 });
      expect((await jsonOf(response)).error.code).toBe("PAYLOAD_TOO_LARGE");
    }
  });

  test("on a real server (Bun's own limit above the kernel's), bodies over 128 KB get the envelope, not a bare 413", async () => {
    const { app: served } = testKernel([sampleService]);
    served.listen({ port: 0, hostname: "127.0.0.1", maxRequestBodySize: serverMaxRequestBodyBytes });
    try {
      const url = `http://127.0.0.1:${served.server!.port}/api/v1/orders`;
      const text = JSON.stringify({ show_id: showId, quantity: 1, padding: "x".repeat(300_000) });
      const sized = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: text });
      const chunked = await fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: new Blob([text]).stream(),
        duplex: "half",
      } as RequestInit);
      for (const response of [sized, chunked]) {
        expect(response.status).toBe(413);
        expect(response.headers.get("content-security-policy")).toBe("default-src 'self'");
        expect((await jsonOf(response)).error.code).toBe("PAYLOAD_TOO_LARGE");
      }
    } finally {
      await served.stop(true);
    }
  });

  test("headers over the limit are 431 HEADERS_TOO_LARGE with the envelope and the security headers", async () => {
    const response = await call(app, "/api/v1/orders", { headers: { "x-padding": "y".repeat(9_000) } });
    expect(response.status).toBe(431);
    expect((await jsonOf(response)).error.code).toBe("HEADERS_TOO_LARGE");
    expect(response.headers.get("x-frame-options")).toBe("DENY");
  });

  test("a body that is not JSON is a VALIDATION_ERROR", async () => {
    const response = await call(app, "/api/v1/orders", { method: "POST", headers: { "content-type": "text/plain" }, body: "quantity=2" });
    expect(response.status).toBe(400);
    expect((await jsonOf(response)).error.details.fields[0].message).toContain("application/json");
  });

  test("an upload (image or octet-stream) reaches a rawBody route as its bytes, up to its own limit; a JSON route refuses it", async () => {
    const upload = (size: number, headers: Record<string, string> = {}) =>
      call(app, "/api/v1/pictures", { method: "PUT", headers: { "content-type": "image/png", ...headers }, body: new Uint8Array(size) });
    const taken = await upload(maxRawBodyBytes);
    expect(taken.status).toBe(200);
    expect((await jsonOf(taken)).data.bytes).toBe(maxRawBodyBytes);
    const over = await upload(maxRawBodyBytes + 1);
    expect(over.status).toBe(413);
    expect((await jsonOf(over)).error).toMatchObject({ code: "PAYLOAD_TOO_LARGE", details: { max_bytes: maxRawBodyBytes } });
    // Streamed (no length): refused at the first byte past the limit.
    const chunks = [new Uint8Array(maxRawBodyBytes), new Uint8Array(1)];
    const streamed = await call(app, "/api/v1/pictures", {
      method: "PUT",
      headers: { "content-type": "image/png" },
      body: new ReadableStream({ pull: (controller) => (chunks.length ? controller.enqueue(chunks.shift()!) : controller.close()) }),
    });
    expect(streamed.status).toBe(413);
    // JSON to the upload, an image to a JSON route: the schema's VALIDATION_ERROR.
    expect((await call(app, "/api/v1/pictures", json({ bytes: 1 }, { method: "PUT" }))).status).toBe(400);
    const imageToJson = await call(app, "/api/v1/orders", {
      method: "POST",
      headers: { "content-type": "image/png" },
      body: new Uint8Array(10),
    });
    expect(imageToJson.status).toBe(400);
    expect((await jsonOf(imageToJson)).error.code).toBe("VALIDATION_ERROR");
  });

  test("a known path asked with another method is 405 with Allow; an unknown path stays 404", async () => {
    const response = await call(app, "/api/v1/orders", { method: "DELETE" });
    expect(response.status).toBe(405);
    expect(response.headers.get("allow")).toBe("POST, OPTIONS");
    expect((await jsonOf(response)).error.code).toBe("METHOD_NOT_ALLOWED");
    const withParam = await call(app, `/api/v1/orders/${showId}`, { method: "PUT" });
    expect(withParam.status).toBe(405);
    expect(withParam.headers.get("allow")).toBe("GET, HEAD, OPTIONS");
    expect((await call(app, "/api/v1/nothing-here", { method: "DELETE" })).status).toBe(404);
  });

  test("a valid body passes", async () => {
    const response = await call(app, "/api/v1/orders", json({ show_id: showId, quantity: 2 }));
    expect(response.status).toBe(200);
    expect(await jsonOf(response)).toEqual({ success: true, data: { quantity: 2 } });
  });

  test("a bad path parameter is a VALIDATION_ERROR in params", async () => {
    const body = await jsonOf(await call(app, "/api/v1/orders/123"));
    expect(body.error.code).toBe("VALIDATION_ERROR");
    expect(body.error.details.fields[0]).toMatchObject({ in: "params", field: "id" });
  });

  test("a domain error keeps its code and status", async () => {
    const response = await call(app, `/api/v1/orders/${showId}`);
    expect(response.status).toBe(404);
    expect((await jsonOf(response)).error).toEqual({ code: "NOT_FOUND", message: `Order ${showId} not found` });
  });

  test("a domain error's headers are sent", async () => {
    const response = await call(app, "/api/v1/slow-down");
    expect(response.status).toBe(429);
    expect(response.headers.get("retry-after")).toBe("7");
  });

  test("an unexpected error is INTERNAL_ERROR with no internals in the body, the stack in the log", async () => {
    const response = await call(app, "/api/v1/crash", { headers: { "x-request-id": "crash-1" } });
    expect(response.status).toBe(500);
    const text = await response.text();
    expect(JSON.parse(text)).toEqual({ success: false, error: { code: "INTERNAL_ERROR", message: "Something went wrong on our side" } });
    expect(text).not.toContain("secret internals");
    expect(text).not.toContain("db.ts");
    const logged = lines.find((line) => line.request_id === "crash-1" && line.level === "error");
    expect(JSON.stringify(logged)).toContain("secret internals");
  });

  test("a dependency that is down is SERVICE_UNAVAILABLE with Retry-After", async () => {
    const response = await call(app, "/api/v1/redis-down");
    expect(response.status).toBe(503);
    expect(response.headers.get("retry-after")).toBe("1");
    expect((await jsonOf(response)).error.code).toBe("SERVICE_UNAVAILABLE");
  });
});

describe("headers", () => {
  const { app } = testKernel([sampleService]);

  test("security headers on success and on errors", async () => {
    for (const path of ["/healthz", "/api/v1/nothing-here", "/api/v1/crash"]) {
      const response = await call(app, path);
      expect(response.headers.get("strict-transport-security")).toContain("max-age=");
      expect(response.headers.get("x-content-type-options")).toBe("nosniff");
      expect(response.headers.get("x-frame-options")).toBe("DENY");
      expect(response.headers.get("content-security-policy")).toBe("default-src 'self'");
    }
  });

  test("X-Request-ID is echoed when given and generated when absent, also on 404", async () => {
    expect((await call(app, "/healthz", { headers: { "x-request-id": "abc-123" } })).headers.get("x-request-id")).toBe("abc-123");
    const generated = (await call(app, "/api/v1/nothing-here")).headers.get("x-request-id");
    expect(generated).toMatch(/^[0-9a-f-]{36}$/);
  });

  test("an X-Request-ID that is unsafe to echo is replaced", async () => {
    const response = await call(app, "/healthz", { headers: { "x-request-id": "<script>alert(1)</script>" } });
    expect(response.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
  });

  test("CORS never echoes an Origin that is not configured, nor null; fixed methods; Vary: Origin", async () => {
    for (const origin of ["https://evil.example", "null", "https://tickets.example.evil.example"]) {
      const preflight = await call(app, "/api/v1/orders", {
        method: "OPTIONS",
        headers: { origin, "access-control-request-method": "DELETE" },
      });
      expect({ origin, allow: preflight.headers.get("access-control-allow-origin") }).toEqual({ origin, allow: null });
      expect(preflight.headers.get("access-control-allow-methods")).toBeNull();
      const simple = await call(app, "/healthz", { headers: { origin } });
      expect(simple.headers.get("access-control-allow-origin")).toBeNull();
      expect(simple.headers.get("vary")).toBe("Origin");
    }
    const allowed = await call(app, "/api/v1/orders", {
      method: "OPTIONS",
      headers: { origin: "https://tickets.example", "access-control-request-method": "PATCH" },
    });
    expect(allowed.headers.get("access-control-allow-methods")).toBe("GET, POST, PUT, DELETE");
    expect(allowed.headers.get("vary")).toBe("Origin");
  });

  test("CORS allows the configured origin only", async () => {
    const preflight = await call(app, "/api/v1/orders", {
      method: "OPTIONS",
      headers: {
        origin: "https://tickets.example",
        "access-control-request-method": "POST",
        "access-control-request-headers": "idempotency-key",
      },
    });
    expect(preflight.status).toBeLessThan(300);
    expect(preflight.headers.get("access-control-allow-origin")).toBe("https://tickets.example");
    expect(preflight.headers.get("access-control-allow-headers")?.toLowerCase()).toContain("idempotency-key");
    const other = await call(app, "/healthz", { headers: { origin: "https://evil.example" } });
    expect(other.headers.get("access-control-allow-origin")).not.toBe("https://evil.example");
  });
});

describe("health and metrics", () => {
  test("/healthz answers while dependencies are down; /readyz says which one is", async () => {
    const { app } = testKernel([], {
      redis: async () => "PONG",
      postgres: async () => {
        throw new Error("down");
      },
    });
    expect((await call(app, "/healthz")).status).toBe(200);
    const ready = await call(app, "/readyz");
    expect(ready.status).toBe(503);
    const body = await jsonOf(ready);
    expect(body.error.code).toBe("SERVICE_UNAVAILABLE");
    expect(body.error.details.checks).toEqual({ redis: "up", postgres: "down" });
  });

  test("/readyz is ready when every dependency answers, and not while draining", async () => {
    const { app, readiness } = testKernel([], { redis: async () => "PONG" });
    const ready = await call(app, "/readyz");
    expect(ready.status).toBe(200);
    expect((await jsonOf(ready)).data).toEqual({ status: "ready", checks: { redis: "up" } });
    readiness.draining = true;
    expect((await call(app, "/readyz")).status).toBe(503);
  });

  test("a check that hangs counts as down instead of hanging readiness", async () => {
    const { app } = testKernel([], { kafka: () => new Promise(() => {}) });
    const started = performance.now();
    const response = await call(app, "/readyz");
    expect(response.status).toBe(503);
    expect(performance.now() - started).toBeLessThan(3_000);
  });

  test("request metrics are labelled by route template, never by raw path", async () => {
    const { app } = testKernel([sampleService]);
    await call(app, `/api/v1/orders/${showId}`);
    await call(app, "/api/v1/orders/5d3c1e43-6a1e-4b35-8c7a-0d51d8f2e9b1");
    await call(app, "/api/v1/no-such-thing-1234");
    // The counters are written by an after-response hook, once the response is handed back.
    const text = await eventually(
      async () => {
        const scraped = await (await call(app, "/metrics")).text();
        expect(scraped).toContain('http_requests_total{method="GET",route="/api/v1/orders/:id",status="404",service="test"} 2');
        expect(scraped).toContain('http_requests_total{method="GET",route="unmatched",status="404",service="test"} 1');
        return scraped;
      },
      { timeoutMs: 2_000 },
    );
    expect(text).not.toContain(showId);
    expect(text).not.toContain("no-such-thing");
    expect(text).toContain('http_request_duration_seconds_count{service="test",method="GET",route="/api/v1/orders/:id",status="404"} 2');
    expect(text).toContain("process_cpu_user_seconds_total");
  });

  test("OpenAPI is generated from the route schemas", async () => {
    const { app } = testKernel([sampleService]);
    const spec = await jsonOf(await call(app, "/openapi/json"));
    expect(spec.paths["/api/v1/orders"].post.requestBody.content["application/json"].schema.properties.quantity.type).toBe("integer");
    expect(Object.keys(spec.paths["/api/v1/orders"].post.requestBody.content)).toEqual(["application/json"]);
    // An upload's body is binary, of its content types.
    expect(spec.paths["/api/v1/pictures"].put.requestBody.content).toEqual({
      "image/png": { schema: { type: "string", format: "binary" } },
    });
    // A binary answer has its content type; an empty one (304) no content at all.
    const picture = spec.paths["/api/v1/pictures/{id}"].get.responses;
    expect(picture["200"]).toEqual({
      description: "The picture",
      content: { "image/png": { schema: { type: "string", format: "binary" } } },
    });
    expect(picture["304"]).toEqual({ description: "Not modified" });
  });

  test("/openapi is the JSON document itself: no page loading scripts from a CDN", async () => {
    const { app } = testKernel([sampleService]);
    const response = await call(app, "/openapi");
    expect(response.headers.get("content-type")).toContain("application/json");
    const text = await response.text();
    expect(text).not.toContain("<script");
    expect(text).not.toContain("cdn");
    expect(JSON.parse(text).openapi).toMatch(/^3\.1\./);
  });

  test("every operation declares the error envelope of each status it can answer; pagination is optional", async () => {
    const listed = new Elysia({ name: "listed", prefix: "/api/v1" }).get(
      "/things",
      ({ query }) => ({ success: true as const, data: [], meta: { page: query.page, per_page: query.per_page, total: 0 } }),
      {
        query: pageQuerySchema,
        response: { 200: pageSchema(t.Object({})), ...errorResponses("NOT_FOUND", "CONFLICT", "INSUFFICIENT_STOCK") },
      },
    );
    const { app } = testKernel([sampleService, listed]);
    const spec = await jsonOf(await call(app, "/openapi/json"));
    const codes = (
      operation: {
        responses: Record<
          string,
          {
            content: {
              "application/json": {
                schema: { properties: { error: { properties: { code: { const?: string; anyOf?: { const: string }[] } } } } };
              };
            };
          }
        >;
      },
      status: string,
    ) => {
      const code = operation.responses[status]!.content["application/json"].schema.properties.error.properties.code;
      return code.anyOf ? code.anyOf.map((literal) => literal.const).sort() : [code.const];
    };
    const post = spec.paths["/api/v1/orders"].post;
    expect(Object.keys(post.responses).sort()).toEqual(["200", "400", "413", "431", "500", "503"]);
    expect(codes(post, "400")).toEqual(["VALIDATION_ERROR"]);
    const things = spec.paths["/api/v1/things"].get;
    expect(Object.keys(things.responses).sort()).toEqual(["200", "400", "404", "409", "431", "500", "503"]);
    expect(codes(things, "409")).toEqual(["CONFLICT", "INSUFFICIENT_STOCK"]);
    expect(things.parameters.map((parameter: { name: string; required: boolean }) => [parameter.name, parameter.required])).toEqual([
      ["page", false],
      ["per_page", false],
    ]);
  });
});

describe("a value the database cannot hold", () => {
  test("PostgreSQL's data exception is a 400, logged with SQLSTATE and the query's name, never the value", async () => {
    const url = process.env.DATABASE_URL;
    expect(url).toBeDefined();
    const sql = postgres(url!, { max: 1, onnotice: () => {} });
    try {
      // A route whose schema lets a NUL through: the safety net, not the schemas, must answer.
      const careless = new Elysia({ name: "careless", prefix: "/api/v1" }).post(
        "/notes",
        async ({ body }) => {
          await sql`select ${body.text}::text as stored`;
          return { success: true as const, data: {} };
        },
        { body: t.Object({ text: t.String() }), response: okSchema(t.Object({})) },
      );
      const { app, lines } = testKernel([careless]);
      const response = await call(
        app,
        "/api/v1/notes",
        json({ text: "secret-buyer-note\u0000" }, { headers: { "x-request-id": "nul-1" } }),
      );
      expect(response.status).toBe(400);
      expect((await jsonOf(response)).error.code).toBe("VALIDATION_ERROR");
      const logged = lines.find((line) => line.request_id === "nul-1" && line.level === "warn");
      expect(logged?.error).toMatchObject({ sql_state: "22021" });
      expect(JSON.stringify(lines)).not.toContain("secret-buyer-note");
    } finally {
      await sql.end({ timeout: 5 });
    }
  });
});
