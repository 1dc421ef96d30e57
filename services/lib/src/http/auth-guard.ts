import { Elysia } from "elysia";
import { type AuthenticatedUser, bearerToken, type Role, verifyAccessToken } from "../auth/access-token";
import type { AccessControl } from "../auth/user-auth-state";
import { forbidden } from "../errors";

/**
 * Routes opt in with `{ auth: true }` (any signed-in user) or `{ auth: ["admin"] }` (those roles);
 * the handler then has `user: { id, email, role, tenant_id }`. Public routes that show more to a
 * signed-in caller use `{ viewer: true }`: `viewer` is the user, or null without a token (a token
 * that is sent but not valid is still 401, never quietly ignored).
 *
 * Authentication comes before validation: an anonymous call to a protected route is 401 and a
 * caller without the role 403 whatever its body, query or path, so the shape of a route's input is
 * never revealed to someone who may not call it. Elysia parses the body before `transform`, so
 * the check starts in `parse` (a refused caller's body is never parsed: an empty one stands in)
 * and its outcome is raised in `transform`, before the schemas run; `resolve` hands the user over.
 */
export const authGuard = (access: AccessControl) => {
  const outcomes = new WeakMap<Request, Promise<AuthenticatedUser>>();

  async function authenticate(request: Request, allowed: true | Role[]): Promise<AuthenticatedUser> {
    const claims = await verifyAccessToken(bearerToken(request.headers.get("authorization")), access.policy);
    if (allowed !== true && !allowed.includes(claims.user.role)) throw forbidden(`Requires role ${allowed.join(" or ")}`);
    return access.currentUser(claims);
  }

  /** One authentication per request, whichever hook asks first. */
  function outcomeOf(request: Request, allowed: true | Role[]): Promise<AuthenticatedUser> {
    let outcome = outcomes.get(request);
    if (!outcome) {
      outcome = authenticate(request, allowed);
      outcomes.set(request, outcome);
    }
    return outcome;
  }

  return new Elysia({ name: "kernel.auth-guard" }).macro({
    auth: (allowed: true | Role[]) => ({
      async parse({ request }) {
        // undefined: authenticated, Elysia parses the body as usual; {}: refused, the body is not read.
        return outcomeOf(request, allowed).then(
          () => undefined,
          () => ({}),
        );
      },
      async transform({ request }) {
        await outcomeOf(request, allowed);
      },
      async resolve({ request }): Promise<{ user: AuthenticatedUser }> {
        return { user: await outcomeOf(request, allowed) };
      },
      detail: { security: [{ bearer: [] }] },
    }),
    viewer: (enabled: true) => ({
      async transform({ request }) {
        if (enabled && request.headers.get("authorization") !== null) await outcomeOf(request, true);
      },
      async resolve({ request }): Promise<{ viewer: AuthenticatedUser | null }> {
        if (!enabled || request.headers.get("authorization") === null) return { viewer: null };
        return { viewer: await outcomeOf(request, true) };
      },
    }),
  });
};
