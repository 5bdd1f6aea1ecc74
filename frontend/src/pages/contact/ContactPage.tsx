import { Alert, Box, Button, Container, Paper, Stack, Text, Textarea, TextInput, Title } from "@mantine/core";
import { useMutation } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { postContactForm } from "../../api/channels";
import { ApiError, errorMessage } from "../../api/client";
import { EMPTY, formBody, type Fields } from "./contactForm";

/** The public contact page (no sign-in): posts the web form door like any embedded form. */
export function ContactPage() {
  const [fields, setFields] = useState<Fields>(EMPTY);
  const send = useMutation({ mutationFn: postContactForm, meta: { silent: true } });
  const set = (name: keyof Fields) => (e: { currentTarget: { value: string } }) => {
    const value = e.currentTarget.value;
    setFields((prev) => ({ ...prev, [name]: value }));
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    send.mutate(formBody(fields));
  };
  const fieldErrors = send.error instanceof ApiError ? send.error.fieldErrors : {};
  const ready = fields.name.trim() && fields.email.trim() && fields.subject.trim() && fields.message.trim();

  return (
    <Container size={560} py="xl" px="md">
      <Paper withBorder shadow="sm" radius="lg" p={{ base: "md", sm: "xl" }}>
        {send.isSuccess ? (
          <Stack>
            <Title order={1} size="h2">
              Thank you!
            </Title>
            <Text>We have received your message and will answer by email.</Text>
            <Button
              variant="light"
              onClick={() => {
                setFields(EMPTY);
                send.reset();
              }}
            >
              Send another message
            </Button>
          </Stack>
        ) : (
          <form onSubmit={submit} noValidate aria-labelledby="contact-title">
            <Stack>
              <div>
                <Title order={1} size="h2" id="contact-title">
                  Contact us
                </Title>
                <Text c="dimmed" size="sm">
                  Tell us how we can help; we answer by email.
                </Text>
              </div>
              {send.error && (
                <Alert color="red" role="alert" title="Your message was not sent">
                  {errorMessage(send.error)}
                </Alert>
              )}
              <TextInput
                label="Name"
                required
                autoComplete="name"
                value={fields.name}
                onChange={set("name")}
                error={fieldErrors.name}
              />
              <TextInput
                label="Email"
                type="email"
                required
                autoComplete="email"
                value={fields.email}
                onChange={set("email")}
                error={fieldErrors.email}
              />
              <TextInput
                label="Phone (optional)"
                type="tel"
                autoComplete="tel"
                description="In international form, e.g. +44 20 7946 0958"
                value={fields.phone}
                onChange={set("phone")}
                error={fieldErrors.phone}
              />
              <TextInput
                label="Order number (optional)"
                value={fields.order_number}
                onChange={set("order_number")}
                error={fieldErrors["fields.order_number"]}
              />
              <TextInput
                label="Subject"
                required
                value={fields.subject}
                onChange={set("subject")}
                error={fieldErrors.subject}
              />
              <Textarea
                label="Message"
                required
                autosize
                minRows={5}
                value={fields.message}
                onChange={set("message")}
                error={fieldErrors.message}
              />
              {/* The honeypot: hidden from people (and screen readers), filled by bots. */}
              <Box aria-hidden="true" style={{ position: "absolute", left: "-10000px", height: 1, overflow: "hidden" }}>
                <label>
                  Website
                  <input
                    name="website"
                    tabIndex={-1}
                    autoComplete="off"
                    value={fields.website}
                    onChange={set("website")}
                  />
                </label>
              </Box>
              <Button type="submit" loading={send.isPending} disabled={!ready} fullWidth>
                Send
              </Button>
            </Stack>
          </form>
        )}
      </Paper>
    </Container>
  );
}
