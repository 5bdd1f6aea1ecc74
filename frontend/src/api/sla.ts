import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, unwrap } from "./client";
import type { BodyOf, ResponseOf } from "./types";

export type SlaPolicy = ResponseOf<"/api/automation/sla-policies", "get">[number];
export type SlaPolicyIn = BodyOf<"/api/automation/sla-policies", "post">;

const KEY = ["sla-policies"] as const;

export function useSlaPolicies() {
  return useQuery({ queryKey: KEY, queryFn: () => unwrap(api.GET("/api/automation/sla-policies")) });
}

export function useSaveSlaPolicy() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ id, body }: { id: number | null; body: SlaPolicyIn }) =>
      id === null
        ? unwrap(api.POST("/api/automation/sla-policies", { body }))
        : unwrap(api.PATCH("/api/automation/sla-policies/{policy_id}", { params: { path: { policy_id: id } }, body })),
    onSuccess: () => qc.invalidateQueries({ queryKey: KEY }),
  });
}

export function useDeleteSlaPolicy() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (id: number) =>
      unwrap(api.DELETE("/api/automation/sla-policies/{policy_id}", { params: { path: { policy_id: id } } })),
    onSuccess: () => qc.invalidateQueries({ queryKey: KEY }),
  });
}
