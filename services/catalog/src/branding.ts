/**
 * A tenant's branding (seed 001 §2.3): its name, colours and logo on its event pages. Colours live
 * in `tenants.settings.branding`, the logo in `tenant_logos` (served by us: the platform's CSP is
 * `default-src 'self'`). Changed only by an admin of the tenant, for its own tenant: branding is a
 * tenant-wide setting, like its users' roles (auth's /admin routes), not one event's.
 */
import { type Tenant, tenantLogos, tenants } from "@booking-rush/db/schema";
import type { AuthenticatedUser } from "@booking-rush/lib/auth";
import { inScope, scopeOf, type Transaction, writeAudit } from "@booking-rush/lib/data";
import { forbidden, notFound, validationError } from "@booking-rush/lib/errors";
import { and, eq } from "drizzle-orm";
import type { Actor, CatalogStore } from "./store";

/** What the web app draws with when a tenant chose nothing: both pass AA with white text. */
export const defaultBranding = { primary_color: "#1d4ed8", accent_color: "#0f766e" } as const;

/** WCAG AA for normal text: the web app draws white text on the primary colour. */
export const minimumContrast = 4.5;

export type LogoType = "image/png" | "image/jpeg" | "image/webp";
export const logoTypes: LogoType[] = ["image/png", "image/jpeg", "image/webp"];

export interface BrandingColours {
  primary_color: string;
  accent_color: string;
}

export interface TenantView {
  id: string;
  name: string;
  slug: string;
  branding: BrandingColours & { logo_url: string | null };
}

/** WCAG 2.x relative luminance of `#rrggbb`: each sRGB channel linearised, then weighted. */
export function relativeLuminance(hex: string): number {
  const channel = (offset: number) => {
    const value = Number.parseInt(hex.slice(offset, offset + 2), 16) / 255;
    return value <= 0.04045 ? value / 12.92 : ((value + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * channel(1) + 0.7152 * channel(3) + 0.0722 * channel(5);
}

/** The contrast ratio of white text on this colour (1 to 21). */
export const contrastWithWhite = (hex: string) => 1.05 / (relativeLuminance(hex) + 0.05);

/**
 * The image's type by its magic bytes, whatever its Content-Type claimed; null for anything else
 * (SVG among them: it can carry script).
 */
export function sniffLogoType(bytes: Uint8Array): LogoType | null {
  const starts = (offset: number, signature: number[]) => signature.every((byte, index) => bytes[offset + index] === byte);
  if (starts(0, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return "image/png";
  if (starts(0, [0xff, 0xd8, 0xff])) return "image/jpeg";
  // RIFF <size> WEBP
  if (starts(0, [0x52, 0x49, 0x46, 0x46]) && starts(8, [0x57, 0x45, 0x42, 0x50])) return "image/webp";
  return null;
}

const logoPath = (tenantId: string) => `/api/v1/tenants/${tenantId}/logo`;
const logoVersionLength = 16;

function coloursOf(tenant: Tenant): BrandingColours {
  const stored = (tenant.settings.branding ?? {}) as Partial<BrandingColours>;
  return {
    primary_color: stored.primary_color ?? defaultBranding.primary_color,
    accent_color: stored.accent_color ?? defaultBranding.accent_color,
  };
}

async function viewOf(tx: Transaction, tenant: Tenant): Promise<TenantView> {
  const [logo] = await tx.select({ sha256: tenantLogos.sha256 }).from(tenantLogos).where(eq(tenantLogos.tenantId, tenant.id));
  return {
    id: tenant.id,
    name: tenant.name,
    slug: tenant.slug,
    // The version changes with the bytes, so a new logo shows at once despite the logo's max-age.
    branding: { ...coloursOf(tenant), logo_url: logo ? `${logoPath(tenant.id)}?v=${logo.sha256.slice(0, logoVersionLength)}` : null },
  };
}

/** An active tenant's public view, through the event cache (a tenant's page shows it on every event). */
export async function tenantView(store: CatalogStore, tenantId: string): Promise<TenantView> {
  const view = await store.cache.tenant(tenantId, () =>
    inScope(store.db, scopeOf(null), async (tx) => {
      const [tenant] = await tx
        .select()
        .from(tenants)
        .where(and(eq(tenants.id, tenantId), eq(tenants.status, "active")));
      return tenant ? viewOf(tx, tenant) : undefined;
    }),
  );
  if (!view) throw notFound("Tenant");
  return view;
}

/** The caller's own tenant: only its admins change its branding. */
function adminTenant(user: AuthenticatedUser): string {
  if (user.role !== "admin" || !user.tenant_id) throw forbidden("Only an admin of a tenant can change its branding");
  return user.tenant_id;
}

/**
 * Runs a branding change of the caller's tenant: the tenant row locked, the view before and after
 * audited as `tenant.<action>` in the same transaction, the cached view dropped before the commit
 * (a Redis failure aborts: 503, nothing changed) and again after it.
 */
async function changeBranding(
  store: CatalogStore,
  actor: Actor,
  action: string,
  change: (tx: Transaction, tenant: Tenant) => Promise<void>,
) {
  const tenantId = adminTenant(actor.user);
  const view = await inScope(store.db, scopeOf(actor.user), async (tx) => {
    const [tenant] = await tx.select().from(tenants).where(eq(tenants.id, tenantId)).for("update");
    if (!tenant) throw notFound("Tenant");
    const before = await viewOf(tx, tenant);
    await change(tx, tenant);
    const [updated] = await tx.select().from(tenants).where(eq(tenants.id, tenantId));
    const after = await viewOf(tx, updated!);
    await writeAudit(tx, {
      actorId: actor.user.id,
      tenantId,
      action: `tenant.${action}`,
      entityType: "tenant",
      entityId: tenantId,
      before: before.branding,
      after: after.branding,
      ip: actor.ip ?? null,
      requestId: actor.requestId ?? null,
    });
    await store.cache.invalidateTenant(tenantId);
    return after;
  });
  await store.cache.invalidateTenantAfterCommit(tenantId);
  return view;
}

/** Sets the colours sent; a primary colour white text cannot be read on is refused. */
export function changeColours(store: CatalogStore, actor: Actor, colours: Partial<BrandingColours>) {
  if (colours.primary_color !== undefined) {
    const ratio = contrastWithWhite(colours.primary_color);
    if (ratio < minimumContrast) {
      throw validationError([
        {
          in: "body",
          field: "primary_color",
          message: `white text on it has a contrast of ${ratio.toFixed(2)}:1, below WCAG AA's ${minimumContrast}:1; choose a darker colour`,
        },
      ]);
    }
  }
  return changeBranding(store, actor, "branding_changed", async (tx, tenant) => {
    const branding = { ...((tenant.settings.branding ?? {}) as object), ...colours };
    await tx
      .update(tenants)
      .set({ settings: { ...tenant.settings, branding } })
      .where(eq(tenants.id, tenant.id));
  });
}

/** Stores the logo, its type read from its bytes; the Content-Type sent must agree with them. */
export function changeLogo(store: CatalogStore, actor: Actor, bytes: Uint8Array, claimedType: string) {
  adminTenant(actor.user);
  const type = sniffLogoType(bytes);
  if (!type) throw validationError([{ in: "body", field: "", message: "must be a PNG, JPEG or WebP image" }]);
  const claimed = claimedType.split(";")[0]!.trim().toLowerCase();
  if (claimed !== type) {
    throw validationError([{ in: "header", field: "content-type", message: `the bytes are ${type}, not ${claimed}` }]);
  }
  const sha256 = new Bun.CryptoHasher("sha256").update(bytes).digest("hex");
  return changeBranding(store, actor, "logo_changed", async (tx, tenant) => {
    await tx
      .insert(tenantLogos)
      .values({ tenantId: tenant.id, contentType: type, bytes, sha256 })
      .onConflictDoUpdate({ target: tenantLogos.tenantId, set: { contentType: type, bytes, sha256 } });
  });
}

/** Removes the logo; removing none is no error (the view says so). */
export function removeLogo(store: CatalogStore, actor: Actor) {
  return changeBranding(store, actor, "logo_removed", async (tx, tenant) => {
    await tx.delete(tenantLogos).where(eq(tenantLogos.tenantId, tenant.id));
  });
}

export interface Logo {
  contentType: LogoType;
  bytes: Uint8Array;
  etag: string;
}

/** An active tenant's logo; 404 when it has none. */
export async function tenantLogo(store: CatalogStore, tenantId: string): Promise<Logo> {
  const [logo] = await inScope(store.db, scopeOf(null), (tx) =>
    tx
      .select({ contentType: tenantLogos.contentType, bytes: tenantLogos.bytes, sha256: tenantLogos.sha256 })
      .from(tenantLogos)
      .innerJoin(tenants, eq(tenants.id, tenantLogos.tenantId))
      .where(and(eq(tenantLogos.tenantId, tenantId), eq(tenants.status, "active"))),
  );
  if (!logo) throw notFound("Logo");
  return { contentType: logo.contentType as LogoType, bytes: logo.bytes, etag: `"${logo.sha256}"` };
}

/** If-None-Match (a list, weak or strong, or `*`) names this ETag: the client's copy is current. */
export function matchesEtag(ifNoneMatch: string | undefined, etag: string): boolean {
  if (!ifNoneMatch) return false;
  return ifNoneMatch.split(",").some((tag) => {
    const trimmed = tag.trim();
    return trimmed === "*" || trimmed.replace(/^W\//, "") === etag;
  });
}
