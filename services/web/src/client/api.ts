/**
 * The client of the public /api/v1 contract: the envelope, the access token on every request,
 * one refresh through /auth/refresh on a 401, a fresh Idempotency-Key per POST, and every failure
 * as an ApiError carrying its code, the Retry-After of a 429 and the X-Request-ID to quote.
 */
import { type ErrorFacts, messageFor } from "./messages";

export interface Tokens {
  access_token: string;
  refresh_token: string;
}

export interface Page<T> {
  data: T[];
  meta: { page: number; per_page: number; total: number };
}

export class ApiError extends Error implements ErrorFacts {
  constructor(
    readonly code: string,
    readonly status: number,
    readonly serverMessage: string | undefined,
    readonly requestId: string | undefined,
    readonly retryAfterSeconds?: number,
    readonly details?: Record<string, unknown>,
    /** Set on a read the page tries again by itself (use-resource.ts): in how many seconds. */
    readonly retryingInSeconds?: number,
  ) {
    super(serverMessage ?? code);
    this.name = "ApiError";
  }

  /** Only for a while (too many requests, a part down): an idempotent read may be tried again by itself. */
  get passing(): boolean {
    return this.status === 429 || this.status === 503;
  }

  /** The same error, told as being tried again by itself in `seconds`. */
  retrying(seconds: number): ApiError {
    return new ApiError(this.code, this.status, this.serverMessage, this.requestId, this.retryAfterSeconds, this.details, seconds);
  }

  /** What the buyer reads. */
  get humanMessage(): string {
    return messageFor({
      code: this.code,
      status: this.status,
      retryAfterSeconds: this.retryAfterSeconds,
      retryingInSeconds: this.retryingInSeconds,
      details: this.details,
    });
  }
}

const tokensKey = "booking-rush.tokens";

/** The session's tokens, kept in this browser's storage so a reload stays logged in. */
export const tokenStore = {
  get(): Tokens | null {
    try {
      const stored = localStorage.getItem(tokensKey);
      return stored ? (JSON.parse(stored) as Tokens) : null;
    } catch {
      return null;
    }
  },
  set(tokens: Tokens | null) {
    if (tokens) localStorage.setItem(tokensKey, JSON.stringify({ access_token: tokens.access_token, refresh_token: tokens.refresh_token }));
    else localStorage.removeItem(tokensKey);
    for (const listener of listeners) listener(tokens);
  },
};
const listeners = new Set<(tokens: Tokens | null) => void>();
export const onTokensChange = (listener: (tokens: Tokens | null) => void) => {
  listeners.add(listener);
  return () => listeners.delete(listener);
};

/** The modes of fetch's `cache` the pages use (spelled here: the server's typecheck has no DOM types). */
export type CacheMode = "default" | "no-cache" | "reload";

export interface RequestOptions {
  method?: "GET" | "POST" | "PUT" | "DELETE";
  /** JSON, or a File/Blob sent as its bytes (an upload). */
  body?: unknown;
  query?: Record<string, string | number | undefined>;
  headers?: Record<string, string>;
  signal?: AbortSignal;
  /** The browser's HTTP cache for this request (fetch's `cache`): "reload" refreshes a public answer it keeps. */
  cache?: CacheMode;
}

const base = "/api/v1";

function urlOf(path: string, query?: RequestOptions["query"]): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query ?? {})) if (value !== undefined && value !== "") params.set(name, String(value));
  const search = params.toString();
  return `${base}${path}${search ? `?${search}` : ""}`;
}

async function send(path: string, options: RequestOptions, idempotencyKey: string | undefined): Promise<Response> {
  const headers: Record<string, string> = { accept: "application/json", ...options.headers };
  const tokens = tokenStore.get();
  if (tokens) headers.authorization = `Bearer ${tokens.access_token}`;
  // A file (an upload) goes as its bytes under its own type; anything else as JSON.
  const file = options.body instanceof Blob ? options.body : undefined;
  if (file) headers["content-type"] = file.type || "application/octet-stream";
  else if (options.body !== undefined) headers["content-type"] = "application/json";
  if (idempotencyKey) headers["idempotency-key"] = idempotencyKey;
  try {
    return await fetch(urlOf(path, options.query), {
      method: options.method ?? "GET",
      headers,
      body: file ?? (options.body === undefined ? undefined : JSON.stringify(options.body)),
      signal: options.signal,
      cache: options.cache,
    });
  } catch (error) {
    if (error instanceof DOMException && error.name === "AbortError") throw error;
    throw new ApiError("NETWORK", 0, undefined, undefined);
  }
}

async function errorOf(response: Response): Promise<ApiError> {
  const requestId = response.headers.get("x-request-id") ?? undefined;
  const retryAfter = Number(response.headers.get("retry-after"));
  let body: { error?: { code?: string; message?: string; details?: Record<string, unknown> } } = {};
  try {
    body = (await response.json()) as typeof body;
  } catch {
    // Not the envelope (a proxy's page): the status speaks for it.
  }
  return new ApiError(
    body.error?.code ?? `HTTP_${response.status}`,
    response.status,
    body.error?.message,
    requestId,
    Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : undefined,
    body.error?.details,
  );
}

let refreshing: Promise<boolean> | null = null;

/**
 * One refresh at a time, shared by every request that got a 401 meanwhile; also called after a
 * profile change the access token carries (the date of birth) so the next request has it.
 */
export function refreshTokens(): Promise<boolean> {
  refreshing ??= (async () => {
    const tokens = tokenStore.get();
    if (!tokens) return false;
    const response = await send("/auth/refresh", { method: "POST", body: { refresh_token: tokens.refresh_token } }, undefined);
    if (!response.ok) {
      if (response.status === 401) tokenStore.set(null);
      return false;
    }
    const body = (await response.json()) as { data: { tokens: Tokens } };
    tokenStore.set(body.data.tokens);
    return true;
  })().finally(() => {
    refreshing = null;
  });
  return refreshing;
}

/** The whole envelope of a successful answer (lists need `meta`). */
export async function requestEnvelope<T>(path: string, options: RequestOptions = {}): Promise<{ data: T; meta?: Page<unknown>["meta"] }> {
  // The same key on the retry after a refresh: the server sees one request, not two.
  const idempotencyKey = options.method === "POST" ? crypto.randomUUID() : undefined;
  let response = await send(path, options, idempotencyKey);
  if (response.status === 401 && tokenStore.get() && !path.startsWith("/auth/refresh") && (await refreshTokens())) {
    response = await send(path, options, idempotencyKey);
  }
  if (!response.ok) throw await errorOf(response);
  if (response.status === 204) return { data: undefined as T };
  return (await response.json()) as { data: T; meta?: Page<unknown>["meta"] };
}

export async function request<T>(path: string, options: RequestOptions = {}): Promise<T> {
  return (await requestEnvelope<T>(path, options)).data;
}

export async function requestPage<T>(path: string, options: RequestOptions = {}): Promise<Page<T>> {
  const envelope = await requestEnvelope<T[]>(path, options);
  return { data: envelope.data, meta: envelope.meta ?? { page: 1, per_page: envelope.data.length, total: envelope.data.length } };
}
