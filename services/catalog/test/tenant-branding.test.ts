import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import * as schema from "@booking-rush/db/schema";
import { buyerToken, type CatalogFixture, catalogFixture } from "@booking-rush/test-support/catalog-fixture";
import { and, eq } from "drizzle-orm";
import { contrastWithWhite, defaultBranding } from "../src/branding";

let fixture: CatalogFixture;
let alpha: Awaited<ReturnType<CatalogFixture["tenant"]>>;
let beta: Awaited<ReturnType<CatalogFixture["tenant"]>>;

/** A 1×1 PNG. */
const png = Uint8Array.from(atob("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII="), (c) =>
  c.charCodeAt(0),
);
const svg = new TextEncoder().encode('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>');

beforeAll(async () => {
  fixture = await catalogFixture("tenant_branding");
  alpha = await fixture.tenant("alpha");
  beta = await fixture.tenant("beta");
});

afterAll(() => fixture.close());

async function upload(token: string | null, bytes: Uint8Array, contentType: string) {
  const response = await fixture.app.handle(
    new Request("http://localhost/api/v1/admin/tenant/logo", {
      method: "PUT",
      headers: { "content-type": contentType, ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: bytes,
    }),
  );
  // biome-ignore lint/suspicious/noExplicitAny: assertions inspect the shape
  return { status: response.status, body: (await response.json()) as any };
}

const logoRequest = (tenantId: string, headers: Record<string, string> = {}) =>
  fixture.app.handle(new Request(`http://localhost/api/v1/tenants/${tenantId}/logo`, { headers }));

const storedSettings = async (tenantId: string) =>
  (await fixture.asSystem((tx) => tx.select().from(schema.tenants).where(eq(schema.tenants.id, tenantId))))[0]!.settings;

const auditCount = async (tenantId: string, action: string) =>
  (
    await fixture.asSystem((tx) =>
      tx
        .select({ id: schema.auditLogs.id })
        .from(schema.auditLogs)
        .where(and(eq(schema.auditLogs.tenantId, tenantId), eq(schema.auditLogs.action, action))),
    )
  ).length;

describe("the public tenant view", () => {
  test("an unbranded tenant: its name, slug and the default colours, no logo; cacheable", async () => {
    const response = await fixture.app.handle(new Request(`http://localhost/api/v1/tenants/${beta.tenantId}`));
    expect(response.status).toBe(200);
    expect(response.headers.get("cache-control")).toBe("public, max-age=60");
    const { data } = (await response.json()) as { data: Record<string, unknown> };
    expect(data).toMatchObject({ id: beta.tenantId, name: "beta", branding: { ...defaultBranding, logo_url: null } });
    expect(data.slug).toStartWith("beta-");
  });

  test("unknown or suspended tenant: 404", async () => {
    expect((await fixture.request("GET", `/tenants/${crypto.randomUUID()}`, null)).status).toBe(404);
    const suspended = await fixture.tenant("suspended");
    await fixture.asSystem((tx) => tx.update(schema.tenants).set({ status: "suspended" }).where(eq(schema.tenants.id, suspended.tenantId)));
    const response = await fixture.request("GET", `/tenants/${suspended.tenantId}`, null);
    expect(response.status).toBe(404);
    expect(response.body.error.code).toBe("NOT_FOUND");
    expect((await fixture.request("GET", "/tenants/not-a-uuid", null)).status).toBe(400);
  });
});

describe("colours", () => {
  test("the default primary colour passes AA with white text; the contrast is computed as WCAG does", () => {
    expect(contrastWithWhite(defaultBranding.primary_color)).toBeGreaterThanOrEqual(4.5);
    expect(contrastWithWhite("#000000")).toBeCloseTo(21, 5);
    expect(contrastWithWhite("#ffffff")).toBeCloseTo(1, 5);
    // #767676 is the classic lightest grey passing 4.5:1 on white, #777777 just fails.
    expect(contrastWithWhite("#767676")).toBeGreaterThanOrEqual(4.5);
    expect(contrastWithWhite("#777777")).toBeLessThan(4.5);
  });

  test("an admin changes them; the public view shows them at once; the change is audited", async () => {
    const view = await fixture.request("GET", `/tenants/${alpha.tenantId}`, null);
    expect(view.body.data.branding.primary_color).toBe(defaultBranding.primary_color);
    const changed = await fixture.request("PUT", "/admin/tenant/branding", alpha.adminToken, {
      primary_color: "#7a1f5c",
      accent_color: "#ffcc00",
    });
    expect(changed.status).toBe(200);
    expect(changed.body.data.branding).toMatchObject({ primary_color: "#7a1f5c", accent_color: "#ffcc00" });
    const after = await fixture.request("GET", `/tenants/${alpha.tenantId}`, null);
    expect(after.body.data.branding).toMatchObject({ primary_color: "#7a1f5c", accent_color: "#ffcc00", logo_url: null });
    expect(await auditCount(alpha.tenantId, "tenant.branding_changed")).toBe(1);
    // Only what is sent changes.
    await fixture.request("PUT", "/admin/tenant/branding", alpha.adminToken, { accent_color: "#00aa88" });
    expect((await fixture.request("GET", `/tenants/${alpha.tenantId}`, null)).body.data.branding).toMatchObject({
      primary_color: "#7a1f5c",
      accent_color: "#00aa88",
    });
  });

  test("a primary colour white text is unreadable on, or a malformed colour: 400 naming the field, nothing changed", async () => {
    const before = await storedSettings(alpha.tenantId);
    const audits = await auditCount(alpha.tenantId, "tenant.branding_changed");
    const lowContrast = await fixture.request("PUT", "/admin/tenant/branding", alpha.adminToken, { primary_color: "#ffff00" });
    expect(lowContrast.status).toBe(400);
    expect(lowContrast.body.error.code).toBe("VALIDATION_ERROR");
    expect(lowContrast.body.error.details.fields[0].field).toBe("primary_color");
    for (const body of [{ primary_color: "red" }, { accent_color: "#12345" }, {}, { primary_color: null }, { logo_url: "https://x" }]) {
      const response = await fixture.request("PUT", "/admin/tenant/branding", alpha.adminToken, body);
      expect(response.status).toBe(400);
      expect(response.body.error.code).toBe("VALIDATION_ERROR");
    }
    expect(await storedSettings(alpha.tenantId)).toEqual(before);
    expect(await auditCount(alpha.tenantId, "tenant.branding_changed")).toBe(audits);
  });
});

describe("the logo", () => {
  test("upload, serve with its type and ETag, 304 on If-None-Match, versioned URL, delete", async () => {
    const uploaded = await upload(beta.adminToken, png, "image/png");
    expect(uploaded.status).toBe(200);
    const logoUrl: string = uploaded.body.data.branding.logo_url;
    const hash = new Bun.CryptoHasher("sha256").update(png).digest("hex");
    expect(logoUrl).toBe(`/api/v1/tenants/${beta.tenantId}/logo?v=${hash.slice(0, 16)}`);
    expect((await fixture.request("GET", `/tenants/${beta.tenantId}`, null)).body.data.branding.logo_url).toBe(logoUrl);

    const served = await fixture.app.handle(new Request(`http://localhost${logoUrl}`));
    expect(served.status).toBe(200);
    expect(served.headers.get("content-type")).toBe("image/png");
    expect(served.headers.get("cache-control")).toBe("public, max-age=300");
    expect(served.headers.get("x-content-type-options")).toBe("nosniff");
    expect(served.headers.get("etag")).toBe(`"${hash}"`);
    expect(new Uint8Array(await served.arrayBuffer())).toEqual(png);

    const notModified = await logoRequest(beta.tenantId, { "if-none-match": `"${hash}"` });
    expect(notModified.status).toBe(304);
    expect((await notModified.arrayBuffer()).byteLength).toBe(0);
    expect((await logoRequest(beta.tenantId, { "if-none-match": '"stale"' })).status).toBe(200);
    expect(await auditCount(beta.tenantId, "tenant.logo_changed")).toBe(1);

    const removed = await fixture.request("DELETE", "/admin/tenant/logo", beta.adminToken);
    expect(removed.status).toBe(200);
    expect(removed.body.data.branding.logo_url).toBeNull();
    expect((await logoRequest(beta.tenantId)).status).toBe(404);
    expect((await fixture.request("GET", `/tenants/${beta.tenantId}`, null)).body.data.branding.logo_url).toBeNull();
    expect(await auditCount(beta.tenantId, "tenant.logo_removed")).toBe(1);
  });

  test("the type is read from the bytes: a PNG sent as JPEG, an SVG, a random file are refused; nothing stored", async () => {
    const gamma = await fixture.tenant("gamma");
    const asJpeg = await upload(gamma.adminToken, png, "image/jpeg");
    expect(asJpeg.status).toBe(400);
    expect(asJpeg.body.error.code).toBe("VALIDATION_ERROR");
    expect(asJpeg.body.error.details.fields[0].field).toBe("content-type");
    for (const [bytes, type] of [
      [svg, "image/svg+xml"],
      [svg, "image/png"],
      [crypto.getRandomValues(new Uint8Array(512)), "image/webp"],
      [crypto.getRandomValues(new Uint8Array(512)), "application/octet-stream"],
    ] as const) {
      const refused = await upload(gamma.adminToken, bytes, type);
      expect(refused.status).toBe(400);
      expect(refused.body.error.code).toBe("VALIDATION_ERROR");
    }
    // JSON is no image either.
    expect((await fixture.request("PUT", "/admin/tenant/logo", gamma.adminToken, { logo: "x" })).status).toBe(400);
    expect((await logoRequest(gamma.tenantId)).status).toBe(404);
    expect(await auditCount(gamma.tenantId, "tenant.logo_changed")).toBe(0);

    // The same bytes with the type they are: accepted, served as that type.
    const jpeg = Uint8Array.from([0xff, 0xd8, 0xff, 0xe0, ...png.slice(4)]);
    expect((await upload(gamma.adminToken, jpeg, "image/jpeg")).status).toBe(200);
    expect((await logoRequest(gamma.tenantId)).headers.get("content-type")).toBe("image/jpeg");
  });

  test("over 100 KB: 413, nothing stored", async () => {
    const delta = await fixture.tenant("delta");
    const big = new Uint8Array(100 * 1024 + 1);
    big.set(png);
    const refused = await upload(delta.adminToken, big, "image/png");
    expect(refused.status).toBe(413);
    expect(refused.body.error.code).toBe("PAYLOAD_TOO_LARGE");
    expect((await logoRequest(delta.tenantId)).status).toBe(404);
    // Exactly 100 KB is taken.
    expect((await upload(delta.adminToken, big.slice(0, 100 * 1024), "image/png")).status).toBe(200);
  });
});

describe("who may change it", () => {
  test("an organizer, a buyer: 403; nobody: 401; another tenant's admin changes only its own", async () => {
    const before = await storedSettings(beta.tenantId);
    for (const token of [beta.organizerToken, await buyerToken()]) {
      const colours = await fixture.request("PUT", "/admin/tenant/branding", token, { primary_color: "#000000" });
      expect(colours.status).toBe(403);
      expect(colours.body.error.code).toBe("FORBIDDEN");
      expect((await upload(token, png, "image/png")).status).toBe(403);
      expect((await fixture.request("DELETE", "/admin/tenant/logo", token)).status).toBe(403);
    }
    expect((await fixture.request("PUT", "/admin/tenant/branding", null, { primary_color: "#000000" })).status).toBe(401);
    expect((await upload(null, png, "image/png")).status).toBe(401);
    expect((await fixture.request("DELETE", "/admin/tenant/logo", null)).status).toBe(401);
    expect(await storedSettings(beta.tenantId)).toEqual(before);
    expect((await logoRequest(beta.tenantId)).status).toBe(404);

    // Alpha's admin has no way to name beta: its change lands on alpha.
    const alphaChange = await fixture.request("PUT", "/admin/tenant/branding", alpha.adminToken, { primary_color: "#000000" });
    expect(alphaChange.body.data.id).toBe(alpha.tenantId);
    expect(await storedSettings(beta.tenantId)).toEqual(before);
  });
});
