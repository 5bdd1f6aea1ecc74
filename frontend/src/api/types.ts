/**
 * Types derived from the generated OpenAPI `paths` (src/api/schema.d.ts), so
 * that regenerating the schema from the backend is a drop-in replacement.
 * Only the report payloads, which the backend publishes untyped, are
 * written by hand (see the bottom of this file).
 */
import type { components, paths } from "./schema";

type JsonContent<R> = R extends { content: { "application/json": infer T } } ? T : never;
type SuccessCodes = 200 | 201 | 202;
/** JSON body of the 2xx response of paths[P][M]. */
export type ResponseOf<P extends keyof paths, M extends keyof paths[P]> = paths[P][M] extends {
  responses: infer R;
}
  ? JsonContent<R[Extract<keyof R, SuccessCodes>]>
  : never;
/** JSON request body of paths[P][M]. */
export type BodyOf<P extends keyof paths, M extends keyof paths[P]> = paths[P][M] extends {
  requestBody?: { content: { "application/json": infer B } };
}
  ? B
  : never;
/** Query parameters of paths[P][M]. */
export type QueryOf<P extends keyof paths, M extends keyof paths[P]> = paths[P][M] extends {
  parameters: { query?: infer Q };
}
  ? NonNullable<Q>
  : never;

/** A money figure: one sum per currency (never converted), sorted by currency code. */
export type Amounts = components["schemas"]["Amount"][];

export type Session = ResponseOf<"/api/auth/me", "get">;
export type Agent = Session["agent"];
export type Role = "agent" | "lead" | "admin";
export type TicketPage = ResponseOf<"/api/tickets", "get">;
export type TicketSummary = TicketPage["items"][number];
export type TicketStatus = TicketSummary["status"];
export type Priority = TicketSummary["priority"];
export type Channel = TicketSummary["channel"];
export type TicketQuery = QueryOf<"/api/tickets", "get">;
export type TicketView = "mine" | "unassigned" | "pending" | "open" | "solved";
export type TicketCounts = ResponseOf<"/api/tickets/counts", "get">;
export type TicketDetail = ResponseOf<"/api/tickets/{ticket_id}", "get">;
export type TicketPatch = BodyOf<"/api/tickets/{ticket_id}", "patch">;
export type Interaction = TicketDetail["interactions"][number];
export type TicketEvent = TicketDetail["events"][number];
export type CustomerPage = ResponseOf<"/api/customers", "get">;
export type CustomerSummary = CustomerPage["items"][number];
export type CustomerDetail = ResponseOf<"/api/customers/{customer_id}", "get">;
export type CustomerPatch = BodyOf<"/api/customers/{customer_id}", "patch">;
export type TimelineEntry = ResponseOf<"/api/customers/{customer_id}/timeline", "get">["items"][number];
export type JourneyFunnel = ResponseOf<"/api/reports/journey", "get">;
export type FunnelStage = JourneyFunnel["stages"][number];
export type SurveyResult = CustomerDetail["surveys"][number];
export type Identity = ResponseOf<"/api/customers/{customer_id}/identities", "get">[number];
export type IdentityAdd = BodyOf<"/api/customers/{customer_id}/identities", "post">;
export type Duplicate = ResponseOf<"/api/customers/{customer_id}/duplicates", "get">["items"][number];
export type CallIn = BodyOf<"/api/tickets/{ticket_id}/calls", "post">;
export type CustomerCallIn = BodyOf<"/api/customers/{customer_id}/calls", "post">;
export type PhoneCall = ResponseOf<"/api/tickets/{ticket_id}/calls", "post">;
export type Macro = ResponseOf<"/api/automation/macros", "get">[number];
export type MacroCreate = BodyOf<"/api/automation/macros", "post">;
export type Webhook = ResponseOf<"/api/automation/webhooks", "get">[number];
export type WebhookCreate = BodyOf<"/api/automation/webhooks", "post">;
export type WebhookPatch = BodyOf<"/api/automation/webhooks/{webhook_id}", "patch">;
export type Integration = ResponseOf<"/api/channels/integrations", "get">[number];
export type IntegrationCreate = BodyOf<"/api/channels/integrations", "post">;
export type IntegrationCreated = ResponseOf<"/api/channels/integrations", "post">;
export type IntegrationPatch = BodyOf<"/api/channels/integrations/{integration_id}", "patch">;
export type MacroPreview = ResponseOf<"/api/automation/macros/{macro_id}/preview", "post">;
export type AgentCreate = BodyOf<"/api/agents", "post">;
export type AgentPatch = BodyOf<"/api/agents/{agent_id}", "patch">;
export type Team = ResponseOf<"/api/teams", "get">[number];
export type TeamCreate = BodyOf<"/api/teams", "post">;
export type ApiToken = ResponseOf<"/api/tokens", "get">[number];
export type ApiTokenCreate = BodyOf<"/api/tokens", "post">;
export type ApiTokenCreated = ResponseOf<"/api/tokens", "post">;
export type OutboxItem = ResponseOf<"/api/outbox", "get">["items"][number];
export type OutboxStatus = "pending" | "sent" | "failed" | "bounced" | "cancelled" | "unknown";
export type OutboxKind = "email" | "webhook" | "channel";
export type OutboxBacklog = ResponseOf<"/api/outbox/backlog", "get">;
export type BacklogKind = OutboxBacklog["kinds"][number];
export type Survey = ResponseOf<"/public/api/surveys/{token}", "get">;
export type SurveyAnswer = BodyOf<"/public/api/surveys/{token}", "post">;

/** Team business hours (the schema publishes it as a free-form object). */
export interface Schedule {
  timezone: string;
  hours: Record<string, string[][]>;
  holidays: string[];
}

/** RFC 9457 problem document as the backend sends it. */
export interface Problem {
  type?: string;
  title: string;
  status: number;
  detail?: string | null;
  errors?: { field: string; message: string }[] | null;
}

// ---- Reports: the backend publishes these responses untyped; shapes follow the API contract.

/** The durations of a report row: in calendar time, or in the team's business hours. */
export interface CxDurations {
  avg_resolution_hours: number | null;
  median_resolution_hours: number | null;
  p90_resolution_hours: number | null;
  first_response_median_minutes: number | null;
}

export type HoursMode = "calendar" | "business";

export interface CxRow {
  agent?: string | null;
  channel?: string | null;
  team?: string | null;
  solved: number;
  fcr: { eligible: number; count: number; rate: number | null; ci95: number[] | null };
  avg_resolution_hours: number | null;
  median_resolution_hours: number | null;
  p90_resolution_hours: number | null;
  first_response_median_minutes: number | null;
  reopen_rate: number | null;
  csat: {
    responses: number;
    satisfied: number;
    score: number | null;
    ci95: number[] | null;
    response_rate: number | null;
  };
  low_sample: boolean;
  /** The same durations in business hours (the calendar ones are the fields above). */
  business: CxDurations;
  /** SLA achievement per target (absent from reports of servers without SLA policies). */
  sla?: Record<"first_response" | "next_reply" | "resolution", SlaAchievement>;
}

export interface SlaAchievement {
  measured: number;
  met: number;
  missed: number;
  rate: number | null;
}

export interface CxReport {
  from: string;
  to: string;
  group_by: string[];
  rows: CxRow[];
  totals: CxRow;
}

export interface CxTrendPoint {
  period_start: string;
  solved: number;
  fcr_rate: number | null;
  avg_resolution_hours: number | null;
  median_resolution_hours: number | null;
  csat_score: number | null;
  business: Pick<CxDurations, "avg_resolution_hours" | "median_resolution_hours">;
}

export interface CxTrend {
  points: CxTrendPoint[];
}

export type DrillQuery = QueryOf<"/api/reports/cx/tickets", "get">;
export type DrillMetric = "solved" | "fcr" | "not_fcr" | "csat" | "reopened";

export interface DrillItem {
  ticket_id: number;
  number: number;
  subject: string;
  agent: string | null;
  channel: string | null;
  resolution_hours?: number | null;
  resolution_business_hours?: number | null;
  reason: string;
}

export interface CxDrill {
  items: DrillItem[];
}

// Marketing: segments (conditions over customer.* fields) and campaigns.
export type Segment = ResponseOf<"/api/segments/{segment_id}", "get">;
export type Conditions = Segment["conditions"];
export type Condition = NonNullable<Conditions["all"]>[number];
export type SegmentField = ResponseOf<"/api/segments/fields", "get">["fields"][number];
export type SegmentMembers = ResponseOf<"/api/segments/preview", "post">;
export type Campaign = ResponseOf<"/api/campaigns/{campaign_id}", "get">;
export type CampaignCreate = BodyOf<"/api/campaigns", "post">;
export type CampaignReport = ResponseOf<"/api/campaigns/{campaign_id}/report", "get">;
export type SendResult = ResponseOf<"/api/campaigns/{campaign_id}/send", "post">;
export type Rendered = ResponseOf<"/api/campaigns/preview", "post">;
export type ContactForm = BodyOf<"/api/channels/form/inbound", "post">;
