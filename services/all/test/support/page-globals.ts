/**
 * What a page gives the web client and Bun does not have, for tests that run the client's modules
 * in the test's process: `localStorage` for one origin, and `fetch` on the page's origin (relative
 * URLs, answered by the platform's app through `handle`). `restore()` puts Bun's own back.
 */

/** The browser's storage for one origin. */
class MemoryStorage {
  private readonly items = new Map<string, string>();
  getItem = (key: string) => this.items.get(key) ?? null;
  setItem = (key: string, value: string) => void this.items.set(key, value);
  removeItem = (key: string) => void this.items.delete(key);
  clear = () => this.items.clear();
}

export function installPageGlobals(handle: (request: Request) => Promise<Response>) {
  const originalFetch = globalThis.fetch;
  Object.assign(globalThis, { localStorage: new MemoryStorage() });
  globalThis.fetch = ((input: string | URL | Request, init?: RequestInit) =>
    handle(new Request(new URL(String(input), "http://localhost").href, init))) as typeof fetch;
  return {
    restore() {
      globalThis.fetch = originalFetch;
    },
  };
}
