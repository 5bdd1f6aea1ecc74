import { Anchor, Badge, Button, Group, Stack, Text, Title } from "@mantine/core";
import { Link } from "react-router";
import { useCampaigns, useSegments } from "../../api/marketing";
import type { Campaign, Segment } from "../../api/types";
import { DataTable, type Column } from "../../components/DataTable";
import { QueryError } from "../../components/QueryError";

/** Segments and campaigns, with the way to a new one of each. */
export function MarketingPage() {
  const segments = useSegments();
  const campaigns = useCampaigns();
  const segmentName = new Map((segments.data?.items ?? []).map((s) => [s.id, s.name]));
  const campaignColumns: Column<Campaign>[] = [
    {
      key: "name",
      header: "Campaign",
      render: (c) => (
        <Anchor component={Link} to={`/marketing/campaigns/${c.id}`}>
          {c.name}
        </Anchor>
      ),
    },
    {
      key: "segment",
      header: "Segment",
      render: (c) =>
        c.segment_id === null ? "Triggered by rules" : (segmentName.get(c.segment_id) ?? `#${c.segment_id}`),
    },
    { key: "status", header: "Status", render: (c) => <Badge variant="light">{c.status}</Badge> },
    { key: "subject", header: "Subject", render: (c) => c.subject },
  ];
  const segmentColumns: Column<Segment>[] = [
    { key: "name", header: "Segment", render: (s) => s.name },
    {
      key: "conditions",
      header: "Conditions",
      render: (s) => {
        const all = s.conditions.all ?? [];
        const any = s.conditions.any ?? [];
        const parts = [...all, ...any].map((c) => `${c.field.replace("customer.", "")} ${c.op} ${c.value ?? ""}`.trim());
        return parts.join(any.length ? " or " : " and ") || "everyone";
      },
    },
  ];
  return (
    <Stack p="md" maw={1100} mx="auto">
      <Group justify="space-between">
        <Title order={1} size="h3">
          Marketing
        </Title>
        <Group>
          <Button component={Link} to="/marketing/segments/new" variant="default">
            New segment
          </Button>
          <Button component={Link} to="/marketing/campaigns/new">
            New campaign
          </Button>
        </Group>
      </Group>
      <Title order={2} size="h4">
        Campaigns
      </Title>
      {campaigns.isError ? (
        <QueryError error={campaigns.error} />
      ) : (campaigns.data?.items.length ?? 0) === 0 ? (
        <Text c="dimmed">No campaigns yet.</Text>
      ) : (
        <DataTable aria-label="Campaigns" columns={campaignColumns} rows={campaigns.data?.items ?? []} rowKey={(c) => c.id} />
      )}
      <Title order={2} size="h4">
        Segments
      </Title>
      {segments.isError ? (
        <QueryError error={segments.error} />
      ) : (segments.data?.items.length ?? 0) === 0 ? (
        <Text c="dimmed">No segments yet.</Text>
      ) : (
        <DataTable aria-label="Segments" columns={segmentColumns} rows={segments.data?.items ?? []} rowKey={(s) => s.id} />
      )}
    </Stack>
  );
}
