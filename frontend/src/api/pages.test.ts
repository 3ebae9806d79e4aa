import { describe, expect, it } from "vitest";
import { jsonResponse, mockFetch } from "../test/helpers";
import { followPages } from "./pages";

describe("reading a paginated list whole", () => {
  it("follows the next links from the first page, in order", async () => {
    const second = "http://api.test/api/v1/things/?page=2&page_size=1";
    const third = "http://api.test/api/v1/things/?page=3&page_size=1";
    const fetchMock = mockFetch((url) =>
      url.searchParams.get("page") === "2"
        ? jsonResponse(200, { count: 3, next: third, previous: "x", results: ["b"] })
        : jsonResponse(200, { count: 3, next: null, previous: "x", results: ["c"] }),
    );
    const items = await followPages({ count: 3, next: second, previous: null, results: ["a"] });
    expect(items).toEqual(["a", "b", "c"]);
    expect(fetchMock.mock.calls.map(([url]) => String(url))).toEqual([second, third]);
  });

  it("asks nothing more when the first page is the only one", async () => {
    const fetchMock = mockFetch(() => jsonResponse(500, {}));
    expect(await followPages({ count: 1, next: null, previous: null, results: [1] })).toEqual([1]);
    expect(fetchMock).not.toHaveBeenCalled();
  });
});
