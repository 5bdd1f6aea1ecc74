import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, unwrap } from "./client";
import type { CampaignCreate, Conditions } from "./types";

export function useSegments() {
  return useQuery({ queryKey: ["segments"], queryFn: () => unwrap(api.GET("/api/segments")) });
}

export function useSegmentFields() {
  return useQuery({
    queryKey: ["segments", "fields"],
    queryFn: () => unwrap(api.GET("/api/segments/fields")),
    staleTime: Infinity,
  });
}

/** The live count and first members of conditions being edited (not saved yet). */
export function useSegmentPreview(conditions: Conditions, enabled = true) {
  return useQuery({
    queryKey: ["segments", "preview", conditions],
    queryFn: () => unwrap(api.POST("/api/segments/preview", { body: { conditions, limit: 10 } })),
    placeholderData: keepPreviousData,
    enabled,
  });
}

export function useCreateSegment() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: { name: string; conditions: Conditions }) => unwrap(api.POST("/api/segments", { body })),
    onSuccess: () => qc.invalidateQueries({ queryKey: ["segments"] }),
  });
}

export function useCampaigns() {
  return useQuery({ queryKey: ["campaigns"], queryFn: () => unwrap(api.GET("/api/campaigns")) });
}

export function useCampaign(id: number) {
  return useQuery({
    queryKey: ["campaigns", id],
    queryFn: () => unwrap(api.GET("/api/campaigns/{campaign_id}", { params: { path: { campaign_id: id } } })),
  });
}

export function useCreateCampaign() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: CampaignCreate) => unwrap(api.POST("/api/campaigns", { body })),
    onSuccess: () => qc.invalidateQueries({ queryKey: ["campaigns"] }),
  });
}

export function usePreviewTemplate() {
  return useMutation({
    mutationFn: (body: { subject: string; body: string }) => unwrap(api.POST("/api/campaigns/preview", { body })),
  });
}

export function useTestSend() {
  return useMutation({
    mutationFn: (id: number) =>
      unwrap(api.POST("/api/campaigns/{campaign_id}/test", { params: { path: { campaign_id: id } } })),
  });
}

export function useSendCampaign() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (id: number) =>
      unwrap(api.POST("/api/campaigns/{campaign_id}/send", { params: { path: { campaign_id: id } } })),
    onSuccess: (_result, id) => qc.invalidateQueries({ queryKey: ["campaigns", id] }),
  });
}

export function useCampaignReport(id: number) {
  return useQuery({
    queryKey: ["campaigns", id, "report"],
    queryFn: () => unwrap(api.GET("/api/campaigns/{campaign_id}/report", { params: { path: { campaign_id: id } } })),
    refetchInterval: 5_000,
  });
}
