import { Alert, Button, Group, List, Paper, Select, Stack, Text } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { useState } from "react";
import { useApplyMacro, useMacroPreview, useMacros } from "../../api/tickets";

/**
 * Choose a macro, see what it would do to this ticket (the server's preview: its actions
 * and the reply as it would be posted), and apply it in one click.
 */
export function MacroPicker({ ticketId }: { ticketId: number }) {
  const macros = useMacros();
  const [chosen, setChosen] = useState<number | null>(null);
  const preview = useMacroPreview(chosen, ticketId);
  const apply = useApplyMacro(ticketId);
  const name = macros.data?.find((m) => m.id === chosen)?.name;

  const applyChosen = () => {
    if (chosen === null) return;
    apply.mutate(chosen, {
      onSuccess: () => {
        setChosen(null);
        notifications.show({ color: "green", message: `Macro “${name}” applied` });
      },
    });
  };

  return (
    <Stack gap="xs">
      <Select
        size="xs"
        w={240}
        aria-label="Macro"
        placeholder={macros.isError ? "Macros unavailable" : "Apply a macro…"}
        data={(macros.data ?? []).map((m) => ({
          value: String(m.id),
          label: m.shared ? m.name : `${m.name} (personal)`,
        }))}
        value={chosen === null ? null : String(chosen)}
        onChange={(v) => setChosen(v === null ? null : Number(v))}
        searchable
        clearable
        nothingFoundMessage="No macros"
        disabled={!macros.data?.length}
      />
      {chosen !== null && (
        <Paper withBorder p="xs" radius="sm" aria-label="Macro preview">
          {preview.isError ? (
            <Alert color="red">{preview.error.message}</Alert>
          ) : (
            <>
              <Text size="xs" fw={600}>
                {name} will:
              </Text>
              <List size="xs">
                {(preview.data?.actions ?? []).map((a, i) => (
                  <List.Item key={i}>{a}</List.Item>
                ))}
                {preview.data?.reply && <List.Item>post this reply:</List.Item>}
              </List>
              {preview.data?.reply && (
                <Text size="xs" style={{ whiteSpace: "pre-wrap" }} data-testid="macro-reply">
                  {preview.data.reply}
                </Text>
              )}
            </>
          )}
          {apply.isError && <Alert color="red">{apply.error.message}</Alert>}
          <Group justify="flex-end" mt="xs" gap="xs">
            <Button size="xs" variant="default" onClick={() => setChosen(null)}>
              Cancel
            </Button>
            <Button size="xs" onClick={applyChosen} loading={apply.isPending} disabled={!preview.data}>
              Apply macro
            </Button>
          </Group>
        </Paper>
      )}
    </Stack>
  );
}
