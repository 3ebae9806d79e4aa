/** Where the API lives: VITE_API_URL when the build sets it, else the origin serving the console. */
export function apiBaseUrl(): string {
  const configured: unknown = import.meta.env.VITE_API_URL;
  if (typeof configured === "string" && configured.trim() !== "") {
    return configured.trim().replace(/\/+$/, "");
  }
  return window.location.origin;
}

/** The absolute URL of an API path (`auth/login/`) or an absolute URL (a page's `next` link) as is. */
export function apiUrl(path: string): string {
  if (/^https?:\/\//i.test(path)) return path;
  return `${apiBaseUrl()}/api/v1/${path.replace(/^\/+/, "")}`;
}
