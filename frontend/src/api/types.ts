/**
 * Types derived from the generated OpenAPI `paths`, so that regenerating
 * schema.d.ts from the backend is a drop-in replacement (component names may
 * differ, paths and shapes may not).
 */
import type { paths } from "./schema";

type JsonContent<R> = R extends { content: { "application/json": infer T } } ? T : never;
type SuccessCodes = 200 | 201;
/** JSON body of the 200/201 response of paths[P][M]. */
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

export type Session = ResponseOf<"/api/auth/me", "get">;
export type Agent = Session["agent"];
export type Role = Agent["role"];
export type TicketPage = ResponseOf<"/api/tickets", "get">;
export type TicketSummary = TicketPage["items"][number];
export type TicketStatus = TicketSummary["status"];
export type Priority = TicketSummary["priority"];
export type Channel = TicketSummary["channel"];
export type TicketQuery = QueryOf<"/api/tickets", "get">;
export type TicketView = NonNullable<TicketQuery["view"]>;
export type TicketCounts = ResponseOf<"/api/tickets/counts", "get">;
export type TicketDetail = ResponseOf<"/api/tickets/{id}", "get">;
export type TicketPatch = BodyOf<"/api/tickets/{id}", "patch">;
export type Interaction = TicketDetail["interactions"][number];
export type TicketEvent = TicketDetail["events"][number];
export type CustomerPage = ResponseOf<"/api/customers", "get">;
export type CustomerSummary = CustomerPage["items"][number];
export type CustomerDetail = ResponseOf<"/api/customers/{id}", "get">;
export type CustomerPatch = BodyOf<"/api/customers/{id}", "patch">;
export type TimelineEntry = ResponseOf<"/api/customers/{id}/timeline", "get">["items"][number];
export type SurveyResult = CustomerDetail["surveys"][number];
export type CannedReply = ResponseOf<"/api/canned-replies", "get">[number];
export type CxReport = ResponseOf<"/api/reports/cx", "get">;
export type CxRow = CxReport["rows"][number];
export type CxTrendPoint = ResponseOf<"/api/reports/cx/trend", "get">["points"][number];
export type DrillQuery = QueryOf<"/api/reports/cx/tickets", "get">;
export type DrillMetric = NonNullable<DrillQuery["metric"]>;
export type DrillItem = ResponseOf<"/api/reports/cx/tickets", "get">["items"][number];
export type AgentCreate = BodyOf<"/api/agents", "post">;
export type AgentPatch = BodyOf<"/api/agents/{id}", "patch">;
export type Team = ResponseOf<"/api/teams", "get">[number];
export type TeamCreate = BodyOf<"/api/teams", "post">;
export type Schedule = NonNullable<Team["schedule"]>;
export type ApiToken = ResponseOf<"/api/tokens", "get">[number];
export type ApiTokenCreated = ResponseOf<"/api/tokens", "post">;
export type OutboxItem = ResponseOf<"/api/outbox", "get">["items"][number];
export type OutboxStatus = OutboxItem["status"];
export type Survey = ResponseOf<"/public/api/surveys/{token}", "get">;
export type SurveyAnswer = BodyOf<"/public/api/surveys/{token}", "post">;

/** RFC 9457 problem document as the backend sends it. */
export interface Problem {
  type?: string;
  title: string;
  status: number;
  detail?: string | null;
  errors?: { field: string; message: string }[] | null;
}
