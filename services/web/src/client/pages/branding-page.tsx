/**
 * The tenant's branding (seed 001 §2.3) as its event pages show it: an admin of the tenant sets
 * the colours (PUT /admin/tenant/branding) and uploads or removes the logo (PUT and DELETE
 * /admin/tenant/logo); an organizer of the tenant reads them, since the API lets only admins
 * change them. Every refusal is worded by branding-messages.ts.
 */
import { type FormEvent, useState } from "react";
import { request } from "../api";
import { refreshTenantView, TenantLogo, useTenant } from "../branding";
import { brandingMessage, maxLogoKilobytes } from "../branding-messages";
import { ErrorNotice, Field, Loading, LogInTo, PageTitle } from "../components";
import { useSession } from "../session";
import type { Tenant } from "../types";

const title = "Branding";

/** Runs one change; its answer (the tenant's new view) replaces what the page shows. */
function useChange(onChanged: (tenant: Tenant) => void) {
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState<string | null>(null);
  const run = async (change: () => Promise<Tenant>, doneText: string) => {
    setBusy(true);
    setError(null);
    setDone(null);
    try {
      const tenant = await change();
      await refreshTenantView(tenant.id);
      onChanged(tenant);
      setDone(doneText);
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  };
  return { run, error, busy, done };
}

function Swatch({ colour }: { colour: string }) {
  return <span className="colour-swatch" aria-hidden="true" ref={(element) => element?.style.setProperty("--swatch", colour)} />;
}

function BrandingForms({ tenant, onChanged }: { tenant: Tenant; onChanged: (tenant: Tenant) => void }) {
  const change = useChange(onChanged);
  const [file, setFile] = useState<File | null>(null);
  const saveColours = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const body = { primary_color: String(form.get("primary_color")), accent_color: String(form.get("accent_color")) };
    void change.run(
      () => request<Tenant>("/admin/tenant/branding", { method: "PUT", body }),
      "Colours saved: the event pages show them now.",
    );
  };
  const uploadLogo = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (!file) return;
    void change.run(
      () => request<Tenant>("/admin/tenant/logo", { method: "PUT", body: file }),
      "Logo uploaded: the event pages show it now.",
    );
  };
  const removeLogo = () =>
    void change.run(
      () => request<Tenant>("/admin/tenant/logo", { method: "DELETE" }),
      "Logo removed: the event pages show the name alone.",
    );
  return (
    <>
      <ErrorNotice error={change.error} describe={brandingMessage} />
      <p role="status" className={change.done ? "notice notice-success" : undefined}>
        {change.done}
      </p>
      <form aria-label="Colours" onSubmit={saveColours}>
        <h2>Colours</h2>
        {/* Keyed by the saved colours: a refused change puts the inputs back to what is saved. */}
        <div key={`${tenant.branding.primary_color}${tenant.branding.accent_color}${change.error ? "!" : ""}`} className="colour-fields">
          <Field
            label="Main colour"
            name="primary_color"
            type="color"
            defaultValue={tenant.branding.primary_color}
            hint="The header and buttons, under white text: it needs a contrast of at least 4.5 to 1 with white."
          />
          <Field
            label="Accent colour"
            name="accent_color"
            type="color"
            defaultValue={tenant.branding.accent_color}
            hint="The stripe under your name on your event pages."
          />
        </div>
        <button type="submit" disabled={change.busy}>
          Save colours
        </button>
      </form>
      <form aria-label="Logo" onSubmit={uploadLogo}>
        <h2>Logo</h2>
        <div className="logo-preview">
          {tenant.branding.logo_url ? (
            <TenantLogo tenant={tenant} />
          ) : (
            <p className="meta">No logo yet: the event pages show your name alone.</p>
          )}
        </div>
        <Field
          label="Logo image"
          name="logo"
          type="file"
          accept="image/png,image/jpeg,image/webp"
          hint={`PNG, JPEG or WebP, at most ${maxLogoKilobytes} KB; shown within a box 128 × 48 pixels, beside your name.`}
          onChange={(event) => setFile(event.currentTarget.files?.[0] ?? null)}
        />
        <div className="actions">
          <button type="submit" disabled={change.busy || !file}>
            Upload logo
          </button>
          {tenant.branding.logo_url ? (
            <button type="button" className="secondary" disabled={change.busy} onClick={removeLogo}>
              Remove logo
            </button>
          ) : null}
        </div>
      </form>
    </>
  );
}

/** What an organizer sees: the branding as it is, and who can change it. */
function BrandingFacts({ tenant }: { tenant: Tenant }) {
  return (
    <>
      <p>Only an admin of {tenant.name} can change its branding.</p>
      <dl className="facts">
        <dt>Main colour</dt>
        <dd>
          <Swatch colour={tenant.branding.primary_color} /> {tenant.branding.primary_color}
        </dd>
        <dt>Accent colour</dt>
        <dd>
          <Swatch colour={tenant.branding.accent_color} /> {tenant.branding.accent_color}
        </dd>
        <dt>Logo</dt>
        <dd className="logo-preview">{tenant.branding.logo_url ? <TenantLogo tenant={tenant} /> : "None"}</dd>
      </dl>
    </>
  );
}

export function BrandingPage() {
  const { user, checked } = useSession();
  const tenantId = user?.role === "user" ? undefined : (user?.tenant_id ?? undefined);
  const loaded = useTenant(tenantId, "no-cache");
  const [changed, setChanged] = useState<Tenant | null>(null);
  const tenant = changed ?? loaded.value;
  if (!checked) return <Loading what="your session" />;
  if (!user || !tenantId)
    return (
      <>
        <PageTitle>{title}</PageTitle>
        {user ? (
          <p>Only the admins and organizers of an organization see its branding.</p>
        ) : (
          <LogInTo>as an admin to change your organization's branding.</LogInTo>
        )}
      </>
    );
  if (!tenant)
    return (
      <>
        <PageTitle>{title}</PageTitle>
        <ErrorNotice error={loaded.error} />
        {loaded.loading ? <Loading what="your branding" /> : null}
      </>
    );
  return (
    <section className="narrow branding">
      <PageTitle>{`${title}: ${tenant.name}`}</PageTitle>
      <p>Your name, logo and colours on your event pages, their seat maps and their waiting rooms.</p>
      {user.role === "admin" ? <BrandingForms tenant={tenant} onChanged={setChanged} /> : <BrandingFacts tenant={tenant} />}
    </section>
  );
}
