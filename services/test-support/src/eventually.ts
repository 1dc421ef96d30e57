/**
 * Polls a condition until it holds or the deadline passes; for effects that land asynchronously
 * (after-response hooks, failovers, consumer groups). Fails with the last reason, never hangs.
 */
export async function eventually<T>(probe: () => Promise<T> | T, { timeoutMs = 10_000, intervalMs = 20 } = {}): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      return await probe();
    } catch (error) {
      lastError = error;
    }
    await Bun.sleep(intervalMs);
  }
  throw new Error(`condition not met within ${timeoutMs} ms: ${lastError instanceof Error ? lastError.message : String(lastError)}`);
}
