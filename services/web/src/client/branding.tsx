/**
 * A tenant's branding on its event pages (seed 001 §2.3): its name and logo in a banner of a fixed
 * size, drawn from the first render so nothing moves when the name or the logo arrives, and its
 * colours as the --brand custom properties of the whole document while the page is open (the
 * header and buttons take them); another page gets the app's own again. The API refuses a main
 * colour white text cannot be read on, so the contrast stays AA.
 */
import { useEffect } from "react";
import { type CacheMode, request } from "./api";
import type { Tenant } from "./types";
import { useResource } from "./use-resource";

/** The logo's box (CSS .tenant-logo): the image is fitted inside, so its own size moves nothing. */
export const logoBox = { width: 128, height: 48 } as const;

const tenantPath = (tenantId: string) => `/tenants/${tenantId}`;

/**
 * An active tenant's public view (GET /tenants/:id, which a browser may keep a minute); nothing
 * while the id is not known yet. `cache: "no-cache"` asks the server again (the branding page).
 */
export function useTenant(tenantId: string | undefined, cache?: CacheMode) {
  return useResource(
    (signal) => (tenantId ? request<Tenant>(tenantPath(tenantId), { signal, cache }) : Promise.resolve(undefined)),
    [tenantId],
  );
}

/**
 * After a change: the view read again past the browser's cache, which stores the new answer, so
 * this browser's event pages show the change at once instead of within the view's minute.
 */
export async function refreshTenantView(tenantId: string): Promise<void> {
  await request<Tenant>(tenantPath(tenantId), { cache: "reload" }).catch(() => undefined);
}

/** The tenant's colours on the document while `tenant` is shown; the app's own after. */
export function useTenantColours(tenant: Tenant | undefined) {
  useEffect(() => {
    if (!tenant) return;
    const style = document.documentElement.style;
    style.setProperty("--brand", tenant.branding.primary_color);
    style.setProperty("--brand-accent", tenant.branding.accent_color);
    return () => {
      style.removeProperty("--brand");
      style.removeProperty("--brand-accent");
    };
  }, [tenant]);
}

/** The logo in its reserved box; alt text names the tenant. */
export function TenantLogo({ tenant }: { tenant: Tenant }) {
  if (!tenant.branding.logo_url) return null;
  return (
    <img className="tenant-logo" src={tenant.branding.logo_url} alt={`${tenant.name} logo`} width={logoBox.width} height={logoBox.height} />
  );
}

/**
 * The top of an event page, its seat map and its waiting room: whose event it is. Rendered before
 * the event is loaded (`tenantId` undefined), as an empty box of the same height. A tenant that
 * cannot be read leaves the app's look: branding is never a reason to fail the page.
 */
export function TenantBanner({ tenantId }: { tenantId: string | undefined }) {
  const tenant = useTenant(tenantId).value;
  useTenantColours(tenant);
  return (
    <div className="tenant-banner">
      {tenant ? (
        <>
          <TenantLogo tenant={tenant} />
          <p className="tenant-name">
            Presented by <strong>{tenant.name}</strong>
          </p>
        </>
      ) : null}
    </div>
  );
}
