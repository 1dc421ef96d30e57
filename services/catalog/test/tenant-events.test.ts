/**
 * GET /admin/events through the API: a tenant's organizers and admins see every event of their
 * tenant (drafts, published, cancelled) with its state, filtered and paged; another tenant's
 * events never appear, whatever the request says; a buyer is refused with the envelope.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { buyerToken, type CatalogFixture, catalogFixture, draftWithZones } from "@booking-rush/test-support/catalog-fixture";

let fixture: CatalogFixture;
let alpha: Awaited<ReturnType<CatalogFixture["tenant"]>>;
let beta: Awaited<ReturnType<CatalogFixture["tenant"]>>;
/** Alpha's events by title, in the order they were created. */
const alphaEvents: Record<string, { id: string }> = {};

beforeAll(async () => {
  fixture = await catalogFixture("tenant_events");
  alpha = await fixture.tenant("alpha");
  beta = await fixture.tenant("beta");
  for (const title of ["Alpha Draft", "Alpha Live", "Alpha Cancelled"]) {
    alphaEvents[title] = (await draftWithZones(fixture, alpha.organizerToken, { title })).event;
  }
  for (const title of ["Alpha Live", "Alpha Cancelled"]) {
    expect((await fixture.request("POST", `/events/${alphaEvents[title]!.id}/publish`, alpha.organizerToken)).status).toBe(200);
  }
  expect((await fixture.request("DELETE", `/events/${alphaEvents["Alpha Cancelled"]!.id}`, alpha.organizerToken)).status).toBe(200);
  await draftWithZones(fixture, beta.organizerToken, { title: "Beta Draft" });
  const betaLive = await draftWithZones(fixture, beta.organizerToken, { title: "Beta Live" });
  expect((await fixture.request("POST", `/events/${betaLive.event.id}/publish`, beta.organizerToken)).status).toBe(200);
});

afterAll(() => fixture.close());

const listed = (body: { data: { title: string; status: string }[] }) => body.data.map((event) => [event.title, event.status]);

describe("GET /admin/events", () => {
  test("an organizer and an admin see every event of their tenant with its state, newest first, and no other tenant's", async () => {
    for (const token of [alpha.organizerToken, alpha.adminToken]) {
      const answer = await fixture.request("GET", "/admin/events", token);
      expect(answer.status).toBe(200);
      expect(listed(answer.body)).toEqual([
        ["Alpha Cancelled", "cancelled"],
        ["Alpha Live", "published"],
        ["Alpha Draft", "draft"],
      ]);
      expect(answer.body.meta).toEqual({ page: 1, per_page: 20, total: 3 });
      expect(answer.body.data.every((event: { tenant_id: string }) => event.tenant_id === alpha.tenantId)).toBe(true);
    }
    const betaAnswer = await fixture.request("GET", "/admin/events", beta.organizerToken);
    expect(listed(betaAnswer.body)).toEqual([
      ["Beta Live", "published"],
      ["Beta Draft", "draft"],
    ]);
  });

  test("filters by status and pages like GET /events", async () => {
    const drafts = await fixture.request("GET", "/admin/events?status=draft", alpha.organizerToken);
    expect(listed(drafts.body)).toEqual([["Alpha Draft", "draft"]]);
    expect(drafts.body.meta.total).toBe(1);
    const cancelled = await fixture.request("GET", "/admin/events?status=cancelled", alpha.organizerToken);
    expect(listed(cancelled.body)).toEqual([["Alpha Cancelled", "cancelled"]]);
    expect(cancelled.body.data[0].cancelled_at).not.toBeNull();

    const second = await fixture.request("GET", "/admin/events?page=2&per_page=2", alpha.organizerToken);
    expect(listed(second.body)).toEqual([["Alpha Draft", "draft"]]);
    expect(second.body.meta).toEqual({ page: 2, per_page: 2, total: 3 });
    const beyond = await fixture.request("GET", "/admin/events?page=3&per_page=2", alpha.organizerToken);
    expect(beyond.body.data).toEqual([]);
    expect(beyond.body.meta.total).toBe(3);
  });

  test("the tenant is the token's: a tenant named in the query changes nothing", async () => {
    const answer = await fixture.request("GET", `/admin/events?tenant_id=${beta.tenantId}`, alpha.organizerToken);
    expect(answer.status).toBe(200);
    expect(answer.body.data.map((event: { title: string }) => event.title).sort()).toEqual([
      "Alpha Cancelled",
      "Alpha Draft",
      "Alpha Live",
    ]);
  });

  test("a buyer is 403 and an anonymous caller 401, with the envelope", async () => {
    const asBuyer = await fixture.request("GET", "/admin/events", await buyerToken());
    expect(asBuyer.status).toBe(403);
    expect(asBuyer.body).toMatchObject({ success: false, error: { code: "FORBIDDEN" } });
    const anonymous = await fixture.request("GET", "/admin/events", null);
    expect(anonymous.status).toBe(401);
    expect(anonymous.body).toMatchObject({ success: false, error: { code: "UNAUTHORIZED" } });
  });

  test("the OpenAPI document declares its query and every answer, errors included", async () => {
    const spec = (await (await fixture.app.handle(new Request("http://localhost/openapi/json"))).json()) as {
      paths: Record<string, Record<string, { parameters?: { name: string }[]; responses: Record<string, unknown> }>>;
    };
    const operation = spec.paths["/api/v1/admin/events"]?.get;
    expect(operation?.parameters?.map((parameter) => parameter.name).sort()).toEqual(["page", "per_page", "status"]);
    expect(Object.keys(operation?.responses ?? {}).sort()).toEqual(["200", "400", "401", "403", "429", "431", "500", "503"]);
  });

  test("bad paging or an unknown status is a VALIDATION_ERROR naming the field", async () => {
    for (const [query, field] of [
      ["status=archived", "status"],
      ["per_page=101", "per_page"],
      ["page=0", "page"],
    ] as const) {
      const answer = await fixture.request("GET", `/admin/events?${query}`, alpha.organizerToken);
      expect({ query, status: answer.status, code: answer.body.error?.code }).toEqual({ query, status: 400, code: "VALIDATION_ERROR" });
      expect(JSON.stringify(answer.body.error.details)).toContain(field);
    }
  });
});
