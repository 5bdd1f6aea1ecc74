import { Alert, Button, Card, Group, SegmentedControl, Select, SimpleGrid, Stack, Text, TextInput, Textarea, Title } from "@mantine/core";
import { useDebouncedValue } from "@mantine/hooks";
import { useEffect, useState } from "react";
import { useNavigate } from "react-router";
import { ApiError } from "../../api/client";
import { useCreateCampaign, usePreviewTemplate, useSegments } from "../../api/marketing";

/** Writes a campaign: its segment, subject and body (Jinja2 over `customer`), previewed live
 * for a sample customer; saved as a draft, or scheduled. A triggered campaign has no segment
 * and no time: automation rules (`send_campaign`) send it to one customer at a time. */
export function CampaignEditorPage() {
  const navigate = useNavigate();
  const segments = useSegments();
  const create = useCreateCampaign();
  const preview = usePreviewTemplate();
  const [name, setName] = useState("");
  const [kind, setKind] = useState<"segment" | "triggered">("segment");
  const triggered = kind === "triggered";
  const [segmentId, setSegmentId] = useState<string | null>(null);
  const [subject, setSubject] = useState("Hello {{ customer.first_name }}");
  const [body, setBody] = useState("Dear {{ customer.name }},\n\n");
  const [sendAt, setSendAt] = useState("");
  const [template] = useDebouncedValue({ subject, body }, 400);
  const { mutate: render } = preview;

  useEffect(() => {
    if (template.subject.trim() && template.body.trim()) render(template);
  }, [template, render]);

  const errors = create.error instanceof ApiError ? create.error.fieldErrors : {};
  const save = () =>
    create.mutate(
      triggered
        ? { name: name.trim(), kind, subject, body }
        : {
            name: name.trim(),
            kind,
            segment_id: Number(segmentId),
            subject,
            body,
            send_at: sendAt ? new Date(sendAt).toISOString() : null,
          },
      { onSuccess: (campaign) => navigate(`/marketing/campaigns/${campaign.id}`) },
    );

  return (
    <Stack p="md" maw={1100} mx="auto">
      <Title order={1} size="h3">
        New campaign
      </Title>
      <SimpleGrid cols={{ base: 1, md: 2 }}>
        <Stack>
          <TextInput label="Name" value={name} onChange={(e) => setName(e.currentTarget.value)} error={errors["name"]} required />
          <SegmentedControl
            aria-label="Kind"
            value={kind}
            onChange={(value) => setKind(value === "triggered" ? "triggered" : "segment")}
            data={[
              { value: "segment", label: "To a segment" },
              { value: "triggered", label: "Triggered by rules" },
            ]}
          />
          {triggered && (
            <Text size="sm" c="dimmed">
              Automation rules send it (action "Send a triggered campaign") to the customer of each event, once per customer.
            </Text>
          )}
          {!triggered && (
            <Select
              label="Segment"
              data={(segments.data?.items ?? []).map((s) => ({ value: String(s.id), label: s.name }))}
              value={segmentId}
              onChange={setSegmentId}
              error={errors["segment_id"]}
              required
            />
          )}
          <TextInput label="Subject" value={subject} onChange={(e) => setSubject(e.currentTarget.value)} error={errors["subject"]} />
          <Textarea label="Body" autosize minRows={8} value={body} onChange={(e) => setBody(e.currentTarget.value)} error={errors["body"]} />
          {!triggered && (
            <TextInput
              label="Send at (optional)"
              description="Empty: send it yourself from the campaign's page"
              type="datetime-local"
              value={sendAt}
              onChange={(e) => setSendAt(e.currentTarget.value)}
              error={errors["send_at"]}
            />
          )}
        </Stack>
        <Card withBorder aria-label="Preview">
          <Text size="xs" c="dimmed">
            Preview for a sample customer
          </Text>
          {preview.isError ? (
            <Alert color="red" mt="xs" role="alert">
              {preview.error.message}
            </Alert>
          ) : preview.data ? (
            <Stack gap="xs" mt="xs">
              <Text fw={600} data-testid="preview-subject">
                {preview.data.subject}
              </Text>
              <Text size="sm" style={{ whiteSpace: "pre-wrap" }} data-testid="preview-body">
                {preview.data.body}
              </Text>
            </Stack>
          ) : null}
        </Card>
      </SimpleGrid>
      {create.isError && Object.keys(errors).length === 0 && <Alert color="red">{create.error.message}</Alert>}
      <Group>
        <Button onClick={save} loading={create.isPending} disabled={!name.trim() || (!triggered && !segmentId)}>
          {triggered ? "Save triggered campaign" : sendAt ? "Schedule campaign" : "Save draft"}
        </Button>
      </Group>
    </Stack>
  );
}
