import { useQueryClient } from "@tanstack/react-query";
import { Link, isRouteErrorResponse, useLocation, useNavigate, useRouteError } from "react-router";
import { ApiError, ApiUnreachableError } from "../api";
import { ApiUnreachablePage } from "./ApiUnreachablePage";
import { NotFoundPage } from "./NotFoundPage";
import { PageMain } from "../components/Main";

/** The error boundary of every route: never a blank page. */
export function RouteErrorPage() {
  const error = useRouteError();
  const navigate = useNavigate();
  const location = useLocation();
  const queryClient = useQueryClient();

  const retry = () => {
    void queryClient.resetQueries();
    // Navigating to the same place clears the router's error and renders the route again.
    void navigate(`${location.pathname}${location.search}${location.hash}`, { replace: true, state: location.state });
  };

  if (error instanceof ApiUnreachableError) return <ApiUnreachablePage error={error} onRetry={retry} />;
  if (isRouteErrorResponse(error) && error.status === 404) return <NotFoundPage />;

  let message: string;
  if (error instanceof ApiError) message = `The API answered ${error.status}: ${error.message}`;
  else if (isRouteErrorResponse(error)) message = `${error.status} ${error.statusText}`;
  else if (error instanceof Error) message = error.message;
  else message = String(error);
  const requestId = error instanceof ApiError ? error.requestId : null;

  return (
    <PageMain>
      <h1>Something went wrong</h1>
      <p role="alert">{message}</p>
      {requestId && (
        <p className="muted small">
          Request id: <code>{requestId}</code>
        </p>
      )}
      <p className="actions">
        <button type="button" className="primary" onClick={retry}>
          Try again
        </button>
        <Link to="/">Go to the dashboard</Link>
      </p>
    </PageMain>
  );
}
