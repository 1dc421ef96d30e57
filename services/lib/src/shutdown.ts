/**
 * SIGTERM/SIGINT: stop taking new work (readiness goes 503, the server stops accepting), let
 * in-flight requests finish, then close clients in reverse order of opening. A deadline bounds it
 * so a stuck dependency cannot keep a pod in Terminating forever.
 */
import type { Logger } from "./logger";

export interface ShutdownStep {
  name: string;
  run: () => Promise<unknown> | unknown;
}

export interface GracefulShutdownOptions {
  logger: Logger;
  timeoutMs: number;
  /** Run first, in order: mark not-ready, stop the server (waiting for in-flight requests), stop workers. */
  stopAccepting: ShutdownStep[];
  /** Then the clients, closed in reverse order of this list (last opened, first closed). */
  clients: ShutdownStep[];
  exit?: (code: number) => void;
}

export async function shutdown(options: GracefulShutdownOptions): Promise<number> {
  const { logger } = options;
  const steps = [...options.stopAccepting, ...[...options.clients].reverse()];
  let failed = false;
  const work = (async () => {
    for (const step of steps) {
      try {
        await step.run();
        logger.debug("shutdown step done", { step: step.name });
      } catch (error) {
        failed = true;
        logger.error("shutdown step failed", { step: step.name, error });
      }
    }
  })();
  let timer: Timer | undefined;
  const deadline = new Promise<"timeout">((resolve) => {
    timer = setTimeout(() => resolve("timeout"), options.timeoutMs);
  });
  const outcome = await Promise.race([work.then(() => "done" as const), deadline]);
  clearTimeout(timer);
  if (outcome === "timeout") {
    logger.error("shutdown deadline passed, exiting with work unfinished", { timeout_ms: options.timeoutMs });
    return 1;
  }
  logger.info("shut down", { clean: !failed });
  return failed ? 1 : 0;
}

/** Installs the signal handlers once; a second signal while shutting down is ignored. */
export function onShutdownSignal(options: GracefulShutdownOptions): void {
  let started = false;
  const handler = (signal: string) => {
    if (started) return;
    started = true;
    options.logger.info("shutting down", { signal });
    void shutdown(options).then((code) => (options.exit ?? process.exit)(code));
  };
  process.once("SIGTERM", () => handler("SIGTERM"));
  process.once("SIGINT", () => handler("SIGINT"));
}
