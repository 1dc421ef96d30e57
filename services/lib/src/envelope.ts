/**
 * The one response envelope of the public API (shared/design/API.md), as values and as schemas
 * so every route can declare its response and OpenAPI shows the real shape.
 */
import { t, type TSchema } from "elysia";
import { errorCodes, type AppError } from "./errors";

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

export const pageSchema = <T extends TSchema>(item: T) =>
  t.Object({ success: t.Literal(true), data: t.Array(item), meta: pageMetaSchema });

export const errorSchema = t.Object({
  success: t.Literal(false),
  error: t.Object({
    code: t.Union(errorCodes.map((code) => t.Literal(code))),
    message: t.String(),
    details: t.Optional(t.Record(t.String(), t.Unknown())),
  }),
});

/** Pagination query every list endpoint accepts. */
export const pageQuerySchema = t.Object({
  page: t.Integer({ minimum: 1, default: 1 }),
  per_page: t.Integer({ minimum: 1, maximum: 100, default: 20 }),
});
