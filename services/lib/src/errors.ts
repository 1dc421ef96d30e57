/**
 * Domain errors and the HTTP status each error code maps to (shared/design/API.md, "Error codes").
 * Domain code throws these; the HTTP layer turns them into the error envelope.
 */
export const errorStatus = {
  VALIDATION_ERROR: 400,
  UNAUTHORIZED: 401,
  PAYMENT_FAILED: 402,
  FORBIDDEN: 403,
  QUEUE_REQUIRED: 403,
  AGE_RESTRICTED: 403,
  NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  CONFLICT: 409,
  INSUFFICIENT_STOCK: 409,
  SEAT_UNAVAILABLE: 409,
  MAX_PER_USER_EXCEEDED: 409,
  BOOKING_NOT_OPEN: 409,
  ALREADY_WAITLISTED: 409,
  WAITLIST_FULL: 409,
  RESERVATION_EXPIRED: 410,
  PAYLOAD_TOO_LARGE: 413,
  IDEMPOTENCY_KEY_REUSED: 422,
  RATE_LIMITED: 429,
  HEADERS_TOO_LARGE: 431,
  INTERNAL_ERROR: 500,
  SERVICE_UNAVAILABLE: 503,
} as const;

export type ErrorCode = keyof typeof errorStatus;
export const errorCodes = Object.keys(errorStatus) as ErrorCode[];

export type ErrorDetails = Record<string, unknown>;

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly details: ErrorDetails | undefined;
  /** Response headers the error implies, e.g. Retry-After for RATE_LIMITED. */
  readonly headers: Record<string, string>;

  constructor(code: ErrorCode, message: string, details?: ErrorDetails, headers: Record<string, string> = {}) {
    super(message);
    this.name = "AppError";
    this.code = code;
    this.status = errorStatus[code];
    this.details = details;
    this.headers = headers;
  }
}

export const validationError = (fields: FieldError[]) => new AppError("VALIDATION_ERROR", "The request is not valid", { fields });

export interface FieldError {
  /** Where the field is: body, query, params, headers. */
  in: string;
  /** Dotted path of the field, e.g. `seat_ids.2`; empty for the whole part. */
  field: string;
  message: string;
}

export const unauthorized = (message = "Authentication required") => new AppError("UNAUTHORIZED", message);
export const forbidden = (message = "You are not allowed to do this") => new AppError("FORBIDDEN", message);
export const notFound = (what = "Resource") => new AppError("NOT_FOUND", `${what} not found`);
export const conflict = (message: string, details?: ErrorDetails) => new AppError("CONFLICT", message, details);

export const rateLimited = (retryAfterSeconds: number) =>
  new AppError(
    "RATE_LIMITED",
    "Too many requests, slow down",
    { retry_after_seconds: retryAfterSeconds },
    {
      "Retry-After": String(Math.max(1, Math.ceil(retryAfterSeconds))),
    },
  );

/** A dependency the request needs is down; the caller may retry, nothing was changed. */
export const serviceUnavailable = (dependency: string) =>
  new AppError(
    "SERVICE_UNAVAILABLE",
    "A service this request needs is unavailable, nothing was changed; retry later",
    {
      dependency,
    },
    { "Retry-After": "1" },
  );
