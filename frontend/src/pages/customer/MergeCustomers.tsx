import { Alert, Anchor, Button, Group, Modal, Stack, Text, TextInput } from "@mantine/core";
import { useDebouncedValue } from "@mantine/hooks";
import { notifications } from "@mantine/notifications";
import { IconArrowMerge } from "@tabler/icons-react";
import { useState } from "react";
import { Link } from "react-router";
import { errorMessage } from "../../api/client";
import { useCustomerSearch, useDuplicates, useMergeCustomer } from "../../api/customers";
import type { CustomerDetail } from "../../api/types";

/** A customer that could be merged into this one: a suggested duplicate or a search result. */
interface Candidate {
  id: number;
  name: string;
  email?: string | null;
  phone?: string | null;
  /** Why it is suggested, or its organization. */
  detail?: string | null;
}

interface Props {
  customer: CustomerDetail;
  /** The search for any other customer is open (the page's "Merge duplicate…" button). */
  searching: boolean;
  onSearchClose: () => void;
}

/**
 * Merging another customer into this one: the likely duplicates with their reasons, and any
 * other customer found by search; either is one confirmation away from the same merge.
 */
export function MergeCustomers({ customer, searching, onSearchClose }: Props) {
  const duplicates = useDuplicates(customer.id);
  const merge = useMergeCustomer(customer.id);
  const [picked, setPicked] = useState<Candidate | null>(null);
  const suggested = duplicates.data?.items ?? [];

  const choose = (candidate: Candidate) => {
    onSearchClose();
    setPicked(candidate);
  };

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
    <>
      {suggested.length > 0 && (
        <section aria-label="Possible duplicates">
          <Alert color="yellow" title="Possible duplicates">
            <Stack gap="xs">
              {suggested.map((d) => (
                <CandidateRow key={d.id} candidate={{ ...d, detail: d.reasons.join("; ") }} onMerge={choose} testId="duplicate" />
              ))}
            </Stack>
          </Alert>
        </section>
      )}
      <SearchDialog customer={customer} opened={searching} onClose={onSearchClose} onMerge={choose} />
      <Modal opened={picked !== null} onClose={() => setPicked(null)} title="Merge customers">
        <Stack>
          <Text size="sm">
            Merge <strong>{picked?.name}</strong>
            {picked?.email ? ` (${picked.email})` : ""} into <strong>{customer.name}</strong>? Its tickets, identities,
            surveys, consent and campaign history move here, and the duplicate is removed. This cannot be undone.
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
    </>
  );
}

function CandidateRow({ candidate: c, onMerge, testId }: { candidate: Candidate; onMerge: (c: Candidate) => void; testId: string }) {
  return (
    <Group justify="space-between" wrap="nowrap" data-testid={testId}>
      <div>
        <Anchor component={Link} to={`/customers/${c.id}`} size="sm" fw={600}>
          {c.name}
        </Anchor>
        <Text size="xs" c="dimmed">
          {[c.email, c.phone].filter(Boolean).join(" · ")}
        </Text>
        {c.detail && <Text size="xs">{c.detail}</Text>}
      </div>
      <Button size="xs" leftSection={<IconArrowMerge size={14} />} onClick={() => onMerge(c)}>
        Merge
      </Button>
    </Group>
  );
}

/** Any other customer, found by name, email, phone or handle. */
function SearchDialog({
  customer,
  opened,
  onClose,
  onMerge,
}: {
  customer: CustomerDetail;
  opened: boolean;
  onClose: () => void;
  onMerge: (c: Candidate) => void;
}) {
  const [q, setQ] = useState("");
  const [debounced] = useDebouncedValue(q, 300);
  const search = useCustomerSearch(debounced);
  const results = (search.data?.items ?? []).filter((c) => c.id !== customer.id);
  const close = () => {
    setQ("");
    onClose();
  };

  return (
    <Modal opened={opened} onClose={close} title="Merge duplicate customer" size="lg">
      <Stack>
        <Text size="sm">
          Find the duplicate record. Its identities, tickets and history will move into <strong>{customer.name}</strong>.
        </Text>
        <TextInput
          label="Find a customer"
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
        {results.map((c) => (
          <CandidateRow
            key={c.id}
            candidate={{ ...c, detail: c.organization }}
            onMerge={(picked) => {
              setQ("");
              onMerge(picked);
            }}
            testId="merge-candidate"
          />
        ))}
      </Stack>
    </Modal>
  );
}
