/** A pause between attempts that a stop can cut short, so shutting down never waits out a back-off. */
export function wakeablePause() {
  let wake: (() => void) | undefined;
  return {
    pause: (ms: number) =>
      new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, ms);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      }),
    /** Ends the pause under way, if any. */
    wake: () => wake?.(),
  };
}
