import { MantineProvider } from "@mantine/core";
import { render, screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { SatisfactionCard } from "./SatisfactionCard";

function renderCard(satisfaction: Parameters<typeof SatisfactionCard>[0]["satisfaction"]) {
  return render(
    <MantineProvider>
      <SatisfactionCard satisfaction={satisfaction} />
    </MantineProvider>,
  );
}

describe("SatisfactionCard", () => {
  it("shows the rating, effort and the customer's comment", () => {
    renderCard({ rating: 5, comment: "Sorted in the end", ces_score: 6 });
    expect(screen.getByTestId("csat-rating")).toHaveTextContent("5 / 5");
    expect(screen.getByText(/satisfied · effort 6 \/ 7/)).toBeInTheDocument();
    expect(screen.getByText("“Sorted in the end”")).toBeInTheDocument();
  });

  it("renders nothing before the customer answered", () => {
    renderCard(null);
    expect(screen.queryByText("Customer satisfaction")).not.toBeInTheDocument();
  });
});
