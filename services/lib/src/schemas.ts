/**
 * Schema pieces shared by routes. Elysia's own `t.Integer` also accepts numeric strings (it is
 * built for query strings); in a JSON body "2" is a wrong type and must be rejected, so bodies use
 * `jsonInteger`. Query and path parameters keep Elysia's coercing types.
 */
import { Type, type IntegerOptions } from "@sinclair/typebox";

export const jsonInteger = (options: IntegerOptions = {}) => Type.Integer(options);

export const uuid = (options: { description?: string } = {}) => Type.String({ format: "uuid", ...options });
