import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, unwrap } from "./client";
import type { Amounts, BodyOf, ResponseOf } from "./types";

export type Lead = ResponseOf<"/api/leads/{lead_id}", "get">;
export type LeadHistoryLine = NonNullable<Lead["history"]>[number];
export type LeadStages = ResponseOf<"/api/leads/stages", "get">;
export type LeadCreate = BodyOf<"/api/leads", "post">;
export type LeadChanges = BodyOf<"/api/leads/{lead_id}", "patch">;

/** The lead report (published untyped, like the other reports). */
export interface LeadReport {
  from: string | null;
  to: string | null;
  stages: string[];
  leads: number;
  open_value: Amounts;
  won_value: Amounts;
  pipeline: { stage: string; leads: number; value: Amounts }[];
  by_channel: {
    channel: string;
    leads: number;
    won: number;
    lost: number;
    conversion_rate: number | null;
    won_value: Amounts;
  }[];
  time_in_stage: { stage: string; stays: number; median_days: number | null }[];
  by_owner: {
    owner_id: number | null;
    owner_name: string | null;
    leads: number;
    won: number;
    lost: number;
    win_rate: number | null;
    won_value: Amounts;
  }[];
}

export function useLeadStages() {
  return useQuery({
    queryKey: ["leads", "stages"],
    queryFn: () => unwrap(api.GET("/api/leads/stages")),
    staleTime: Infinity,
  });
}

export function useLeads(query: { customer_id?: number; open?: boolean } = {}, enabled = true) {
  return useQuery({
    queryKey: ["leads", "list", query],
    queryFn: () => unwrap(api.GET("/api/leads", { params: { query } })),
    enabled,
  });
}

export function useLead(id: number) {
  return useQuery({
    queryKey: ["leads", id],
    queryFn: () => unwrap(api.GET("/api/leads/{lead_id}", { params: { path: { lead_id: id } } })),
  });
}

export function useCreateLead() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: LeadCreate) => unwrap(api.POST("/api/leads", { body })),
    onSuccess: () => qc.invalidateQueries({ queryKey: ["leads"] }),
  });
}

export function useUpdateLead(id: number) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: LeadChanges) =>
      unwrap(api.PATCH("/api/leads/{lead_id}", { params: { path: { lead_id: id } }, body })),
    onSuccess: (lead) => {
      qc.setQueryData(["leads", id], lead);
      void qc.invalidateQueries({ queryKey: ["leads", "list"] });
    },
  });
}

export function useSetLeadStage() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ id, stage, lost_reason }: { id: number; stage: string; lost_reason?: string }) =>
      unwrap(
        api.POST("/api/leads/{lead_id}/stage", {
          params: { path: { lead_id: id } },
          body: lost_reason === undefined ? { stage } : { stage, lost_reason },
        }),
      ),
    onSuccess: (lead) => {
      qc.setQueryData(["leads", lead.id], lead);
      void qc.invalidateQueries({ queryKey: ["leads", "list"] });
    },
  });
}

export function useLeadReport(period: { from?: string; to?: string }) {
  return useQuery({
    queryKey: ["reports", "leads", period],
    queryFn: async () =>
      (await unwrap(api.GET("/api/reports/leads", { params: { query: period } }))) as unknown as LeadReport,
  });
}

/** URL of the CSV export of the lead report. */
export function leadReportCsvUrl(period: { from?: string; to?: string }): string {
  const p = new URLSearchParams({ ...period, format: "csv" });
  return `/api/reports/leads?${p.toString()}`;
}
