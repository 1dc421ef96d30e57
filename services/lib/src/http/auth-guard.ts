import { Elysia } from "elysia";
import { type AccessTokenKeys, type AuthenticatedUser, bearerToken, type Role, verifyAccessToken } from "../auth/access-token";
import { forbidden } from "../errors";

/**
 * Routes opt in with `{ auth: true }` (any signed-in user) or `{ auth: ["admin"] }` (those roles);
 * the handler then has `user: { id, email, role, tenant_id }`.
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
  });
