import { describe, expect, it } from "vitest";
import { jsonResponse, mockFetch } from "../test/helpers";
import { listManagedPlans } from "./plans";

describe("plans api", () => {
  it("reads staff's paginated plans/ whole, a hundred a page", async () => {
    const fetchMock = mockFetch(() =>
      jsonResponse(200, { count: 2, next: null, previous: null, results: [{ id: 1, name: "Free" }, { id: 2, name: "Premium" }] }),
    );
    const plans = await listManagedPlans();
    expect(plans.map((plan) => plan.name)).toEqual(["Free", "Premium"]);
    const first = new URL(String(fetchMock.mock.calls[0]?.[0]));
    expect([first.pathname, first.searchParams.get("page_size")]).toEqual(["/api/v1/plans/", "100"]);
  });
});
