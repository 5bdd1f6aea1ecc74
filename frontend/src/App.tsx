import { Center, Loader } from "@mantine/core";
import { lazy, Suspense, type ReactNode } from "react";
import { Navigate, Route, Routes } from "react-router";
import { AppLayout } from "./app/AppLayout";
import { NotFound } from "./components/NoAccess";
import { RequireAuth, RequireRole } from "./components/RequireAuth";
import { InboxPage } from "./pages/inbox/InboxPage";
import { LoginPage } from "./pages/login/LoginPage";

// Only the inbox (where agents land) and sign-in are in the main bundle; every other page
// is loaded when first opened, so the inbox is usable sooner.
const TicketPage = lazy(() => import("./pages/ticket/TicketPage").then((m) => ({ default: m.TicketPage })));
const CustomersPage = lazy(() =>
  import("./pages/customers/CustomersPage").then((m) => ({ default: m.CustomersPage })),
);
const CustomerPage = lazy(() => import("./pages/customer/CustomerPage").then((m) => ({ default: m.CustomerPage })));
const SurveyPage = lazy(() => import("./pages/survey/SurveyPage").then((m) => ({ default: m.SurveyPage })));
const ContactPage = lazy(() => import("./pages/contact/ContactPage").then((m) => ({ default: m.ContactPage })));
const DashboardPage = lazy(() => import("./pages/dashboard/DashboardPage").then((m) => ({ default: m.DashboardPage })));
const JourneyReportPage = lazy(() =>
  import("./pages/reports/JourneyReportPage").then((m) => ({ default: m.JourneyReportPage })),
);
const DrillPage = lazy(() => import("./pages/dashboard/DrillPage").then((m) => ({ default: m.DrillPage })));
const RulesPage = lazy(() => import("./pages/rules/RulesPage").then((m) => ({ default: m.RulesPage })));
const RuleEditorPage = lazy(() =>
  import("./pages/rules/RuleEditorPage").then((m) => ({ default: m.RuleEditorPage })),
);
const RuleRunsPage = lazy(() => import("./pages/rules/RuleRunsPage").then((m) => ({ default: m.RuleRunsPage })));
const BreachingPage = lazy(() =>
  import("./pages/inbox/BreachingPage").then((m) => ({ default: m.BreachingPage })),
);
const MarketingPage = lazy(() => import("./pages/marketing/MarketingPage").then((m) => ({ default: m.MarketingPage })));
const SegmentBuilderPage = lazy(() =>
  import("./pages/marketing/SegmentBuilderPage").then((m) => ({ default: m.SegmentBuilderPage })),
);
const CampaignEditorPage = lazy(() =>
  import("./pages/marketing/CampaignEditorPage").then((m) => ({ default: m.CampaignEditorPage })),
);
const CampaignPage = lazy(() => import("./pages/marketing/CampaignPage").then((m) => ({ default: m.CampaignPage })));
const LeadsBoardPage = lazy(() => import("./pages/sales/LeadsBoardPage").then((m) => ({ default: m.LeadsBoardPage })));
const LeadPage = lazy(() => import("./pages/sales/LeadPage").then((m) => ({ default: m.LeadPage })));
const LeadReportPage = lazy(() => import("./pages/sales/LeadReportPage").then((m) => ({ default: m.LeadReportPage })));
const AdminPage = lazy(() => import("./pages/admin/AdminPage").then((m) => ({ default: m.AdminPage })));

function Lazy({ children }: { children: ReactNode }) {
  return (
    <Suspense
      fallback={
        <Center py={80}>
          <Loader aria-label="Loading page" />
        </Center>
      }
    >
      {children}
    </Suspense>
  );
}

export function AppRoutes() {
  return (
    <Routes>
      <Route path="/login" element={<LoginPage />} />
      <Route
        path="/survey/:token"
        element={
          <Lazy>
            <SurveyPage />
          </Lazy>
        }
      />
      <Route
        path="/contact"
        element={
          <Lazy>
            <ContactPage />
          </Lazy>
        }
      />
      <Route
        element={
          <RequireAuth>
            <AppLayout />
          </RequireAuth>
        }
      >
        <Route index element={<Navigate to="/inbox" replace />} />
        <Route path="/inbox" element={<InboxPage />} />
        <Route
          path="/tickets/:id"
          element={
            <Lazy>
              <TicketPage />
            </Lazy>
          }
        />
        <Route
          path="/breaching"
          element={
            <Lazy>
              <BreachingPage />
            </Lazy>
          }
        />
        <Route
          path="/customers"
          element={
            <Lazy>
              <CustomersPage />
            </Lazy>
          }
        />
        <Route
          path="/customers/:id"
          element={
            <Lazy>
              <CustomerPage />
            </Lazy>
          }
        />
        <Route
          path="/dashboard"
          element={
            <RequireRole roles={["lead", "admin"]}>
              <Lazy>
                <DashboardPage />
              </Lazy>
            </RequireRole>
          }
        />
        <Route
          path="/reports/journey"
          element={
            <RequireRole roles={["lead", "admin"]}>
              <Lazy>
                <JourneyReportPage />
              </Lazy>
            </RequireRole>
          }
        />
        <Route
          path="/dashboard/drill"
          element={
            <RequireRole roles={["lead", "admin"]}>
              <Lazy>
                <DrillPage />
              </Lazy>
            </RequireRole>
          }
        />
        <Route
          path="/rules"
          element={
            <RequireRole roles={["lead", "admin"]}>
              <Lazy>
                <RulesPage />
              </Lazy>
            </RequireRole>
          }
        />
        <Route
          path="/rules/new"
          element={
            <RequireRole roles={["lead", "admin"]}>
              <Lazy>
                <RuleEditorPage />
              </Lazy>
            </RequireRole>
          }
        />
        <Route
          path="/rules/:id"
          element={
            <RequireRole roles={["lead", "admin"]}>
              <Lazy>
                <RuleEditorPage />
              </Lazy>
            </RequireRole>
          }
        />
        <Route
          path="/rules/:id/runs"
          element={
            <RequireRole roles={["lead", "admin"]}>
              <Lazy>
                <RuleRunsPage />
              </Lazy>
            </RequireRole>
          }
        />
        <Route
          path="/marketing"
          element={
            <RequireRole roles={["lead", "admin"]}>
              <Lazy>
                <MarketingPage />
              </Lazy>
            </RequireRole>
          }
        />
        <Route
          path="/marketing/segments/new"
          element={
            <RequireRole roles={["lead", "admin"]}>
              <Lazy>
                <SegmentBuilderPage />
              </Lazy>
            </RequireRole>
          }
        />
        <Route
          path="/marketing/campaigns/new"
          element={
            <RequireRole roles={["lead", "admin"]}>
              <Lazy>
                <CampaignEditorPage />
              </Lazy>
            </RequireRole>
          }
        />
        <Route
          path="/marketing/campaigns/:id"
          element={
            <RequireRole roles={["lead", "admin"]}>
              <Lazy>
                <CampaignPage />
              </Lazy>
            </RequireRole>
          }
        />
        <Route
          path="/leads"
          element={
            <Lazy>
              <LeadsBoardPage />
            </Lazy>
          }
        />
        <Route
          path="/leads/report"
          element={
            <RequireRole roles={["lead", "admin"]}>
              <Lazy>
                <LeadReportPage />
              </Lazy>
            </RequireRole>
          }
        />
        <Route
          path="/leads/:id"
          element={
            <Lazy>
              <LeadPage />
            </Lazy>
          }
        />
        <Route
          path="/admin"
          element={
            <RequireRole roles={["admin"]}>
              <Lazy>
                <AdminPage />
              </Lazy>
            </RequireRole>
          }
        />
        <Route path="*" element={<NotFound />} />
      </Route>
    </Routes>
  );
}
