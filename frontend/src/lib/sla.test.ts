import { describe, expect, it } from "vitest";
import { slaColor, slaLabel, span, type SlaState } from "./sla";

const NOW = new Date("2026-01-05T09:00:00Z");

function due(iso: string | null): SlaState {
  return { target: "first_response", due_at: iso, breached: false, paused: iso === null };
}

describe("SLA badge", () => {
  it("says how long until the target is due", () => {
    expect(slaLabel(due("2026-01-05T11:00:00Z"), NOW)).toBe("due in 2 h");
    expect(slaLabel(due("2026-01-05T09:45:00Z"), NOW)).toBe("due in 45 min");
    expect(slaLabel(due("2026-01-05T10:30:00Z"), NOW)).toBe("due in 1 h 30 min");
    expect(slaLabel(due("2026-01-08T09:00:00Z"), NOW)).toBe("due in 3 d");
  });

  it("says how long ago a target was breached", () => {
    expect(slaLabel(due("2026-01-05T08:45:00Z"), NOW)).toBe("breached 15 min ago");
    expect(slaLabel(due("2026-01-05T06:00:00Z"), NOW)).toBe("breached 3 h ago");
    expect(slaLabel(due("2026-01-05T09:00:00Z"), NOW)).toBe("breached 0 min ago");
  });

  it("shows a paused clock without a time", () => {
    expect(slaLabel(due(null), NOW)).toBe("paused");
    expect(slaColor(due(null), NOW)).toBe("gray");
  });

  it("colours by urgency", () => {
    expect(slaColor(due("2026-01-05T08:59:00Z"), NOW)).toBe("red");
    expect(slaColor(due("2026-01-05T09:30:00Z"), NOW)).toBe("orange");
    expect(slaColor(due("2026-01-05T12:00:00Z"), NOW)).toBe("blue");
  });

  it("rounds spans", () => {
    expect(span(0.4)).toBe("0 min");
    expect(span(59.6)).toBe("1 h");
    expect(span(600)).toBe("10 h");
    expect(span(47 * 60 + 40)).toBe("48 h");
  });
});
