import { QueryClientProvider } from "@tanstack/react-query";
import { render, screen } from "@testing-library/react";
import { createMemoryRouter, RouterProvider } from "react-router";
import { describe, expect, it, vi } from "vitest";
import { ApiError } from "../api";
import { createQueryClient } from "../queryClient";
import { renderApp } from "../test/helpers";
import { RouteErrorPage } from "./RouteErrorPage";

function Boom({ error }: { error: unknown }): never {
  throw error;
}

function renderThrowing(error: unknown) {
  vi.spyOn(console, "error").mockImplementation(() => {}); // React reports the caught error
  const router = createMemoryRouter([{ path: "/", element: <Boom error={error} />, errorElement: <RouteErrorPage /> }]);
  render(
    <QueryClientProvider client={createQueryClient({ retry: false })}>
      <RouterProvider router={router} />
    </QueryClientProvider>,
  );
}

describe("route error boundary", () => {
  it("shows a crash instead of a blank page", async () => {
    renderThrowing(new Error("x is undefined"));
    expect(await screen.findByRole("heading", { name: "Something went wrong" })).toBeInTheDocument();
    expect(screen.getByRole("alert")).toHaveTextContent("x is undefined");
    expect(screen.getByRole("button", { name: "Try again" })).toBeInTheDocument();
  });

  it("shows an API error with its status and request id", async () => {
    renderThrowing(
      new ApiError({ status: 500, url: "http://x/api/v1/plans/", body: { detail: "A server error occurred.", request_id: "r-1" } }),
    );
    expect(await screen.findByRole("alert")).toHaveTextContent("The API answered 500: A server error occurred.");
    expect(screen.getByText("r-1")).toBeInTheDocument();
  });
});

describe("404", () => {
  it("answers an unknown path with a page naming it", async () => {
    renderApp("/no/such/page");
    expect(await screen.findByRole("heading", { name: "Page not found" })).toBeInTheDocument();
    expect(screen.getByText("/no/such/page")).toBeInTheDocument();
    expect(screen.getByRole("link", { name: "Go to the dashboard" })).toHaveAttribute("href", "/");
  });
});
