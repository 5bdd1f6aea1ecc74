import { Button, Center, Stack, Text, Title } from "@mantine/core";
import { Link } from "react-router";

export function NoAccess() {
  return (
    <Center py={80}>
      <Stack align="center" gap="xs">
        <Title order={2}>You do not have access</Title>
        <Text c="dimmed">This page is only available to agents with a different role. Ask an administrator if you need it.</Text>
        <Button component={Link} to="/inbox" mt="md">
          Back to inbox
        </Button>
      </Stack>
    </Center>
  );
}

export function NotFound() {
  return (
    <Center py={80}>
      <Stack align="center" gap="xs">
        <Title order={2}>Page not found</Title>
        <Text c="dimmed">The page you are looking for does not exist.</Text>
        <Button component={Link} to="/inbox" mt="md">
          Back to inbox
        </Button>
      </Stack>
    </Center>
  );
}
