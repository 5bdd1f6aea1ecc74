import { Alert, Badge, Button, Card, Center, Group, Loader, SimpleGrid, Stack, Text, Title } from "@mantine/core";
import { Link, useParams } from "react-router";
import { useRules } from "../../api/automation";
import { useCampaign, useCampaignReport, useSendCampaign, useTestSend } from "../../api/marketing";
import type { CampaignReport } from "../../api/types";
import { QueryError } from "../../components/QueryError";
import { amounts } from "../../lib/format";

// Every figure but won_value (a list of per-currency sums, shown on its own) is a count.
const FIGURES: { key: Exclude<keyof CampaignReport, "won_value">; label: string }[] = [
  { key: "recipients", label: "Recipients" },
  { key: "sent", label: "Sent" },
  { key: "delivered", label: "Delivered" },
  { key: "pending", label: "Waiting" },
  { key: "failed", label: "Failed" },
  { key: "unknown", label: "Unknown (not re-sent)" },
  { key: "bounced", label: "Bounced" },
  { key: "unsubscribed", label: "Unsubscribed" },
  { key: "replies", label: "Replies within 7 days" },
  { key: "skipped_no_consent", label: "Skipped: no consent" },
  { key: "skipped_suppressed", label: "Skipped: suppressed" },
  { key: "skipped_frequency_cap", label: "Skipped: frequency cap" },
  { key: "leads", label: "Leads attributed" },
];

function score(value: number | null | undefined): string {
  return value === null || value === undefined ? "—" : String(value);
}

/** The rules whose `send_campaign` action names this triggered campaign (by its number:
 * rules saved before the server kept picked ids as numbers hold it as text). */
function RulesUsing({ campaignId }: { campaignId: number }) {
  const rules = useRules();
  if (rules.isError) return <QueryError error={rules.error} />;
  if (!rules.data) return <Loader size="sm" aria-label="Loading rules" />;
  const using = rules.data.filter((rule) =>
    rule.actions.some(
      (action) => action["type"] === "send_campaign" && Number(action["campaign_id"]) === campaignId,
    ),
  );
  return (
    <Card withBorder aria-label="Rules using this campaign">
      <Text size="sm" fw={600}>
        Sent by these rules
      </Text>
      {using.length === 0 ? (
        <Text size="sm" c="dimmed">
          No rule sends it yet: add the action "Send a triggered campaign" to a rule.
        </Text>
      ) : (
        using.map((rule) => (
          <Text size="sm" key={rule.id}>
            <Link to={`/rules/${rule.id}`}>{rule.name}</Link>
            {rule.active ? "" : " (inactive)"}
          </Text>
        ))
      )}
    </Card>
  );
}

/** A campaign: test send, send now (the rules that send it, for a triggered one), and its
 * report (refreshed while it is delivered). */
export function CampaignPage() {
  const id = Number(useParams().id);
  const campaign = useCampaign(id);
  const report = useCampaignReport(id);
  const testSend = useTestSend();
  const send = useSendCampaign();

  if (campaign.isError) return <QueryError error={campaign.error} onRetry={() => void campaign.refetch()} />;
  if (!campaign.data) {
    return (
      <Center py={60}>
        <Loader aria-label="Loading campaign" />
      </Center>
    );
  }
  const c = campaign.data;
  return (
    <Stack p="md" maw={1100} mx="auto">
      <Group justify="space-between">
        <Title order={1} size="h3">
          {c.name}
        </Title>
        <Group gap="xs">
          {c.kind === "triggered" && <Badge variant="outline">triggered</Badge>}
          <Badge variant="light">{c.status}</Badge>
        </Group>
      </Group>
      <Card withBorder>
        <Text fw={600}>{c.subject}</Text>
        <Text size="sm" style={{ whiteSpace: "pre-wrap" }}>
          {c.body}
        </Text>
      </Card>
      <Group>
        <Button variant="default" onClick={() => testSend.mutate(id)} loading={testSend.isPending}>
          Send test to me
        </Button>
        {c.kind !== "triggered" && (
          <Button onClick={() => send.mutate(id)} loading={send.isPending}>
            {c.status === "draft" || c.status === "scheduled" ? "Send now" : "Send to new members"}
          </Button>
        )}
      </Group>
      {c.kind === "triggered" && <RulesUsing campaignId={id} />}
      {testSend.isSuccess && <Alert color="teal">Test sent to {testSend.data.to}.</Alert>}
      {send.isSuccess && (
        <Alert color="teal">
          Queued {send.data.queued}; skipped {send.data.skipped_no_consent} without consent, {send.data.skipped_suppressed} suppressed,{" "}
          {send.data.skipped_frequency_cap} over the frequency cap.
        </Alert>
      )}
      {(testSend.isError || send.isError) && <Alert color="red">{(testSend.error ?? send.error)?.message}</Alert>}
      <Title order={2} size="h4">
        Report
      </Title>
      {report.isError ? (
        <QueryError error={report.error} />
      ) : report.data ? (
        <>
          <SimpleGrid cols={{ base: 2, sm: 3, md: 4 }} aria-label="Campaign report">
            {FIGURES.map((f) => (
              <Card key={f.key} withBorder padding="sm" data-testid={`figure-${f.key}`}>
                <Text size="xs" c="dimmed">
                  {f.label}
                </Text>
                <Text fw={700} size="xl">
                  {score(report.data[f.key])}
                </Text>
              </Card>
            ))}
            <Card withBorder padding="sm" data-testid="figure-won_value">
              <Text size="xs" c="dimmed">
                Won value of those leads
              </Text>
              {/* One sum per currency: values in different currencies are never added. */}
              <Text fw={700} size="xl">
                {amounts(report.data.won_value)}
              </Text>
            </Card>
          </SimpleGrid>
          <Text size="sm">
            CSAT of recipients: {score(report.data.csat_before)} in the 30 days before, {score(report.data.csat_after)} after. NPS:{" "}
            {score(report.data.nps_before)} before, {score(report.data.nps_after)} after.
          </Text>
        </>
      ) : (
        <Loader size="sm" aria-label="Loading report" />
      )}
    </Stack>
  );
}
