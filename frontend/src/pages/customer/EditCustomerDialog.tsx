import { Button, Group, Modal, Stack, TagsInput, TextInput, Textarea } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { useState, type FormEvent } from "react";
import { usePatchCustomer } from "../../api/customers";
import { ApiError } from "../../api/client";
import type { CustomerDetail } from "../../api/types";

function EditForm({ customer, onDone }: { customer: CustomerDetail; onDone: () => void }) {
  const patch = usePatchCustomer(customer.id);
  const [name, setName] = useState(customer.name);
  const [organization, setOrganization] = useState(customer.organization ?? "");
  const [tags, setTags] = useState<string[]>(customer.tags);
  const [notes, setNotes] = useState(customer.notes ?? "");
  const errors = patch.error instanceof ApiError ? patch.error.fieldErrors : {};

  const submit = (e: FormEvent) => {
    e.preventDefault();
    patch.mutate(
      { name: name.trim(), organization: organization.trim() || null, tags, notes },
      {
        onSuccess: () => {
          notifications.show({ color: "green", message: "Customer saved" });
          onDone();
        },
      },
    );
  };
  return (
    <form onSubmit={submit}>
      <Stack>
        <TextInput label="Name" required value={name} onChange={(e) => setName(e.currentTarget.value)} error={errors.name} data-autofocus />
        <TextInput
          label="Organization"
          value={organization}
          onChange={(e) => setOrganization(e.currentTarget.value)}
          error={errors.organization}
        />
        <TagsInput label="Tags" value={tags} onChange={setTags} error={errors.tags} placeholder="Add tag and press Enter" />
        <Textarea label="Notes" autosize minRows={3} value={notes} onChange={(e) => setNotes(e.currentTarget.value)} error={errors.notes} />
        <Group justify="flex-end">
          <Button variant="default" onClick={onDone}>
            Cancel
          </Button>
          <Button type="submit" loading={patch.isPending} disabled={!name.trim()}>
            Save
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

export function EditCustomerDialog({ customer, opened, onClose }: { customer: CustomerDetail; opened: boolean; onClose: () => void }) {
  return (
    <Modal opened={opened} onClose={onClose} title="Edit customer">
      {opened && <EditForm customer={customer} onDone={onClose} />}
    </Modal>
  );
}
