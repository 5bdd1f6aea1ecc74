import { Alert, Button, Group, List, Text } from "@mantine/core";
import { ApiError, errorMessage } from "../api/client";

/** Inline, readable rendering of a failed request (RFC 9457 problem). */
export function QueryError({ error, onRetry, title }: { error: unknown; onRetry?: () => void; title?: string }) {
  const problem = error instanceof ApiError ? error.problem : null;
  const detail = problem ? problem.detail || problem.title : errorMessage(error);
  const fields = (problem?.errors ?? []).filter((e) => e.message && e.message !== detail);
  return (
    <Alert color="red" title={title ?? problem?.title ?? "Could not load data"} role="alert">
      <Text size="sm">{detail}</Text>
      {fields.length > 0 && (
        <List size="sm" mt="xs">
          {fields.map((e, i) => (
            <List.Item key={i}>{e.field ? `${e.field}: ${e.message}` : e.message}</List.Item>
          ))}
        </List>
      )}
      {onRetry && (
        <Group mt="sm">
          <Button size="xs" variant="light" color="red" onClick={onRetry}>
            Retry
          </Button>
        </Group>
      )}
    </Alert>
  );
}
