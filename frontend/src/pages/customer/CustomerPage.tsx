import { Alert, Anchor, Badge, Button, Center, Group, Loader, Paper, SimpleGrid, Stack, Text, Title } from "@mantine/core";
import { useDisclosure } from "@mantine/hooks";
import { IconArrowMerge, IconPencil } from "@tabler/icons-react";
import { useEffect } from "react";
import { Link, useNavigate, useParams } from "react-router";
import { useCustomer, useCustomerTimeline } from "../../api/customers";
import { StatusBadge } from "../../components/Badges";
import { QueryError } from "../../components/QueryError";
import { relTime } from "../../lib/format";
import { CustomerTimeline } from "./CustomerTimeline";
import { IdentitiesCard } from "./IdentitiesCard";
import { LogCustomerCall } from "./LogCustomerCall";
import { EditCustomerDialog } from "./EditCustomerDialog";
import { JourneyStage } from "./JourneyStage";
import { MergeCustomers } from "./MergeCustomers";
import { SurveyHistory } from "./SurveyHistory";

export function CustomerPage() {
  const id = Number(useParams().id);
  const customer = useCustomer(id);
  const timeline = useCustomerTimeline(id);
  const [mergeOpen, merge] = useDisclosure(false);
  const [editOpen, edit] = useDisclosure(false);
  const navigate = useNavigate();
  const survivor = customer.data?.id;
  // A merged-away customer answers with the one it was merged into (the API redirects).
  useEffect(() => {
    if (survivor !== undefined && survivor !== id) void navigate(`/customers/${survivor}`, { replace: true });
  }, [survivor, id, navigate]);

  if (customer.isPending) {
    return (
      <Center py={80}>
        <Loader aria-label="Loading customer" />
      </Center>
    );
  }
  if (customer.isError) {
    return (
      <Stack p="md" maw={720} mx="auto">
        <QueryError error={customer.error} onRetry={() => void customer.refetch()} title="Could not load the customer" />
      </Stack>
    );
  }
  const c = customer.data;
  return (
    <Stack p="md" maw={1200} mx="auto" gap="md">
      <Group justify="space-between" align="flex-start">
        <div>
          <Title order={1} size="h2">
            {c.name}
          </Title>
          <Text c="dimmed">{[c.organization, c.email, c.phone].filter(Boolean).join(" · ") || "No contact details"}</Text>
          <Group gap={4} mt={4}>
            {c.tags.map((t, i) => (
              <Badge key={`${t}-${i}`} variant="light" color="gray">
                {t}
              </Badge>
            ))}
          </Group>
          <JourneyStage customerId={c.id} stage={c.journey_stage} />
        </div>
        <Group gap="xs">
          <LogCustomerCall customer={c} />
          <Button leftSection={<IconPencil size={16} />} variant="default" onClick={edit.open}>
            Edit
          </Button>
          <Button leftSection={<IconArrowMerge size={16} />} variant="default" onClick={merge.open}>
            Merge duplicate…
          </Button>
        </Group>
      </Group>

      {c.merged_into !== null && (
        <Alert color="orange" title="Merged record">
          This customer was merged into{" "}
          <Anchor component={Link} to={`/customers/${c.merged_into}`}>
            customer #{c.merged_into}
          </Anchor>
          ; its history lives there now.
        </Alert>
      )}
      <MergeCustomers customer={c} searching={mergeOpen} onSearchClose={merge.close} />
      <SimpleGrid cols={{ base: 1, md: 3 }}>
        <Paper withBorder p="md" radius="md" component="section" aria-labelledby="ident-title">
          <Title order={2} size="h5" id="ident-title" mb="xs">
            Identities
          </Title>
          <IdentitiesCard customer={c} />
          {c.external_id && (
            <Text size="xs" c="dimmed" mt="xs">
              External ID: {c.external_id}
            </Text>
          )}
          <Text size="xs" c="dimmed" mt="xs" data-testid="marketing-consent">
            Marketing email: {c.marketing_consent ? "consented" : "no consent"}
            {c.consent_source ? ` (${c.consent_source}${c.consent_at ? `, ${c.consent_at.slice(0, 10)}` : ""})` : ""}
            {c.email_bounced ? " · address bounced" : ""}
          </Text>
        </Paper>
        <Paper withBorder p="md" radius="md" component="section" aria-labelledby="tickets-title">
          <Title order={2} size="h5" id="tickets-title" mb="xs">
            Tickets ({c.tickets.length})
          </Title>
          <Stack gap={6}>
            {c.tickets.length === 0 && (
              <Text size="sm" c="dimmed">
                No tickets.
              </Text>
            )}
            {c.tickets.map((t) => (
              <Group key={t.id} justify="space-between" wrap="nowrap" gap="xs">
                <Anchor component={Link} to={`/tickets/${t.id}`} size="sm" lineClamp={1}>
                  #{t.number} {t.subject}
                </Anchor>
                <Group gap={4} wrap="nowrap">
                  <StatusBadge status={t.status} />
                  <Text size="xs" c="dimmed" style={{ whiteSpace: "nowrap" }}>
                    {relTime(t.updated_at)}
                  </Text>
                </Group>
              </Group>
            ))}
          </Stack>
        </Paper>
        <Paper withBorder p="md" radius="md" component="section" aria-labelledby="notes-title">
          <Title order={2} size="h5" id="notes-title" mb="xs">
            Notes
          </Title>
          <Text size="sm" style={{ whiteSpace: "pre-wrap" }} c={c.notes ? undefined : "dimmed"}>
            {c.notes || "No notes."}
          </Text>
        </Paper>
      </SimpleGrid>

      <Paper withBorder p="md" radius="md" component="section" aria-labelledby="surveys-title">
        <Title order={2} size="h5" id="surveys-title" mb="xs">
          CSAT / NPS history
        </Title>
        <SurveyHistory surveys={c.surveys} />
      </Paper>

      <Paper withBorder p="md" radius="md" component="section" aria-labelledby="timeline-title">
        <Title order={2} size="h5" id="timeline-title" mb="xs">
          Timeline: messages, surveys, campaigns and journey
        </Title>
        {timeline.isError ? (
          <QueryError error={timeline.error} onRetry={() => void timeline.refetch()} />
        ) : timeline.isPending ? (
          <Loader size="sm" aria-label="Loading timeline" />
        ) : (
          <CustomerTimeline
            items={timeline.data.pages.flatMap((p) => p.items)}
            hasMore={timeline.hasNextPage}
            loadingMore={timeline.isFetchingNextPage}
            onMore={() => void timeline.fetchNextPage()}
          />
        )}
      </Paper>
      <EditCustomerDialog customer={c} opened={editOpen} onClose={edit.close} />
    </Stack>
  );
}
