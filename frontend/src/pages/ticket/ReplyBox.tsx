import { Button, Group, Kbd, Paper, SegmentedControl, Text, Textarea } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { useState } from "react";
import { usePostMessage } from "../../api/tickets";
import type { TicketDetail } from "../../api/types";
import { MacroPicker } from "./MacroPicker";
import classes from "./Ticket.module.css";

export function ReplyBox({ ticket }: { ticket: TicketDetail }) {
  const [mode, setMode] = useState<"public" | "internal">("public");
  const [body, setBody] = useState("");
  const post = usePostMessage(ticket.id);
  const internal = mode === "internal";

  const submit = () => {
    const text = body.trim();
    if (!text || post.isPending) return;
    post.mutate(
      { body: text, public: !internal },
      {
        onSuccess: () => {
          setBody("");
          notifications.show({ color: "green", message: internal ? "Internal note added" : "Reply sent" });
        },
      },
    );
  };

  return (
    <Paper
      withBorder
      p="sm"
      radius="md"
      component="form"
      className={internal ? classes.replyInternal : undefined}
      onSubmit={(e) => {
        e.preventDefault();
        submit();
      }}
      aria-label="Reply"
    >
      <Group justify="space-between" align="flex-start" mb="xs" wrap="wrap" gap="xs">
        <SegmentedControl
          size="xs"
          value={mode}
          onChange={(v) => setMode(v as "public" | "internal")}
          data={[
            { value: "public", label: "Public reply" },
            { value: "internal", label: "Internal note" },
          ]}
          aria-label="Message type"
          color={internal ? "yellow" : "blue"}
          autoContrast
        />
        <MacroPicker ticketId={ticket.id} />
      </Group>
      <Textarea
        aria-label={internal ? "Internal note (visible to agents only)" : `Reply to ${ticket.customer.name}`}
        placeholder={internal ? "Write an internal note — only agents can see this" : `Reply to ${ticket.customer.name}…`}
        autosize
        minRows={4}
        maxRows={16}
        value={body}
        onChange={(e) => setBody(e.currentTarget.value)}
        onKeyDown={(e) => {
          if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) {
            e.preventDefault();
            submit();
          }
        }}
      />
      <Group justify="space-between" mt="xs">
        <Text size="xs" c="dimmed">
          <Kbd size="xs">Ctrl</Kbd> + <Kbd size="xs">Enter</Kbd> to send
        </Text>
        <Button type="submit" loading={post.isPending} disabled={!body.trim()} color={internal ? "yellow" : "blue"} c={internal ? "dark" : undefined}>
          {internal ? "Add internal note" : "Send reply"}
        </Button>
      </Group>
    </Paper>
  );
}
