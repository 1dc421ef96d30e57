/**
 * Data a page loads from the API: the value, the error, and a reload (for polling and retries).
 * A read refused for a while only (429 with its Retry-After, 503) is tried again by itself after
 * the time the server asked for (a few seconds without one), a bounded number of times in a row,
 * and the error says so meanwhile: the buyer is told what happens next and need not reload.
 */
import { type DependencyList, useCallback, useEffect, useRef, useState } from "react";
import { ApiError } from "./api";

/** Tries in a row before the page stops trying by itself (the error stays, with its own advice). */
const maxRetriesInARow = 30;
/** Seconds before trying again when the server did not say (a 503 without Retry-After). */
const defaultRetrySeconds = 5;
/** The longest wait honoured: a larger Retry-After is still waited out, in steps the buyer sees. */
const maxRetrySeconds = 60;

export interface Resource<T> {
  value: T | undefined;
  error: unknown;
  loading: boolean;
  reload(): void;
}

export function useResource<T>(load: (signal: AbortSignal) => Promise<T>, deps: DependencyList): Resource<T> {
  const [state, setState] = useState<{ value: T | undefined; error: unknown; loading: boolean }>({
    value: undefined,
    error: null,
    loading: true,
  });
  const [generation, setGeneration] = useState(0);
  const loadRef = useRef(load);
  loadRef.current = load;
  const retriesInARow = useRef(0);
  // biome-ignore lint/correctness/useExhaustiveDependencies: the caller's deps say when to load again
  useEffect(() => {
    const controller = new AbortController();
    let retryTimer: ReturnType<typeof setTimeout> | undefined;
    setState((previous) => ({ ...previous, loading: true }));
    loadRef.current(controller.signal).then(
      (value) => {
        retriesInARow.current = 0;
        setState({ value, error: null, loading: false });
      },
      (error: unknown) => {
        if (controller.signal.aborted) return;
        let shown = error;
        if (error instanceof ApiError && error.passing && retriesInARow.current < maxRetriesInARow) {
          retriesInARow.current += 1;
          const seconds = Math.min(Math.ceil(error.retryAfterSeconds ?? defaultRetrySeconds), maxRetrySeconds);
          shown = error.retrying(seconds);
          retryTimer = setTimeout(() => setGeneration((value) => value + 1), seconds * 1000);
        }
        // A failed refresh keeps what was shown, with the error beside it.
        setState((previous) => ({ value: previous.value, error: shown, loading: false }));
      },
    );
    return () => {
      controller.abort();
      clearTimeout(retryTimer);
    };
  }, [...deps, generation]);
  const reload = useCallback(() => setGeneration((value) => value + 1), []);
  return { ...state, reload };
}
