import { keepPreviousData, useInfiniteQuery, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, unwrap } from "./client";
import type { CustomerCallIn, CustomerPatch, IdentityAdd } from "./types";

export const customerKey = (id: number) => ["customers", "detail", id] as const;

export function useCustomer(id: number | null | undefined) {
  return useQuery({
    queryKey: customerKey(id ?? -1),
    queryFn: () => unwrap(api.GET("/api/customers/{customer_id}", { params: { path: { customer_id: id as number } } })),
    enabled: typeof id === "number" && Number.isFinite(id),
  });
}

/** The customer's touchpoints, newest first, a page at a time (`next` is the older page's cursor). */
export function useCustomerTimeline(id: number | null | undefined) {
  return useInfiniteQuery({
    queryKey: ["customers", "timeline", id ?? -1],
    queryFn: ({ pageParam }) =>
      unwrap(
        api.GET("/api/customers/{customer_id}/timeline", {
          params: { path: { customer_id: id as number }, query: { limit: 50, ...(pageParam ? { before: pageParam } : {}) } },
        }),
      ),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.next ?? undefined,
    enabled: typeof id === "number" && Number.isFinite(id),
  });
}

export function useJourneyStages() {
  return useQuery({
    queryKey: ["customers", "journey-stages"],
    queryFn: () => unwrap(api.GET("/api/customers/journey-stages")),
    staleTime: Infinity,
  });
}

/** Moves the customer to a journey stage (null: none); the timeline shows the change. */
export function useSetJourneyStage(id: number) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (stage: string | null) =>
      unwrap(api.PUT("/api/customers/{customer_id}/journey-stage", { params: { path: { customer_id: id } }, body: { stage } })),
    onSuccess: (customer) => {
      qc.setQueryData(customerKey(id), customer);
      void qc.invalidateQueries({ queryKey: ["customers", "timeline", id] });
    },
  });
}

export function useCustomerSearch(q: string) {
  const query = q.trim();
  return useQuery({
    queryKey: ["customers", "search", query],
    queryFn: () => unwrap(api.GET("/api/customers", { params: { query: { q: query } } })),
    enabled: query.length >= 2,
    placeholderData: keepPreviousData,
  });
}

/** All customers, or those matching `q` (name, email, phone or handle), a page at a time. */
export function useCustomerList(q: string) {
  const query = q.trim();
  return useInfiniteQuery({
    queryKey: ["customers", "list", query],
    queryFn: ({ pageParam }) =>
      unwrap(api.GET("/api/customers", { params: { query: { ...(query ? { q: query } : {}), ...(pageParam ? { cursor: Number(pageParam) } : {}) } } })),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.next_cursor ?? undefined,
    placeholderData: keepPreviousData,
  });
}

export function usePatchCustomer(id: number) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: CustomerPatch) => unwrap(api.PATCH("/api/customers/{customer_id}", { params: { path: { customer_id: id } }, body })),
    onSuccess: (customer) => {
      qc.setQueryData(customerKey(id), customer);
    },
  });
}

export function useMergeCustomer(id: number) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (otherId: number) =>
      unwrap(api.POST("/api/customers/{customer_id}/merge", { params: { path: { customer_id: id } }, body: { other_id: otherId } })),
    onSuccess: (customer) => {
      qc.setQueryData(customerKey(id), customer);
      void qc.invalidateQueries({ queryKey: ["customers"] });
      void qc.invalidateQueries({ queryKey: ["tickets"] });
    },
  });
}

export const identitiesKey = (id: number) => ["customers", "identities", id] as const;

export function useIdentities(id: number) {
  return useQuery({
    queryKey: identitiesKey(id),
    queryFn: () => unwrap(api.GET("/api/customers/{customer_id}/identities", { params: { path: { customer_id: id } } })),
  });
}

export function useAddIdentity(id: number) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: IdentityAdd) =>
      unwrap(api.POST("/api/customers/{customer_id}/identities", { params: { path: { customer_id: id } }, body })),
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: ["customers"] });
    },
  });
}

export function useRemoveIdentity(id: number) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (identityId: number) =>
      unwrap(api.DELETE("/api/customers/{customer_id}/identities/{identity_id}", { params: { path: { customer_id: id, identity_id: identityId } } })),
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: ["customers"] });
    },
  });
}

export function useDuplicates(id: number) {
  return useQuery({
    queryKey: ["customers", "duplicates", id],
    queryFn: () => unwrap(api.GET("/api/customers/{customer_id}/duplicates", { params: { path: { customer_id: id } } })),
  });
}

export function useLogCustomerCall(id: number) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: CustomerCallIn) =>
      unwrap(api.POST("/api/customers/{customer_id}/calls", { params: { path: { customer_id: id } }, body })),
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: ["customers"] });
      void qc.invalidateQueries({ queryKey: ["tickets"] });
    },
  });
}
