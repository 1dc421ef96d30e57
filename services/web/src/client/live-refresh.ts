/** Live data on a page: read again every few seconds while the page is in view, and when it comes back. */
import { useEffect } from "react";

/** How often the availability is read again while the page is in view. */
export const availabilityPollMs = 5_000;

/** The seat map changes under the buyer's finger: read more often. */
export const seatMapPollMs = 3_000;

/** A buyer on a waitlist: a promotion's hold is ticking, so it shows within seconds. */
export const waitlistPollMs = 3_000;

/** Calls `refresh` every `intervalMs` while the page is visible, and at once when it becomes visible or focused again. */
export function useLiveRefresh(refresh: () => void, intervalMs: number) {
  useEffect(() => {
    const timer = setInterval(() => {
      if (document.visibilityState === "visible") refresh();
    }, intervalMs);
    const onVisible = () => {
      if (document.visibilityState === "visible") refresh();
    };
    document.addEventListener("visibilitychange", onVisible);
    window.addEventListener("focus", onVisible);
    return () => {
      clearInterval(timer);
      document.removeEventListener("visibilitychange", onVisible);
      window.removeEventListener("focus", onVisible);
    };
  }, [refresh, intervalMs]);
}
