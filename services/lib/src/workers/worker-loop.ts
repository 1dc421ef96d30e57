/**
 * The loop of a background worker (expiry sweeper, outbox relay): run a step, then wait. A step
 * that did work is followed at once by the next when `whileBusy` is set (drain a backlog), else
 * after `intervalMs`; a step that failed is retried after a growing back-off, so a dependency
 * that is down is neither hammered nor given up on. stop() wakes a waiting loop and resolves once
 * the step in progress has finished, so nothing is left half done at shutdown.
 */
import type { Logger } from "../logger";
import { wakeablePause } from "./wakeable-pause";

export interface WorkerLoopOptions {
  name: string;
  logger: Logger;
  /** One unit of work; resolves to how many items it handled. */
  step: () => Promise<number>;
  intervalMs: number;
  /** Run the next step immediately while steps keep finding work. */
  whileBusy?: boolean;
  /** Back-off after the first failure, doubled per further failure up to maxBackoffMs. */
  backoffMs?: number;
  maxBackoffMs?: number;
  /** Called with each failure (for a metric); the loop logs it itself. */
  onFailure?: (error: unknown) => void;
}

export interface WorkerLoop {
  /** Resolves after the step in progress (if any) has finished; no step starts after it. */
  stop(): Promise<void>;
  /** Steps completed without error since start (tests and readiness use it). */
  readonly completedSteps: number;
  /** Consecutive failed steps; 0 once a step succeeds again. */
  readonly consecutiveFailures: number;
}

export function startWorkerLoop(options: WorkerLoopOptions): WorkerLoop {
  const { logger, backoffMs = 200, maxBackoffMs = 5_000 } = options;
  let stopped = false;
  let completedSteps = 0;
  let consecutiveFailures = 0;
  let lastLoggedFailure = "";

  const { pause, wake } = wakeablePause();

  const running = (async () => {
    while (!stopped) {
      let handled = 0;
      try {
        handled = await options.step();
        completedSteps += 1;
        if (consecutiveFailures > 0) logger.info(`${options.name} recovered`, { failed_steps: consecutiveFailures });
        consecutiveFailures = 0;
        lastLoggedFailure = "";
      } catch (error) {
        consecutiveFailures += 1;
        options.onFailure?.(error);
        const message = error instanceof Error ? error.message : String(error);
        // One line per distinct failure, not one per retry while a dependency stays down.
        if (message !== lastLoggedFailure) logger.warn(`${options.name} step failed, retrying`, { error: message });
        lastLoggedFailure = message;
      }
      if (stopped) break;
      if (consecutiveFailures > 0) await pause(Math.min(backoffMs * 2 ** (consecutiveFailures - 1), maxBackoffMs));
      else if (!(options.whileBusy && handled > 0)) await pause(options.intervalMs);
    }
  })();

  return {
    async stop() {
      stopped = true;
      wake();
      await running;
    },
    get completedSteps() {
      return completedSteps;
    },
    get consecutiveFailures() {
      return consecutiveFailures;
    },
  };
}
