import { Alert, Anchor, Button, Group, Modal, Stack, Text } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { IconArrowMerge } from "@tabler/icons-react";
import { useState } from "react";
import { Link } from "react-router";
import { errorMessage } from "../../api/client";
import { useDuplicates, useMergeCustomer } from "../../api/customers";
import type { CustomerDetail, Duplicate } from "../../api/types";

/** Likely duplicates of the customer with the reasons, each one click (and a confirmation) from a merge. */
export function DuplicateSuggestions({ customer }: { customer: CustomerDetail }) {
  const duplicates = useDuplicates(customer.id);
  const merge = useMergeCustomer(customer.id);
  const [picked, setPicked] = useState<Duplicate | null>(null);
  const items = duplicates.data?.items ?? [];
  if (items.length === 0) return null;

  const confirm = () => {
    if (!picked) return;
    merge.mutate(picked.id, {
      onSuccess: () => {
        notifications.show({ color: "green", message: `Merged ${picked.name} into ${customer.name}` });
        setPicked(null);
      },
      onError: (err) => notifications.show({ color: "red", title: "Could not merge", message: errorMessage(err) }),
    });
  };

  return (
    <section aria-label="Possible duplicates">
    <Alert color="yellow" title="Possible duplicates">
      <Stack gap="xs">
        {items.map((d) => (
          <Group key={d.id} justify="space-between" wrap="nowrap" data-testid="duplicate">
            <div>
              <Anchor component={Link} to={`/customers/${d.id}`} size="sm" fw={600}>
                {d.name}
              </Anchor>
              <Text size="xs" c="dimmed">
                {[d.email, d.phone].filter(Boolean).join(" · ")}
              </Text>
              <Text size="xs">{d.reasons.join("; ")}</Text>
            </div>
            <Button size="xs" leftSection={<IconArrowMerge size={14} />} onClick={() => setPicked(d)}>
              Merge
            </Button>
          </Group>
        ))}
      </Stack>
      <Modal opened={picked !== null} onClose={() => setPicked(null)} title="Merge customers">
        <Stack>
          <Text size="sm">
            Merge <strong>{picked?.name}</strong> into <strong>{customer.name}</strong>? Its tickets, identities, surveys,
            consent and campaign history move here, and the duplicate is removed. This cannot be undone.
          </Text>
          <Group justify="flex-end">
            <Button variant="default" onClick={() => setPicked(null)}>
              Cancel
            </Button>
            <Button color="orange" onClick={confirm} loading={merge.isPending}>
              Merge customers
            </Button>
          </Group>
        </Stack>
      </Modal>
    </Alert>
    </section>
  );
}
