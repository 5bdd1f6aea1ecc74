import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { calls, mockFetch, problem, renderWithProviders } from "../../test/utils";
import { SurveyPage } from "./SurveyPage";

const survey = {
  kind: "csat",
  question: "How satisfied are you with the support you received?",
  ticket_subject: "Printer on fire",
  rating: null,
  comment: null,
  ces_score: null,
  ces_question: "The company made it easy to handle my issue.",
};

describe("SurveyPage", () => {
  it("posts the rating from the link immediately, then thanks and offers CES and a comment", async () => {
    const bodies: unknown[] = [];
    const answer = async (req: Request) => {
      const body = (await req.json()) as Record<string, unknown>;
      bodies.push(body);
      return {
        ...survey,
        rating: body.rating ?? null,
        comment: body.comment ?? null,
        ces_score: body.ces_score ?? null,
        edit_token: "e.abc.99.sig",
      };
    };
    const fetch = mockFetch({
      "POST /public/api/surveys/abc123": answer,
      "POST /public/api/surveys/e.abc.99.sig": answer,
    });
    renderWithProviders(<SurveyPage />, { route: "/survey/abc123?rating=4", path: "/survey/:token", agent: null });

    expect(await screen.findByRole("heading", { name: "Thank you!" })).toBeInTheDocument();
    expect(bodies).toEqual([{ rating: 4 }]);
    expect(calls(fetch).filter((r) => r.method === "GET")).toHaveLength(0);
    const csat = within(screen.getByRole("radiogroup", { name: survey.question }));
    const ces = within(screen.getByRole("radiogroup", { name: "The company made it easy to handle my issue." }));
    expect(csat.getByRole("radio", { name: /^4/ })).toHaveAttribute("aria-checked", "true");
    expect(csat.getAllByRole("radio")).toHaveLength(5);
    expect(ces.getAllByRole("radio")).toHaveLength(7);

    const user = userEvent.setup();
    await user.click(csat.getByRole("radio", { name: /^5/ }));
    await user.click(ces.getByRole("radio", { name: /^6$/ }));
    await user.type(screen.getByLabelText(/anything else/i), "Great help");
    await user.click(screen.getByRole("button", { name: "Update my answer" }));

    await waitFor(() => expect(bodies).toHaveLength(2));
    // The second answer goes to the edit token returned by the first one.
    expect(new URL(calls(fetch)[1].url).pathname).toBe("/public/api/surveys/e.abc.99.sig");
    expect(bodies[1]).toEqual({ rating: 5, comment: "Great help", ces_score: 6 });
    expect(await screen.findByText("Your answer has been saved.")).toBeInTheDocument();
  });

  it("shows the server's message for a used or forged token", async () => {
    mockFetch({
      "POST /public/api/surveys/bad": () => problem(410, "Gone", "This survey has expired."),
    });
    renderWithProviders(<SurveyPage />, { route: "/survey/bad?rating=2", path: "/survey/:token", agent: null });
    expect(await screen.findByRole("alert")).toHaveTextContent("This survey has expired.");
  });

  it("asks the question when opened without a rating", async () => {
    mockFetch({ "GET /public/api/surveys/abc": () => ({ ...survey, kind: "nps", question: "Would you recommend us?" }) });
    renderWithProviders(<SurveyPage />, { route: "/survey/abc", path: "/survey/:token", agent: null });
    expect(await screen.findByRole("heading", { name: "Would you recommend us?" })).toBeInTheDocument();
    expect(screen.getAllByRole("radio")).toHaveLength(11);
    expect(screen.getByRole("button", { name: "Send" })).toBeDisabled();
  });
});
