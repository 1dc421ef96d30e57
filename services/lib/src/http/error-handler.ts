import { Elysia, ValidationError } from "elysia";
import { errorBody } from "../envelope";
import { AppError, type FieldError, serviceUnavailable, validationError } from "../errors";
import type { Logger } from "../logger";
import { dependencyOf } from "./dependency-errors";
import { requestIdOf } from "./request-id";

/**
 * Every failure leaves as the error envelope. Domain errors keep their code; schema failures name
 * the failing fields; a dependency that is down is 503; anything else is INTERNAL_ERROR with the
 * stack in the log only.
 */
export function toAppError(code: string | number, error: unknown): AppError {
  if (error instanceof AppError) return error;
  if (error instanceof ValidationError && error.type !== "response") return validationError(fieldErrors(error));
  switch (code) {
    case "NOT_FOUND":
      return new AppError("NOT_FOUND", "No such route");
    case "PARSE":
      return validationError([{ in: "body", field: "", message: "Body is not valid for its content type" }]);
    case "INVALID_COOKIE_SIGNATURE":
      return new AppError("UNAUTHORIZED", "Cookie signature is not valid");
  }
  const dependency = dependencyOf(error);
  if (dependency) {
    return serviceUnavailable(dependency);
  }
  return new AppError("INTERNAL_ERROR", "Something went wrong on our side");
}

function fieldErrors(error: ValidationError): FieldError[] {
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

export const errorHandlerPlugin = (logger: Logger) =>
  new Elysia({ name: "kernel.error-handler" }).onError({ as: "global" }, ({ code, error, request, set, path }) => {
    const appError = toAppError(code, error);
    const fields = { request_id: requestIdOf(request), method: request.method, path, code: appError.code };
    if (appError.status >= 500) logger.error("request failed", { ...fields, error });
    else logger.debug("request rejected", fields);
    set.status = appError.status;
    Object.assign(set.headers, appError.headers);
    return errorBody(appError);
  });
