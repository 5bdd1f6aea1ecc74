import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, unwrap } from "./client";
import type {
  AgentCreate,
  AgentPatch,
  ApiTokenCreate,
  IntegrationCreate,
  IntegrationPatch,
  MacroCreate,
  OutboxKind,
  OutboxStatus,
  TeamCreate,
  WebhookCreate,
  WebhookPatch,
} from "./types";

export function useCreateAgent() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: AgentCreate) => unwrap(api.POST("/api/agents", { body })),
    onSuccess: () => qc.invalidateQueries({ queryKey: ["agents"] }),
  });
}

export function usePatchAgent() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ id, body }: { id: number; body: AgentPatch }) =>
      unwrap(api.PATCH("/api/agents/{agent_id}", { params: { path: { agent_id: id } }, body })),
    onSuccess: () => qc.invalidateQueries({ queryKey: ["agents"] }),
  });
}

export function useCreateTeam() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: TeamCreate) => unwrap(api.POST("/api/teams", { body })),
    onSuccess: () => qc.invalidateQueries({ queryKey: ["teams"] }),
  });
}

export function usePatchTeam() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ id, body }: { id: number; body: TeamCreate }) =>
      unwrap(api.PATCH("/api/teams/{team_id}", { params: { path: { team_id: id } }, body })),
    onSuccess: () => qc.invalidateQueries({ queryKey: ["teams"] }),
  });
}

export function useTokens() {
  return useQuery({ queryKey: ["tokens"], queryFn: () => unwrap(api.GET("/api/tokens")) });
}

export function useCreateToken() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: ApiTokenCreate) => unwrap(api.POST("/api/tokens", { body })),
    onSuccess: () => qc.invalidateQueries({ queryKey: ["tokens"] }),
  });
}

export function useRevokeToken() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (id: number) => unwrap(api.DELETE("/api/tokens/{token_id}", { params: { path: { token_id: id } } })),
    onSuccess: () => qc.invalidateQueries({ queryKey: ["tokens"] }),
  });
}

export function useOutbox(status: OutboxStatus | null, kind: OutboxKind | null = null) {
  return useQuery({
    queryKey: ["outbox", status, kind],
    queryFn: () =>
      unwrap(api.GET("/api/outbox", { params: { query: { ...(status ? { status } : {}), ...(kind ? { kind } : {}) } } })),
    refetchInterval: 10_000,
  });
}

/** What waits in the outbox per kind (leads and admins): is the worker keeping up? */
export function useOutboxBacklog() {
  return useQuery({
    queryKey: ["outbox-backlog"],
    queryFn: () => unwrap(api.GET("/api/outbox/backlog")),
    refetchInterval: 10_000,
  });
}

export function useResend() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (id: number) => unwrap(api.POST("/api/outbox/{outbox_id}/resend", { params: { path: { outbox_id: id } } })),
    onSuccess: () => qc.invalidateQueries({ queryKey: ["outbox"] }),
  });
}

export function useWebhooks() {
  return useQuery({ queryKey: ["webhooks"], queryFn: () => unwrap(api.GET("/api/automation/webhooks")) });
}

export function useCreateWebhook() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: WebhookCreate) => unwrap(api.POST("/api/automation/webhooks", { body })),
    onSuccess: () => qc.invalidateQueries({ queryKey: ["webhooks"] }),
  });
}

export function usePatchWebhook() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ id, body }: { id: number; body: WebhookPatch }) =>
      unwrap(api.PATCH("/api/automation/webhooks/{webhook_id}", { params: { path: { webhook_id: id } }, body })),
    onSuccess: () => qc.invalidateQueries({ queryKey: ["webhooks"] }),
  });
}

export function useDeleteWebhook() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (id: number) =>
      unwrap(api.DELETE("/api/automation/webhooks/{webhook_id}", { params: { path: { webhook_id: id } } })),
    onSuccess: () => qc.invalidateQueries({ queryKey: ["webhooks"] }),
  });
}

export function useCreateMacro() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: MacroCreate) => unwrap(api.POST("/api/automation/macros", { body })),
    onSuccess: () => qc.invalidateQueries({ queryKey: ["macros"] }),
  });
}

export function useDeleteMacro() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (id: number) =>
      unwrap(api.DELETE("/api/automation/macros/{macro_id}", { params: { path: { macro_id: id } } })),
    onSuccess: () => qc.invalidateQueries({ queryKey: ["macros"] }),
  });
}

export function useIntegrations() {
  return useQuery({ queryKey: ["integrations"], queryFn: () => unwrap(api.GET("/api/channels/integrations")) });
}

/** Answers the integration with its secret: the only time the API shows it. */
export function useCreateIntegration() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: IntegrationCreate) => unwrap(api.POST("/api/channels/integrations", { body })),
    onSuccess: () => qc.invalidateQueries({ queryKey: ["integrations"] }),
  });
}

export function usePatchIntegration() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ id, body }: { id: number; body: IntegrationPatch }) =>
      unwrap(
        api.PATCH("/api/channels/integrations/{integration_id}", { params: { path: { integration_id: id } }, body }),
      ),
    onSuccess: () => qc.invalidateQueries({ queryKey: ["integrations"] }),
  });
}

/** A new secret, answered this once; the old one stops working at once. */
export function useRotateIntegrationSecret() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (id: number) =>
      unwrap(
        api.POST("/api/channels/integrations/{integration_id}/secret", { params: { path: { integration_id: id } } }),
      ),
    onSuccess: () => qc.invalidateQueries({ queryKey: ["integrations"] }),
  });
}
