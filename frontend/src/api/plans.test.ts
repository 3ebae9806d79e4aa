import { describe, expect, it } from "vitest";
import { jsonResponse, mockFetch } from "../test/helpers";
import { listManagedPlans } from "./plans";

describe("plans api", () => {
  it("reads staff's paginated plans/ whole, a hundred a page, following the next links", async () => {
    const next = "http://api.test/api/v1/plans/?page=2&page_size=100";
    const fetchMock = mockFetch((url) =>
      url.searchParams.get("page") === "2"
        ? jsonResponse(200, { count: 2, next: null, previous: "x", results: [{ id: 2, name: "Premium" }] })
        : jsonResponse(200, { count: 2, next, previous: null, results: [{ id: 1, name: "Free" }] }),
    );
    const plans = await listManagedPlans();
    expect(plans.map((plan) => plan.name)).toEqual(["Free", "Premium"]);
    const first = new URL(String(fetchMock.mock.calls[0]?.[0]));
    expect([first.pathname, first.searchParams.get("page_size")]).toEqual(["/api/v1/plans/", "100"]);
    expect(String(fetchMock.mock.calls[1]?.[0])).toBe(next);
  });
});
