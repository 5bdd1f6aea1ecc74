import { Alert, Button, Center, Container, Loader, Paper, Stack, Text, Textarea, Title } from "@mantine/core";
import { useMutation, useQuery } from "@tanstack/react-query";
import { useEffect, useRef, useState } from "react";
import { useNavigate, useParams, useSearchParams } from "react-router";
import { errorMessage } from "../../api/client";
import { answerSurvey, getSurvey } from "../../api/surveys";
import type { Survey, SurveyAnswer } from "../../api/types";
import { RatingScale } from "./RatingScale";

function scale(kind: string) {
  return kind === "nps"
    ? { min: 0, max: 10, low: "Not at all likely", high: "Extremely likely" }
    : { min: 1, max: 5, low: "Very dissatisfied", high: "Very satisfied" };
}

function parseRating(raw: string | null): number | null {
  if (raw === null || !/^\d{1,2}$/.test(raw)) return null;
  return Number(raw);
}

export function SurveyPage() {
  const token = useParams().token ?? "";
  const [sp, setSp] = useSearchParams();
  const navigate = useNavigate();
  const queryRating = parseRating(sp.get("rating"));
  // Latest answer saved by the server; `version` remounts the form with it.
  const [saved, setSaved] = useState<{ survey: Survey; version: number } | null>(null);
  const posted = useRef<string | null>(null);
  // Opened from the emailed link: the POST answer is the source, no GET needed.
  const [fromLink] = useState(() => queryRating !== null);

  const post = useMutation({
    mutationFn: (body: SurveyAnswer) => answerSurvey(token, body),
    meta: { silent: true },
    onSuccess: (s) => {
      setSaved((prev) => ({ survey: s, version: (prev?.version ?? 0) + 1 }));
      // The emailed link is used up by its first answer; later changes use the edit token.
      if (s.edit_token && s.edit_token !== token) {
        navigate(`/survey/${encodeURIComponent(s.edit_token)}`, { replace: true });
      }
    },
  });

  const initial = useQuery({
    queryKey: ["survey", token],
    queryFn: () => getSurvey(token),
    enabled: !fromLink,
    retry: false,
  });

  // The emailed link carries ?rating=N: record it right away, then drop it from the URL
  // so a reload does not post again.
  const { mutate } = post;
  useEffect(() => {
    if (queryRating === null) return;
    const key = `${token}:${queryRating}`;
    if (posted.current === key) return;
    posted.current = key;
    mutate(
      { rating: queryRating },
      {
        // Without an edit token to move to, drop ?rating so a reload does not post again.
        onSettled: (data) =>
          !data?.edit_token &&
          setSp(
            (prev) => {
              const next = new URLSearchParams(prev);
              next.delete("rating");
              return next;
            },
            { replace: true },
          ),
      },
    );
  }, [token, queryRating, mutate, setSp]);

  const survey = saved?.survey ?? initial.data ?? null;
  const error = post.error ?? initial.error;
  const loading = !survey && !error && (post.isPending || initial.isFetching || queryRating !== null);

  return (
    <Container size={560} py="xl" px="md">
      <Paper withBorder shadow="sm" radius="lg" p={{ base: "md", sm: "xl" }}>
        {loading ? (
          <Center py="xl">
            <Loader aria-label="Loading survey" />
          </Center>
        ) : !survey ? (
          <Alert color="red" title="This survey link cannot be used" role="alert">
            {error ? errorMessage(error) : "Survey not found."}
          </Alert>
        ) : (
          <SurveyForm
            key={saved?.version ?? 0}
            survey={survey}
            saved={!!saved && saved.version > (fromLink ? 1 : 0)}
            pending={post.isPending}
            error={post.error ? errorMessage(post.error) : null}
            onSubmit={(body) => post.mutate(body)}
          />
        )}
      </Paper>
      <Text size="xs" c="dimmed" ta="center" mt="md">
        Your answer helps us improve our support.
      </Text>
    </Container>
  );
}

interface FormProps {
  survey: Survey;
  saved: boolean;
  pending: boolean;
  error: string | null;
  onSubmit: (body: SurveyAnswer) => void;
}

function SurveyForm({ survey, saved, pending, error, onSubmit }: FormProps) {
  const [rating, setRating] = useState<number | null>(survey.rating);
  const [comment, setComment] = useState(survey.comment ?? "");
  const [ces, setCes] = useState<number | null>(survey.ces_score);
  const [dirty, setDirty] = useState(false);
  const edit =
    <T,>(set: (v: T) => void) =>
    (v: T) => {
      set(v);
      setDirty(true);
    };
  const onRating = edit(setRating);
  const onComment = edit(setComment);
  const onCes = edit(setCes);
  const s = scale(survey.kind);
  const cesQuestion = survey.ces_question ?? "The company made it easy to handle my issue.";
  const answered = survey.rating !== null;
  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        onSubmit({ rating, comment: comment.trim() || null, ces_score: survey.kind === "csat" ? ces : null });
      }}
    >
      <Stack gap="lg">
        {answered ? (
          <div>
            <Title order={1} size="h2">
              Thank you!
            </Title>
            <Text c="dimmed">
              We received your rating. You can change it or tell us more below.
            </Text>
          </div>
        ) : (
          <Title order={1} size="h3">
            {survey.question}
          </Title>
        )}
        {survey.ticket_subject && (
          <Text size="sm" c="dimmed">
            About: {survey.ticket_subject}
          </Text>
        )}
        {error && (
          <Alert color="red" role="alert">
            {error}
          </Alert>
        )}
        {saved && !dirty && !error && (
          <Alert color="green" role="status">
            Your answer has been saved.
          </Alert>
        )}
        <div>
          {answered && (
            <Text fw={500} mb="xs">
              {survey.question}
            </Text>
          )}
          <RatingScale
            label={survey.question}
            min={s.min}
            max={s.max}
            value={rating}
            onChange={onRating}
            lowLabel={s.low}
            highLabel={s.high}
          />
        </div>
        {survey.kind === "csat" && (
          <div>
            <Text fw={500} mb="xs">
              {cesQuestion}{" "}
              <Text span c="dimmed" size="sm">
                (optional)
              </Text>
            </Text>
            <RatingScale
              label={cesQuestion}
              min={1}
              max={7}
              value={ces}
              onChange={onCes}
              lowLabel="Strongly disagree"
              highLabel="Strongly agree"
            />
          </div>
        )}
        <Textarea
          label="Anything else you want to tell us? (optional)"
          autosize
          minRows={3}
          maxLength={2000}
          value={comment}
          onChange={(e) => onComment(e.currentTarget.value)}
        />
        <Button type="submit" size="md" loading={pending} disabled={rating === null} fullWidth>
          {answered ? "Update my answer" : "Send"}
        </Button>
      </Stack>
    </form>
  );
}
