import { Navigate, Route, Routes } from "react-router";
import { AppLayout } from "./app/AppLayout";
import { NotFound } from "./components/NoAccess";
import { RequireAuth, RequireRole } from "./components/RequireAuth";
import { AdminPage } from "./pages/admin/AdminPage";
import { CustomerPage } from "./pages/customer/CustomerPage";
import { DashboardPage } from "./pages/dashboard/DashboardPage";
import { DrillPage } from "./pages/dashboard/DrillPage";
import { InboxPage } from "./pages/inbox/InboxPage";
import { LoginPage } from "./pages/login/LoginPage";
import { SurveyPage } from "./pages/survey/SurveyPage";
import { TicketPage } from "./pages/ticket/TicketPage";

export function AppRoutes() {
  return (
    <Routes>
      <Route path="/login" element={<LoginPage />} />
      <Route path="/survey/:token" element={<SurveyPage />} />
      <Route
        element={
          <RequireAuth>
            <AppLayout />
          </RequireAuth>
        }
      >
        <Route index element={<Navigate to="/inbox" replace />} />
        <Route path="/inbox" element={<InboxPage />} />
        <Route path="/tickets/:id" element={<TicketPage />} />
        <Route path="/customers/:id" element={<CustomerPage />} />
        <Route
          path="/dashboard"
          element={
            <RequireRole roles={["lead", "admin"]}>
              <DashboardPage />
            </RequireRole>
          }
        />
        <Route
          path="/dashboard/drill"
          element={
            <RequireRole roles={["lead", "admin"]}>
              <DrillPage />
            </RequireRole>
          }
        />
        <Route
          path="/admin"
          element={
            <RequireRole roles={["admin"]}>
              <AdminPage />
            </RequireRole>
          }
        />
        <Route path="*" element={<NotFound />} />
      </Route>
    </Routes>
  );
}
