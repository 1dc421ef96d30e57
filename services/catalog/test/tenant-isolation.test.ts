import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import * as schema from "@booking-rush/db/schema";
import { type CatalogFixture, catalogFixture, draftWithZones } from "@booking-rush/test-support/catalog-fixture";
import { eq } from "drizzle-orm";

let fixture: CatalogFixture;
let alpha: Awaited<ReturnType<CatalogFixture["tenant"]>>;
let beta: Awaited<ReturnType<CatalogFixture["tenant"]>>;

beforeAll(async () => {
  fixture = await catalogFixture("tenant_isolation");
  alpha = await fixture.tenant("alpha");
  beta = await fixture.tenant("beta");
});

afterAll(() => fixture.close());

const titleOf = async (eventId: string) =>
  (
    await fixture.asSystem((tx) =>
      tx.select({ title: schema.events.title, status: schema.events.status }).from(schema.events).where(eq(schema.events.id, eventId)),
    )
  )[0];

describe("tenant isolation through the API", () => {
  test("another tenant's draft: not found for reading, changing, publishing, adding to or deleting", async () => {
    const { event, show } = await draftWithZones(fixture, beta.organizerToken, { title: "Beta Secret Draft" });
    for (const token of [alpha.organizerToken, alpha.adminToken]) {
      expect((await fixture.request("GET", `/events/${event.id}`, token)).status).toBe(404);
      expect((await fixture.request("GET", `/events/${event.id}/shows`, token)).status).toBe(404);
      expect((await fixture.request("GET", `/shows/${show.id}/zones`, token)).status).toBe(404);
      expect((await fixture.request("PUT", `/events/${event.id}`, token, { title: "Hijacked" })).status).toBe(404);
      expect((await fixture.request("POST", `/events/${event.id}/publish`, token)).status).toBe(404);
      expect(
        (
          await fixture.request("POST", `/events/${event.id}/shows`, token, {
            starts_at: new Date().toISOString(),
            ends_at: new Date(Date.now() + 60_000).toISOString(),
          })
        ).status,
      ).toBe(404);
      expect((await fixture.request("POST", `/shows/${show.id}/zones`, token, { name: "Planted", price: 1, total_seats: 1 })).status).toBe(
        404,
      );
      expect((await fixture.request("DELETE", `/events/${event.id}`, token)).status).toBe(404);
    }
    expect(await titleOf(event.id)).toEqual({ title: "Beta Secret Draft", status: "draft" });
    const zones = await fixture.asSystem((tx) => tx.select().from(schema.seatZones).where(eq(schema.seatZones.showId, show.id)));
    expect(zones.map((zone) => zone.name).sort()).toEqual(["Seated", "Standing"]);
  });

  test("another tenant's published event: visible to all, but changing or cancelling it is forbidden", async () => {
    const { event } = await draftWithZones(fixture, beta.organizerToken, { title: "Beta Live" });
    expect((await fixture.request("POST", `/events/${event.id}/publish`, beta.organizerToken)).status).toBe(200);
    expect((await fixture.request("GET", `/events/${event.id}`, alpha.organizerToken)).status).toBe(200);
    for (const token of [alpha.organizerToken, alpha.adminToken]) {
      const update = await fixture.request("PUT", `/events/${event.id}`, token, { title: "Hijacked" });
      expect(update.status).toBe(403);
      expect(update.body.error.code).toBe("FORBIDDEN");
      expect((await fixture.request("DELETE", `/events/${event.id}`, token)).status).toBe(403);
      expect((await fixture.request("POST", `/events/${event.id}/publish`, token)).status).toBe(403);
    }
    expect(await titleOf(event.id)).toEqual({ title: "Beta Live", status: "published" });
  });

  test("the list never shows drafts, not even to their own tenant; an admin manages its own tenant's events", async () => {
    const { event: draft } = await draftWithZones(fixture, alpha.organizerToken, { title: "Alpha Draft" });
    const listed = await fixture.request("GET", "/events?per_page=100", alpha.organizerToken);
    expect(listed.body.data.map((item: { id: string }) => item.id)).not.toContain(draft.id);
    const renamed = await fixture.request("PUT", `/events/${draft.id}`, alpha.adminToken, { title: "Alpha Draft, renamed by the admin" });
    expect(renamed.status).toBe(200);
    expect((await fixture.request("POST", `/events/${draft.id}/publish`, alpha.adminToken)).status).toBe(200);
  });
});
