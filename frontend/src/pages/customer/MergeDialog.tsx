import { Alert, Button, Group, Modal, Radio, Stack, Text, TextInput } from "@mantine/core";
import { useDebouncedValue } from "@mantine/hooks";
import { notifications } from "@mantine/notifications";
import { useState } from "react";
import { useCustomerSearch, useMergeCustomer } from "../../api/customers";
import type { CustomerDetail, CustomerSummary } from "../../api/types";

interface Props {
  customer: CustomerDetail;
  opened: boolean;
  onClose: () => void;
}

export function MergeDialog({ customer, opened, onClose }: Props) {
  const [q, setQ] = useState("");
  const [debounced] = useDebouncedValue(q, 300);
  const search = useCustomerSearch(debounced);
  const merge = useMergeCustomer(customer.id);
  const [picked, setPicked] = useState<CustomerSummary | null>(null);
  const [confirming, setConfirming] = useState(false);
  const results = (search.data?.items ?? []).filter((c) => c.id !== customer.id);

  const close = () => {
    setQ("");
    setPicked(null);
    setConfirming(false);
    onClose();
  };

  const doMerge = () => {
    if (!picked) return;
    merge.mutate(picked.id, {
      onSuccess: () => {
        notifications.show({ color: "green", message: `Merged ${picked.name} into ${customer.name}` });
        close();
      },
    });
  };

  return (
    <Modal opened={opened} onClose={close} title="Merge duplicate customer" size="lg">
      {!confirming ? (
        <Stack>
          <Text size="sm">
            Find the duplicate record. Its identities, tickets and history will move into <strong>{customer.name}</strong>
            , and the duplicate will be removed.
          </Text>
          <TextInput
            label="Search customers"
            placeholder="Name, email or phone"
            value={q}
            onChange={(e) => setQ(e.currentTarget.value)}
            data-autofocus
          />
          {debounced.trim().length >= 2 && !search.isPending && results.length === 0 && (
            <Text size="sm" c="dimmed">
              No other customers match.
            </Text>
          )}
          {results.length > 0 && (
            <Radio.Group
              label="Duplicate"
              value={picked ? String(picked.id) : null}
              onChange={(v) => setPicked(results.find((c) => String(c.id) === v) ?? null)}
            >
              <Stack gap="xs" mt="xs">
                {results.map((c) => (
                  <Radio
                    key={c.id}
                    value={String(c.id)}
                    label={`${c.name}${c.email ? ` <${c.email}>` : ""}${c.phone ? ` · ${c.phone}` : ""}`}
                    description={c.organization ?? undefined}
                  />
                ))}
              </Stack>
            </Radio.Group>
          )}
          <Group justify="flex-end">
            <Button variant="default" onClick={close}>
              Cancel
            </Button>
            <Button disabled={!picked} onClick={() => setConfirming(true)}>
              Continue
            </Button>
          </Group>
        </Stack>
      ) : (
        <Stack>
          <Alert color="orange" title="Confirm merge">
            Merge <strong>{picked?.name}</strong>
            {picked?.email ? ` (${picked.email})` : ""} into <strong>{customer.name}</strong>? This cannot be undone.
          </Alert>
          <Group justify="flex-end">
            <Button variant="default" onClick={() => setConfirming(false)}>
              Back
            </Button>
            <Button color="orange" onClick={doMerge} loading={merge.isPending}>
              Merge customers
            </Button>
          </Group>
        </Stack>
      )}
    </Modal>
  );
}
