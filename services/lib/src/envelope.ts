/**
 * The one response envelope of the public API (shared/design/API.md), as values and as schemas
 * so every route can declare its response and OpenAPI shows the real shape.
 */
import { type TSchema, t } from "elysia";
import { type AppError, type ErrorCode, errorCodes, errorStatus } from "./errors";

export interface PageMeta {
  page: number;
  per_page: number;
  total: number;
}

export const ok = <T>(data: T) => ({ success: true as const, data });

export const page = <T>(data: T[], meta: PageMeta) => ({ success: true as const, data, meta });

export const errorBody = (error: Pick<AppError, "code" | "message" | "details">) => ({
  success: false as const,
  error: {
    code: error.code,
    message: error.message,
    ...(error.details === undefined ? {} : { details: error.details }),
  },
});

export const okSchema = <T extends TSchema>(data: T) => t.Object({ success: t.Literal(true), data });

export const pageMetaSchema = t.Object({
  page: t.Integer({ minimum: 1 }),
  per_page: t.Integer({ minimum: 1 }),
  total: t.Integer({ minimum: 0 }),
});

export const pageSchema = <T extends TSchema>(item: T) => t.Object({ success: t.Literal(true), data: t.Array(item), meta: pageMetaSchema });

/** The error envelope with the given codes (every code when none is given). */
export const errorSchemaOf = (codes: readonly ErrorCode[] = errorCodes) =>
  t.Object({
    success: t.Literal(false),
    error: t.Object({
      code: codes.length === 1 ? t.Literal(codes[0]!) : t.Union(codes.map((code) => t.Literal(code))),
      message: t.String(),
      details: t.Optional(t.Record(t.String(), t.Unknown())),
    }),
  });

export const errorSchema = errorSchemaOf();

/**
 * A route's own error answers, for its `response`: `{ 200: …, ...errorResponses("NOT_FOUND", "CONFLICT") }`
 * gives each status the envelope with exactly those of its codes. Only what the route's domain
 * decides (and 401 of a `viewer` route, 429 of a rate-limited one): the kernel adds what every route
 * of a kind can answer (400, 401/403 with auth, 413, 431, 500, 503) to the OpenAPI document itself
 * (http/openapi.ts).
 */
export function errorResponses(...codes: ErrorCode[]) {
  const byStatus: Record<number, ErrorCode[]> = {};
  for (const code of codes) {
    const status = errorStatus[code];
    byStatus[status] = [...(byStatus[status] ?? []), code];
  }
  return Object.fromEntries(Object.entries(byStatus).map(([status, group]) => [status, errorSchemaOf(group)])) as Record<
    number,
    ReturnType<typeof errorSchemaOf>
  >;
}

/** The highest page a list serves: its offset, (page - 1) × per_page, stays a small exact integer. */
export const maxPage = 1_000_000;

/**
 * Pagination query every list endpoint accepts. Both are optional (the defaults apply; the OpenAPI
 * document says so, see http/openapi.ts) and bounded, so no page asks PostgreSQL or Redis for an
 * offset it cannot represent.
 */
export const pageQuerySchema = t.Object({
  page: t.Integer({ minimum: 1, maximum: maxPage, default: 1 }),
  per_page: t.Integer({ minimum: 1, maximum: 100, default: 20 }),
});
