import { queryOptions, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { ApiError, api, setCsrfToken, unwrap } from "./client";
import type { Agent, Role, Session } from "./types";

export const meKey = ["auth", "me"] as const;

/** Current session, or null when not signed in. */
export async function fetchSession(): Promise<Session | null> {
  try {
    const session = await unwrap(api.GET("/api/auth/me"));
    setCsrfToken(session.csrf_token);
    return session;
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) {
      setCsrfToken(null);
      return null;
    }
    throw err;
  }
}

export const sessionQuery = queryOptions({
  queryKey: meKey,
  queryFn: fetchSession,
  staleTime: 5 * 60_000,
  retry: false,
});

export function useSession() {
  return useQuery(sessionQuery);
}

/** The signed-in agent (only call below <RequireAuth>). */
export function useCurrentAgent(): Agent | null {
  const { data } = useSession();
  return data?.agent ?? null;
}

export function hasRole(agent: Agent | null | undefined, ...roles: Role[]): boolean {
  return !!agent && roles.includes(agent.role as Role);
}

export function useLogin() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: { email: string; password: string }) => unwrap(api.POST("/api/auth/login", { body })),
    meta: { silent: true },
    onSuccess: (session) => {
      setCsrfToken(session.csrf_token);
      qc.setQueryData(meKey, session);
    },
  });
}

export function useLogout() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: () => unwrap(api.POST("/api/auth/logout")),
    onSettled: () => {
      setCsrfToken(null);
      qc.clear();
      qc.setQueryData(meKey, null);
    },
  });
}
