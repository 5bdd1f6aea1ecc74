import { Anchor, Badge, Button, Group, Menu, Paper, ScrollArea, Stack, Text, Title } from "@mantine/core";
import { useState } from "react";
import { Link } from "react-router";
import { hasRole, useCurrentAgent } from "../../api/auth";
import { useLeadStages, useLeads, useSetLeadStage, type Lead } from "../../api/sales";
import { QueryError } from "../../components/QueryError";
import { amounts } from "../../lib/format";
import { boardColumns, money, stageLabel } from "./board";

/** The leads board: a column per stage with its value total per currency; drag a card to another column
 * (or use its "Move" menu, for the keyboard) to change the lead's stage. */
export function LeadsBoardPage() {
  const agent = useCurrentAgent();
  const stages = useLeadStages();
  const leads = useLeads();
  const setStage = useSetLeadStage();
  const [dragged, setDragged] = useState<number | null>(null);
  const [over, setOver] = useState<string | null>(null);
  const error = stages.error ?? leads.error ?? setStage.error;
  const move = (lead: Lead, stage: string) => {
    if (lead.stage !== stage) setStage.mutate({ id: lead.id, stage });
  };
  const columns = boardColumns(stages.data?.stages ?? [], leads.data?.items ?? []);
  const byId = new Map((leads.data?.items ?? []).map((l) => [l.id, l]));

  return (
    <Stack p="md">
      <Group justify="space-between">
        <Title order={1} size="h3">
          Leads
        </Title>
        {hasRole(agent, "lead", "admin") && (
          <Button component={Link} to="/leads/report" variant="default">
            Lead report
          </Button>
        )}
      </Group>
      {error && <QueryError error={error} />}
      <ScrollArea type="auto">
        <Group align="flex-start" wrap="nowrap" gap="sm">
          {columns.map((column) => (
            <Paper
              key={column.stage}
              withBorder
              p="sm"
              radius="md"
              w={250}
              component="section"
              aria-label={`Stage ${stageLabel(column.stage)}`}
              data-testid={`column-${column.stage}`}
              style={{
                flexShrink: 0,
                minHeight: 200,
                outline: over === column.stage ? "2px solid var(--mantine-color-blue-filled)" : undefined,
              }}
              onDragOver={(e) => {
                e.preventDefault();
                setOver(column.stage);
              }}
              onDragLeave={() => setOver(null)}
              onDrop={(e) => {
                e.preventDefault();
                const id = Number(e.dataTransfer?.getData("text/plain") || dragged);
                const lead = byId.get(id);
                if (lead) move(lead, column.stage);
                setDragged(null);
                setOver(null);
              }}
            >
              <Group justify="space-between" mb="xs">
                <Title order={2} size="h5">
                  {stageLabel(column.stage)}
                </Title>
                <Badge variant="light">{column.leads.length}</Badge>
              </Group>
              <Text size="sm" c="dimmed" mb="sm" data-testid={`total-${column.stage}`}>
                {amounts(column.total)}
              </Text>
              <Stack gap="xs">
                {column.leads.map((lead) => (
                  <Paper
                    key={lead.id}
                    withBorder
                    p="xs"
                    radius="sm"
                    draggable
                    data-testid="lead-card"
                    style={{ cursor: "grab", opacity: dragged === lead.id ? 0.5 : undefined }}
                    onDragStart={(e) => {
                      setDragged(lead.id);
                      e.dataTransfer?.setData("text/plain", String(lead.id));
                      if (e.dataTransfer) e.dataTransfer.effectAllowed = "move";
                    }}
                    onDragEnd={() => setDragged(null)}
                  >
                    <Anchor component={Link} to={`/leads/${lead.id}`} size="sm" fw={500}>
                      {lead.customer_name || lead.customer_email || `Customer ${lead.customer_id}`}
                    </Anchor>
                    <Group justify="space-between" gap={4}>
                      <Text size="sm">{money(lead.value, lead.currency)}</Text>
                      <Menu position="bottom-end" withinPortal>
                        <Menu.Target>
                          <Button size="compact-xs" variant="subtle" aria-label={`Move lead ${lead.id}`}>
                            Move
                          </Button>
                        </Menu.Target>
                        <Menu.Dropdown>
                          {(stages.data?.stages ?? [])
                            .filter((s) => s !== lead.stage)
                            .map((s) => (
                              <Menu.Item key={s} onClick={() => move(lead, s)}>
                                {stageLabel(s)}
                              </Menu.Item>
                            ))}
                        </Menu.Dropdown>
                      </Menu>
                    </Group>
                    <Text size="xs" c="dimmed">
                      {lead.owner_name ?? "No owner"} · {lead.source_channel}
                    </Text>
                  </Paper>
                ))}
              </Stack>
            </Paper>
          ))}
        </Group>
      </ScrollArea>
    </Stack>
  );
}
