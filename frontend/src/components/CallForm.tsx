import { Button, Group, Modal, NumberInput, SegmentedControl, Select, Stack, TextInput, Textarea } from "@mantine/core";
import { useState } from "react";
import type { CallIn } from "../api/types";

const OUTCOMES: { value: CallIn["outcome"]; label: string }[] = [
  { value: "answered", label: "Answered" },
  { value: "no_answer", label: "No answer" },
  { value: "voicemail", label: "Voicemail" },
  { value: "callback_requested", label: "Callback requested" },
  { value: "busy", label: "Busy" },
  { value: "failed", label: "Failed" },
];

/** "2026-03-01T10:05" in local time, as a datetime-local input shows it. */
function localInput(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

export interface TicketChoice {
  id: number;
  label: string;
}

interface Props {
  opened: boolean;
  onClose: () => void;
  /** Offered on a customer's profile: "" is a new phone ticket. */
  tickets?: TicketChoice[];
  pending: boolean;
  onSubmit: (call: CallIn & { ticket_id?: number | null; subject?: string }) => void;
}

/** Log a phone call: direction, when, how long, the outcome and notes. */
export function CallForm({ opened, onClose, tickets, pending, onSubmit }: Props) {
  const [direction, setDirection] = useState<CallIn["direction"]>("inbound");
  const [startedAt, setStartedAt] = useState(() => localInput(new Date()));
  const [minutes, setMinutes] = useState<number | string>(0);
  const [outcome, setOutcome] = useState<CallIn["outcome"]>("answered");
  const [notes, setNotes] = useState("");
  const [ticket, setTicket] = useState<string>("");
  const [subject, setSubject] = useState("");

  const submit = (e: React.FormEvent) => {
    e.preventDefault();
    const started = new Date(startedAt);
    onSubmit({
      direction,
      started_at: (Number.isNaN(started.getTime()) ? new Date() : started).toISOString(),
      duration_seconds: Math.max(0, Math.round(Number(minutes || 0) * 60)),
      outcome,
      notes,
      ...(tickets ? { ticket_id: ticket ? Number(ticket) : null, subject } : {}),
    });
  };

  return (
    <Modal opened={opened} onClose={onClose} title="Log a phone call">
      <form onSubmit={submit} aria-label="Log a phone call">
        <Stack>
          <SegmentedControl
            aria-label="Direction"
            value={direction}
            onChange={(v) => setDirection(v as CallIn["direction"])}
            data={[
              { value: "inbound", label: "Inbound" },
              { value: "outbound", label: "Outbound" },
            ]}
          />
          {tickets && (
            <Select
              label="Ticket"
              value={ticket}
              onChange={(v) => setTicket(v ?? "")}
              data={[{ value: "", label: "New phone ticket" }, ...tickets.map((t) => ({ value: String(t.id), label: t.label }))]}
              allowDeselect={false}
            />
          )}
          {tickets && !ticket && (
            <TextInput label="Subject" placeholder="What the call was about" value={subject} onChange={(e) => setSubject(e.currentTarget.value)} />
          )}
          <TextInput label="Started at" type="datetime-local" value={startedAt} onChange={(e) => setStartedAt(e.currentTarget.value)} required />
          <NumberInput label="Duration (minutes)" min={0} max={1440} decimalScale={1} value={minutes} onChange={setMinutes} />
          <Select
            label="Outcome"
            value={outcome}
            onChange={(v) => v && setOutcome(v as CallIn["outcome"])}
            data={OUTCOMES}
            allowDeselect={false}
          />
          <Textarea label="Notes" autosize minRows={3} value={notes} onChange={(e) => setNotes(e.currentTarget.value)} />
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              Cancel
            </Button>
            <Button type="submit" loading={pending}>
              Log call
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
