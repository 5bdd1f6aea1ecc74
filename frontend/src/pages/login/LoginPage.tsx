import { Alert, Button, Center, Paper, PasswordInput, Stack, Text, TextInput, Title } from "@mantine/core";
import { useState, type FormEvent } from "react";
import { Navigate, useNavigate, useSearchParams } from "react-router";
import { useLogin, useSession } from "../../api/auth";
import { ApiError, errorMessage } from "../../api/client";

function loginErrorText(err: unknown): string {
  if (err instanceof ApiError) {
    if (err.status === 401) return err.problem.detail || "Invalid email or password.";
    if (err.status === 429) return err.problem.detail || "Too many sign-in attempts. Please wait a moment and try again.";
  }
  return errorMessage(err);
}

/** Only allow same-app relative redirects. */
function safeNext(next: string | null): string {
  if (next && next.startsWith("/") && !next.startsWith("//") && !next.startsWith("/login")) return next;
  return "/inbox";
}

export function LoginPage() {
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const login = useLogin();
  const session = useSession();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const next = safeNext(params.get("next"));

  if (session.data && !login.isPending) return <Navigate to={next} replace />;

  const submit = (e: FormEvent) => {
    e.preventDefault();
    login.mutate(
      { email: email.trim(), password },
      { onSuccess: () => navigate(next, { replace: true }) },
    );
  };
  const fieldErrors = login.error instanceof ApiError ? login.error.fieldErrors : {};

  return (
    <Center mih="100vh" p="md" bg="var(--mantine-color-body)">
      <Paper withBorder shadow="sm" p="xl" radius="lg" w="100%" maw={400}>
        <form onSubmit={submit} noValidate aria-labelledby="login-title">
          <Stack>
            <div>
              <Title order={1} size="h2" id="login-title">
                Sign in
              </Title>
              <Text c="dimmed" size="sm">
                Service desk for agents
              </Text>
            </div>
            {login.error && (
              <Alert color="red" role="alert" title="Sign-in failed">
                {loginErrorText(login.error)}
              </Alert>
            )}
            <TextInput
              label="Email"
              type="email"
              autoComplete="username"
              required
              autoFocus
              value={email}
              onChange={(e) => setEmail(e.currentTarget.value)}
              error={fieldErrors.email}
            />
            <PasswordInput
              label="Password"
              autoComplete="current-password"
              required
              value={password}
              onChange={(e) => setPassword(e.currentTarget.value)}
              error={fieldErrors.password}
            />
            <Button type="submit" loading={login.isPending} disabled={!email || !password} fullWidth>
              Sign in
            </Button>
          </Stack>
        </form>
      </Paper>
    </Center>
  );
}
