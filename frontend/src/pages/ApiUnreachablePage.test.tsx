import { screen } from "@testing-library/react";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { META, jsonResponse, mockFetch, renderApp } from "../test/helpers";

describe("API unreachable page", () => {
  beforeEach(() => {
    vi.spyOn(console, "error").mockImplementation(() => {}); // React and the router report the caught error
    vi.spyOn(console, "warn").mockImplementation(() => {});
  });

  it("names the URL it tried when the API does not answer, and recovers on Try again", async () => {
    vi.stubEnv("VITE_API_URL", "http://localhost:8000");
    let up = false;
    mockFetch(() => {
      if (!up) throw new TypeError("Failed to fetch");
      return jsonResponse(200, META);
    });
    const { user } = renderApp("/login");
    expect(await screen.findByRole("heading", { name: "The API is unreachable" })).toBeInTheDocument();
    expect(screen.getByRole("alert")).toHaveTextContent(
      "The console tried http://localhost:8000/api/v1/meta/ and got no answer.",
    );
    expect(screen.getByText(/CORS_ALLOWED_ORIGINS/)).toBeInTheDocument();

    up = true;
    await user.click(screen.getByRole("button", { name: "Try again" }));
    expect(await screen.findByRole("heading", { name: "Sign in to WiWebb" })).toBeInTheDocument();
  });

  it("says when what answers is not the API", async () => {
    mockFetch(() => new Response("<!doctype html>", { status: 200, headers: { "Content-Type": "text/html" } }));
    renderApp("/login");
    expect(await screen.findByRole("alert")).toHaveTextContent(
      `The console tried ${window.location.origin}/api/v1/meta/, and what answered (HTTP 200) is not the WiWebb API.`,
    );
  });

  it("replaces a signed-in page too", async () => {
    vi.stubEnv("VITE_API_URL", "http://api.invalid");
    window.localStorage.setItem("auth_token", "i".repeat(40));
    mockFetch(() => {
      throw new TypeError("Failed to fetch");
    });
    renderApp("/");
    expect(await screen.findByRole("heading", { name: "The API is unreachable" })).toBeInTheDocument();
    expect(screen.getByRole("alert")).toHaveTextContent("http://api.invalid/api/v1/auth/user/");
  });
});
