import { MutationCache, QueryCache, QueryClient } from "@tanstack/react-query";
import { notifications } from "@mantine/notifications";
import { ApiError, errorMessage, setCsrfToken } from "../api/client";
import { meKey } from "../api/auth";

declare module "@tanstack/react-query" {
  interface Register {
    mutationMeta: { silent?: boolean; errorTitle?: string };
  }
}

export function createQueryClient(): QueryClient {
  const qc: QueryClient = new QueryClient({
    queryCache: new QueryCache({
      onError: (err, query) => {
        // Session expired: drop it so <RequireAuth> sends the user to /login.
        if (err instanceof ApiError && err.status === 401 && query.queryKey[0] !== meKey[0]) {
          setCsrfToken(null);
          qc.setQueryData(meKey, null);
        }
      },
    }),
    mutationCache: new MutationCache({
      onError: (err, _vars, _ctx, mutation) => {
        if (mutation.meta?.silent) return;
        if (err instanceof ApiError && err.status === 401) {
          setCsrfToken(null);
          qc.setQueryData(meKey, null);
        }
        const title =
          mutation.meta?.errorTitle ?? (err instanceof ApiError ? err.problem.title : "Something went wrong");
        notifications.show({ color: "red", title, message: errorMessage(err), autoClose: 8000 });
      },
    }),
    defaultOptions: {
      queries: {
        retry: (count, err) => !(err instanceof ApiError && err.status >= 400 && err.status < 500) && count < 2,
        refetchOnWindowFocus: true,
        staleTime: 2_000,
      },
    },
  });
  return qc;
}
