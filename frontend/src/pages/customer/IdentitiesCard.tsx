import { ActionIcon, Badge, Button, Group, Select, Stack, Text, TextInput } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { IconX } from "@tabler/icons-react";
import { useState } from "react";
import { errorMessage } from "../../api/client";
import { useAddIdentity, useRemoveIdentity } from "../../api/customers";
import type { CustomerDetail, IdentityAdd } from "../../api/types";

const PLACEHOLDER: Record<IdentityAdd["kind"], string> = {
  email: "ann@example.com",
  phone: "+44 20 7946 0000",
  social: "twitter:@ann",
};

/** The customer's emails, phones and handles: remove one, or add another. */
export function IdentitiesCard({ customer }: { customer: CustomerDetail }) {
  const add = useAddIdentity(customer.id);
  const remove = useRemoveIdentity(customer.id);
  const [kind, setKind] = useState<IdentityAdd["kind"]>("email");
  const [value, setValue] = useState("");

  const submit = (e: React.FormEvent) => {
    e.preventDefault();
    if (!value.trim()) return;
    add.mutate(
      { kind, value },
      {
        onSuccess: () => setValue(""),
        onError: (err) => notifications.show({ color: "red", title: "Could not add the identity", message: errorMessage(err) }),
      },
    );
  };

  return (
    <Stack gap={6}>
      {customer.identities.length === 0 && (
        <Text size="sm" c="dimmed">
          None
        </Text>
      )}
      <Stack gap={4} component="ul" style={{ listStyle: "none", padding: 0, margin: 0 }} aria-label="Identities">
        {customer.identities.map((i) => (
          <Group key={i.id} gap="xs" wrap="nowrap" component="li" data-testid="identity">
            <Badge size="sm" variant="outline">
              {i.kind}
            </Badge>
            <Text size="sm" style={{ overflowWrap: "anywhere", flex: 1 }}>
              {i.value}
            </Text>
            <ActionIcon
              variant="subtle"
              color="gray"
              size="sm"
              aria-label={`Remove ${i.value}`}
              onClick={() =>
                remove.mutate(i.id, {
                  onError: (err) => notifications.show({ color: "red", title: "Could not remove it", message: errorMessage(err) }),
                })
              }
            >
              <IconX size={14} />
            </ActionIcon>
          </Group>
        ))}
      </Stack>
      <form onSubmit={submit} aria-label="Add an identity">
        <Group gap={4} wrap="nowrap" align="flex-end">
          <Select
            aria-label="Kind"
            size="xs"
            w={90}
            value={kind}
            onChange={(v) => v && setKind(v as IdentityAdd["kind"])}
            data={["email", "phone", "social"]}
            allowDeselect={false}
          />
          <TextInput aria-label="New identity" size="xs" style={{ flex: 1 }} placeholder={PLACEHOLDER[kind]} value={value} onChange={(e) => setValue(e.currentTarget.value)} />
          <Button size="xs" type="submit" variant="default" loading={add.isPending}>
            Add
          </Button>
        </Group>
      </form>
    </Stack>
  );
}
