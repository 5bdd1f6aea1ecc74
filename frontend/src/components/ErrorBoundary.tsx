import { Alert, Button, Code, Stack, Text } from "@mantine/core";
import { Component, type ErrorInfo, type ReactNode } from "react";

interface Props {
  children: ReactNode;
  /** Changing this resets the boundary (e.g. the location pathname). */
  resetKey?: string;
}
interface State {
  error: Error | null;
  resetKey?: string;
}

export class ErrorBoundary extends Component<Props, State> {
  state: State = { error: null, resetKey: this.props.resetKey };

  static getDerivedStateFromError(error: Error): Partial<State> {
    return { error };
  }

  static getDerivedStateFromProps(props: Props, state: State): Partial<State> | null {
    if (props.resetKey !== state.resetKey) return { error: null, resetKey: props.resetKey };
    return null;
  }

  componentDidCatch(error: Error, info: ErrorInfo): void {
    console.error("UI error", error, info.componentStack);
  }

  render() {
    const { error } = this.state;
    if (!error) return this.props.children;
    return (
      <Stack p="xl" maw={720} mx="auto">
        <Alert color="red" title="This page failed to render" role="alert">
          <Text size="sm" mb="sm">
            Something unexpected happened. You can try again, or go back to the inbox.
          </Text>
          <Code block>{error.message}</Code>
        </Alert>
        <div>
          <Button onClick={() => this.setState({ error: null })} mr="sm">
            Try again
          </Button>
          <Button variant="default" component="a" href="/inbox">
            Go to inbox
          </Button>
        </div>
      </Stack>
    );
  }
}
