import "@mantine/core/styles.css";
import "@mantine/notifications/styles.css";
import "./global.css";
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { BrowserRouter } from "react-router";
import { AppRoutes } from "./App";
import { ErrorBoundary } from "./components/ErrorBoundary";
import { prefetchFirstScreen } from "./app/prefetch";
import { Providers } from "./app/Providers";
import { createQueryClient } from "./app/queryClient";

const queryClient = createQueryClient();
prefetchFirstScreen(queryClient, window.location);

createRoot(document.getElementById("root")!).render(
  <StrictMode>
    <Providers client={queryClient}>
      <ErrorBoundary>
        <BrowserRouter>
          <AppRoutes />
        </BrowserRouter>
      </ErrorBoundary>
    </Providers>
  </StrictMode>,
);
