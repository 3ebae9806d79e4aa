import { apiBaseUrl, type ApiUnreachableError } from "../api";
import { PageMain } from "../components/Main";

/** Says the API could not be reached, names the URL tried, and what to check. */
export function ApiUnreachablePage({ error, onRetry }: { error: ApiUnreachableError; onRetry?: () => void }) {
  const base = apiBaseUrl();
  const crossOrigin = !base.startsWith(window.location.origin);
  return (
    <PageMain>
      <h1>The API is unreachable</h1>
      <p role="alert">
        {error.kind === "network" ? (
          <>
            The console tried <code className="url">{error.url}</code> and got no answer.
          </>
        ) : (
          <>
            The console tried <code className="url">{error.url}</code>, and what answered
            {error.status ? ` (HTTP ${error.status})` : ""} is not the WiWebb API.
          </>
        )}
      </p>
      <ul>
        <li>Is the API running? Start it with <code>make run</code>.</li>
        <li>
          Is <code>VITE_API_URL</code> right? This console calls <code className="url">{base}</code>; set
          it in <code>.env.local</code> and restart <code>npm run dev</code>.
        </li>
        {crossOrigin && (
          <li>
            Does the API allow this page&apos;s origin, <code className="url">{window.location.origin}</code>, in{" "}
            <code>CORS_ALLOWED_ORIGINS</code>?
          </li>
        )}
      </ul>
      {onRetry && (
        <button type="button" className="primary" onClick={onRetry}>
          Try again
        </button>
      )}
    </PageMain>
  );
}
