/**
 * The path of every page of the app, first match wins, and how a path matches one. No React here:
 * the server's test reads these (every one must be served index.html by src/routes.ts).
 */

export const pagePatterns = [
  "/",
  "/events",
  "/login",
  "/register",
  "/logout",
  "/forgot-password",
  "/reset-password",
  "/profile",
  "/bookings",
  "/events/:id",
  "/events/:eventId/shows/:showId/zones/:zoneId",
  "/queue/:eventId",
  "/checkout/:bookingId",
  "/waitlist/:bookingId",
  // The link of the waitlist promotion e-mail (services/notification, PUBLIC_WEB_URL).
  "/bookings/:bookingId/pay",
  // The organizer's pages (organizer and admin roles).
  "/organizer",
  "/organizer/events/new",
  "/organizer/events/:eventId",
  "/organizer/events/:eventId/sales",
  // The tenant's branding (admins change it; organizers read it).
  "/organizer/branding",
] as const;

export type PagePattern = (typeof pagePatterns)[number];

/** The named parameters of `pattern` in `path`, or null when it does not match. */
export function matchPath(pattern: string, path: string): Record<string, string> | null {
  const patternParts = pattern.split("/").filter(Boolean);
  const pathParts = path.split("/").filter(Boolean);
  if (patternParts.length !== pathParts.length) return null;
  const params: Record<string, string> = {};
  for (const [index, part] of patternParts.entries()) {
    const given = pathParts[index]!;
    if (part.startsWith(":")) params[part.slice(1)] = decodeURIComponent(given);
    else if (part !== given) return null;
  }
  return params;
}
