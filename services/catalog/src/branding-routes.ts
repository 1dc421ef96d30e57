/**
 * Tenant branding (branding.ts): the public view and logo a tenant's event pages show, and its
 * admin's changes of them. The admin routes carry no tenant id: they act on the caller's tenant.
 */
import { errorResponses, okSchema } from "@booking-rush/lib/errors";
import { authGuard, rateLimitPlugin, rawBody, traceparentHeader, uuid } from "@booking-rush/lib/http";
import { Elysia, t } from "elysia";
import { changeColours, changeLogo, logoTypes, matchesEtag, removeLogo, tenantLogo, tenantView } from "./branding";
import type { CatalogRoutesOptions } from "./routes";
import { actorsOf, type CatalogStore } from "./store";

const colour = (description: string) => t.String({ pattern: "^#[0-9a-fA-F]{6}$", description });

const tenantSchema = t.Object({
  id: t.String({ format: "uuid" }),
  name: t.String(),
  slug: t.String(),
  branding: t.Object({
    primary_color: colour("Background of white text (buttons, header): at least 4.5:1 contrast with white"),
    accent_color: colour("Highlights"),
    logo_url: t.Union([t.String(), t.Null()], { description: "This API's logo path with a version query; null: no logo" }),
  }),
});

const coloursBody = t.Object(
  {
    primary_color: t.Optional(colour("#rrggbb; white text on it must reach 4.5:1 (WCAG AA)")),
    accent_color: t.Optional(colour("#rrggbb")),
  },
  { minProperties: 1, additionalProperties: false },
);

const idParams = t.Object({ id: uuid() });
const traceHeaders = t.Object({ traceparent: traceparentHeader });
const admins = ["admin"] as "admin"[];
const changed = { 200: okSchema(tenantSchema), ...errorResponses("NOT_FOUND", "RATE_LIMITED") };
/** A browser keeps the view a minute; the logo five (its URL changes with its bytes). */
const viewMaxAgeSeconds = 60;
const logoMaxAgeSeconds = 300;

export const brandingRoutes = (store: CatalogStore, options: CatalogRoutesOptions) => {
  const limited = { rateLimit: { rule: options.rateLimit, readsWhenUnwritable: "admit" as const } };
  return new Elysia({ name: "catalog.branding-routes", prefix: "/api/v1" })
    .use(authGuard(options.access))
    .use(rateLimitPlugin(options.limiter, { trustProxy: options.trustProxy }))
    .derive(({ request, headers }) => ({ actorOf: actorsOf(request, headers.traceparent) }))
    .get(
      "/tenants/:id",
      async ({ params, set }) => {
        const data = await tenantView(store, params.id);
        set.headers["cache-control"] = `public, max-age=${viewMaxAgeSeconds}`;
        return { success: true as const, data };
      },
      {
        params: idParams,
        response: { 200: okSchema(tenantSchema), ...errorResponses("NOT_FOUND", "RATE_LIMITED") },
        ...limited,
        detail: { tags: ["catalog"], summary: "An active tenant's name and branding (colours, logo) for its event pages" },
      },
    )
    .get(
      "/tenants/:id/logo",
      async ({ params, headers }) => {
        const logo = await tenantLogo(store, params.id);
        const cacheHeaders = { "cache-control": `public, max-age=${logoMaxAgeSeconds}`, etag: logo.etag };
        if (matchesEtag(headers["if-none-match"], logo.etag)) return new Response(null, { status: 304, headers: cacheHeaders });
        return new Response(logo.bytes, {
          headers: { ...cacheHeaders, "content-type": logo.contentType, "x-content-type-options": "nosniff" },
        });
      },
      {
        params: idParams,
        headers: t.Object({ "if-none-match": t.Optional(t.String({ maxLength: 1_000 })) }),
        response: {
          200: rawBody(logoTypes, "The logo's bytes"),
          304: t.Void({ description: "Not modified: If-None-Match names the current ETag" }),
          ...errorResponses("NOT_FOUND", "RATE_LIMITED"),
        },
        ...limited,
        detail: { tags: ["catalog"], summary: "An active tenant's logo (ETag, cacheable)" },
      },
    )
    .put(
      "/admin/tenant/branding",
      async ({ body, user, actorOf }) => ({ success: true as const, data: await changeColours(store, actorOf(user), body) }),
      {
        auth: admins,
        body: coloursBody,
        headers: traceHeaders,
        response: changed,
        rateLimit: { rule: options.rateLimit },
        detail: { tags: ["admin"], summary: "Change your tenant's colours (audit-logged)" },
      },
    )
    .put(
      "/admin/tenant/logo",
      async ({ body, user, actorOf, request }) => ({
        success: true as const,
        data: await changeLogo(store, actorOf(user), body, request.headers.get("content-type") ?? ""),
      }),
      {
        auth: admins,
        body: rawBody(logoTypes, "The image itself, at most 100 KB; its type is read from its bytes"),
        headers: traceHeaders,
        response: changed,
        rateLimit: { rule: options.rateLimit },
        detail: { tags: ["admin"], summary: "Upload your tenant's logo: PNG, JPEG or WebP (audit-logged)" },
      },
    )
    .delete("/admin/tenant/logo", async ({ user, actorOf }) => ({ success: true as const, data: await removeLogo(store, actorOf(user)) }), {
      auth: admins,
      headers: traceHeaders,
      response: changed,
      rateLimit: { rule: options.rateLimit },
      detail: { tags: ["admin"], summary: "Remove your tenant's logo (audit-logged)" },
    });
};
