import { Elysia } from "elysia";
import { type AccessTokenKeys, type AuthenticatedUser, bearerToken, type Role, verifyAccessToken } from "../auth/access-token";
import { forbidden } from "../errors";

/**
 * Routes opt in with `{ auth: true }` (any signed-in user) or `{ auth: ["admin"] }` (those roles);
 * the handler then has `user: { id, email, role, tenant_id }`. Public routes that show more to a
 * signed-in caller use `{ viewer: true }`: `viewer` is the user, or null without a token (a token
 * that is sent but not valid is still 401, never quietly ignored).
 */
export const authGuard = (keys: Pick<AccessTokenKeys, "secret">) =>
  new Elysia({ name: "kernel.auth-guard" }).macro({
    auth: (allowed: true | Role[]) => ({
      async resolve({ request }): Promise<{ user: AuthenticatedUser }> {
        const user = await verifyAccessToken(bearerToken(request.headers.get("authorization")), keys);
        if (allowed !== true && !allowed.includes(user.role)) throw forbidden(`Requires role ${allowed.join(" or ")}`);
        return { user };
      },
      detail: { security: [{ bearer: [] }] },
    }),
    viewer: (enabled: true) => ({
      async resolve({ request }): Promise<{ viewer: AuthenticatedUser | null }> {
        const header = request.headers.get("authorization");
        if (!enabled || header === null) return { viewer: null };
        return { viewer: await verifyAccessToken(bearerToken(header), keys) };
      },
    }),
  });
