import { Link, useLocation } from "react-router";
import { PageMain } from "../components/Main";

export function NotFoundPage() {
  const { pathname } = useLocation();
  return (
    <PageMain>
      <h1>Page not found</h1>
      <p>
        There is no page at <code>{pathname}</code>.
      </p>
      <p>
        <Link to="/">Go to the dashboard</Link>
      </p>
    </PageMain>
  );
}
