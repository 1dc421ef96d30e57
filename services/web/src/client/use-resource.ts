/** Data a page loads from the API: the value, the error, and a reload (for polling and retries). */
import { type DependencyList, useCallback, useEffect, useRef, useState } from "react";

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
  // biome-ignore lint/correctness/useExhaustiveDependencies: the caller's deps say when to load again
  useEffect(() => {
    const controller = new AbortController();
    setState((previous) => ({ ...previous, loading: true }));
    loadRef.current(controller.signal).then(
      (value) => setState({ value, error: null, loading: false }),
      (error: unknown) => {
        if (controller.signal.aborted) return;
        // A failed refresh keeps what was shown, with the error beside it.
        setState((previous) => ({ value: previous.value, error, loading: false }));
      },
    );
    return () => controller.abort();
  }, [...deps, generation]);
  const reload = useCallback(() => setGeneration((value) => value + 1), []);
  return { ...state, reload };
}
