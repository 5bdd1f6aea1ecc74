import { Center, Loader } from "@mantine/core";
import type { ReactNode } from "react";
import { Navigate, useLocation } from "react-router";
import { hasRole, useSession } from "../api/auth";
import type { Role } from "../api/types";
import { QueryError } from "./QueryError";
import { NoAccess } from "./NoAccess";

export function RequireAuth({ children }: { children: ReactNode }) {
  const { data, isPending, error, refetch } = useSession();
  const location = useLocation();
  if (isPending) {
    return (
      <Center h="100vh">
        <Loader aria-label="Loading session" />
      </Center>
    );
  }
  if (error) {
    return (
      <Center h="100vh" p="md">
        <QueryError error={error} onRetry={() => void refetch()} title="Could not reach the service desk" />
      </Center>
    );
  }
  if (!data) {
    const next = location.pathname + location.search;
    return <Navigate to={`/login?next=${encodeURIComponent(next)}`} replace />;
  }
  return <>{children}</>;
}

export function RequireRole({ roles, children }: { roles: Role[]; children: ReactNode }) {
  const { data } = useSession();
  if (!hasRole(data?.agent, ...roles)) return <NoAccess />;
  return <>{children}</>;
}
