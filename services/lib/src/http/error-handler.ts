import { Elysia, ValidationError } from "elysia";
import { postgresErrorOf } from "../data/postgres-errors";
import { errorBody } from "../envelope";
import { AppError, type FieldError, serviceUnavailable, validationError } from "../errors";
import type { Logger } from "../logger";
import { dependencyOf } from "./dependency-errors";
import { unreadableBodyError } from "./json-body";
import { requestIdOf } from "./request-id";

/**
 * Every failure leaves as the error envelope. Domain errors keep their code; schema failures name
 * the failing fields; a dependency that is down is 503; anything else is INTERNAL_ERROR with the
 * stack in the log only.
 */
export function toAppError(code: string | number, error: unknown, request?: Request): AppError {
  if (error instanceof AppError) return error;
  if (error instanceof ValidationError && error.type === "body" && request) {
    const unreadable = unreadableBodyError(request);
    if (unreadable) return unreadable;
  }
  if (error instanceof ValidationError && error.type !== "response") return validationError(fieldErrors(error, request));
  switch (code) {
    case "NOT_FOUND":
      return new AppError("NOT_FOUND", "No such route");
    case "PARSE":
      // The kernel's body parser (json-body.ts) refuses with its own error; Elysia wraps it.
      if (error instanceof Error && error.cause instanceof AppError) return error.cause;
      return validationError([{ in: "body", field: "", message: "Body is not valid for its content type" }]);
    case "INVALID_COOKIE_SIGNATURE":
      return new AppError("UNAUTHORIZED", "Cookie signature is not valid");
  }
  const dependency = dependencyOf(error);
  if (dependency) {
    return serviceUnavailable(dependency);
  }
  if (isDataException(error)) {
    return validationError([{ in: "request", field: "", message: "A value is out of range or cannot be stored" }]);
  }
  return new AppError("INTERNAL_ERROR", "Something went wrong on our side");
}

/**
 * PostgreSQL's class 22 "data exception" (a NUL in text, a timestamp or number out of range): the
 * request carried a value the database cannot hold. The schemas refuse such values first, naming
 * the field; this is the safety net for one they miss, so it is still a 400 and not a 500.
 */
const isDataException = (error: unknown) => postgresErrorOf(error)?.code.startsWith("22") === true;

/**
 * Elysia checks a coerced query value (a number, a boolean) on its own, outside its object, and its
 * error then names no field (type "property", empty path): the field is the query parameter that
 * holds that value.
 */
function queryFieldOf(error: ValidationError, request: Request | undefined): FieldError | undefined {
  if (error.type !== "property" || !request) return undefined;
  const value = (error as { value?: unknown }).value;
  for (const [name, given] of new URL(request.url).searchParams) {
    if (given === String(value) || (given.trim() !== "" && Number(given) === value)) {
      const issue = error.all[0];
      const message = issue && "summary" in issue && issue.summary ? issue.summary : (issue?.message ?? "Does not match the schema");
      return { in: "query", field: name, message: String(message) };
    }
  }
  return undefined;
}

function fieldErrors(error: ValidationError, request?: Request): FieldError[] {
  const queryField = queryFieldOf(error, request);
  if (queryField) return [queryField];
  const seen = new Set<string>();
  const fields: FieldError[] = [];
  for (const issue of error.all) {
    const field = "path" in issue ? issue.path.replace(/^\//, "").replaceAll("/", ".") : "";
    if (seen.has(field)) continue;
    seen.add(field);
    const message = "summary" in issue && issue.summary ? issue.summary : issue.message;
    fields.push({ in: error.type, field, message: String(message) });
  }
  return fields.length > 0 ? fields : [{ in: error.type, field: "", message: "Does not match the schema" }];
}

/**
 * What a process answers for a path no route serves, instead of the 404 envelope: the web app's
 * page for a browser asking for a page it does not have (its own status stays 404). Undefined:
 * the envelope.
 */
export type NotFoundPage = (request: Request, path: string) => Response | undefined | Promise<Response | undefined>;

/**
 * `allowedMethods(path)`: the methods served on a path, so that a known path asked with another
 * method is 405 METHOD_NOT_ALLOWED with `Allow`, and only an unknown path is 404 (or the
 * `notFoundPage` when the process has one and it answers).
 */
export const errorHandlerPlugin = (logger: Logger, allowedMethods: (path: string) => string[] = () => [], notFoundPage?: NotFoundPage) =>
  new Elysia({ name: "kernel.error-handler" }).onError({ as: "global" }, async ({ code, error, request, set, path }) => {
    let appError = toAppError(code, error, request);
    if (code === "NOT_FOUND" && !(error instanceof AppError)) {
      const allowed = allowedMethods(path);
      if (allowed.length > 0)
        appError = new AppError("METHOD_NOT_ALLOWED", `${request.method} is not served here`, { allowed }, { Allow: allowed.join(", ") });
      else {
        const page = await notFoundPage?.(request, path);
        if (page) return page;
      }
    }
    const fields = { request_id: requestIdOf(request), method: request.method, path, code: appError.code };
    if (appError.status >= 500) logger.error("request failed", { ...fields, error });
    else if (isDataException(error)) logger.warn("request refused by the database", { ...fields, error });
    else logger.debug("request rejected", fields);
    set.status = appError.status;
    Object.assign(set.headers, appError.headers);
    return errorBody(appError);
  });
