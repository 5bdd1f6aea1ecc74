import { Alert, Anchor, Button, Paper, Text, Title } from "@mantine/core";
import { Link } from "react-router";
import { useCreateLead, useLeads } from "../../api/sales";
import type { TicketDetail } from "../../api/types";
import { money, stageLabel } from "./board";

/** On the ticket page: the customer's open lead, or "Create lead" from this ticket. */
export function LeadCard({ ticket }: { ticket: TicketDetail }) {
  const leads = useLeads({ customer_id: ticket.customer.id, open: true });
  const create = useCreateLead();
  const lead = leads.data?.items[0];
  return (
    <Paper withBorder p="md" radius="md" component="section" aria-labelledby="lead-title">
      <Title order={2} size="h5" id="lead-title" mb="xs">
        Sales lead
      </Title>
      {lead ? (
        <Text size="sm" data-testid="open-lead">
          <Anchor component={Link} to={`/leads/${lead.id}`}>
            Lead {lead.id}
          </Anchor>{" "}
          · {stageLabel(lead.stage)} · {money(lead.value, lead.currency)}
          {lead.owner_name ? ` · ${lead.owner_name}` : ""}
        </Text>
      ) : (
        <Button
          size="xs"
          variant="light"
          loading={create.isPending}
          disabled={leads.isPending}
          onClick={() => create.mutate({ ticket_id: ticket.id })}
        >
          Create lead
        </Button>
      )}
      {create.error && (
        <Alert color="red" mt="xs">
          {create.error.message}
        </Alert>
      )}
    </Paper>
  );
}
