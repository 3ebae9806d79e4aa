import type { RouteObject } from "react-router";
import { RequireArea } from "../../components/RequireArea";
import { RouteErrorPage } from "../RouteErrorPage";
import { ManagePlansPage } from "./ManagePlansPage";
import { PaymentDetailPage } from "./PaymentDetailPage";
import { PaymentsPage } from "./PaymentsPage";
import { PlansPage } from "./PlansPage";
import { SubscriptionPage } from "./SubscriptionPage";

/** Plans (and their management for staff), my subscription, payments. */
export const billingRoutes: RouteObject[] = [
  {
    path: "plans",
    element: (
      <RequireArea area="plans">
        <PlansPage />
      </RequireArea>
    ),
    errorElement: <RouteErrorPage />,
  },
  {
    path: "plans/manage",
    element: (
      <RequireArea area="planAdmin">
        <ManagePlansPage />
      </RequireArea>
    ),
    errorElement: <RouteErrorPage />,
  },
  {
    path: "subscription",
    element: (
      <RequireArea area="subscription">
        <SubscriptionPage />
      </RequireArea>
    ),
    errorElement: <RouteErrorPage />,
  },
  {
    path: "payments",
    element: (
      <RequireArea area="payments">
        <PaymentsPage />
      </RequireArea>
    ),
    errorElement: <RouteErrorPage />,
  },
  {
    path: "payments/:paymentId",
    element: (
      <RequireArea area="payments">
        <PaymentDetailPage />
      </RequireArea>
    ),
    errorElement: <RouteErrorPage />,
  },
];
