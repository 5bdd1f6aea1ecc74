import { describe, expect, it } from "vitest";
import { backlogText, dueText, isLate } from "./backlog";

const at = "2026-03-02T10:00:00Z";
const kind = (over: object) => ({ kind: "event", due: 0, oldest_due_at: null, scheduled: 0, failed: 0, unknown: 0, ...over });

describe("backlog", () => {
  it("says nothing is due, or how many and for how long", () => {
    expect(dueText(kind({}), at)).toBe("no events due");
    expect(dueText(kind({ due: 1, oldest_due_at: "2026-03-02T09:59:58Z" }), at)).toBe("1 event due, the oldest for 2 s");
    expect(dueText(kind({ due: 12, oldest_due_at: "2026-03-02T09:55:00Z" }), at)).toBe("12 events due, the oldest for 5 min");
    expect(dueText(kind({ kind: "email", due: 3, oldest_due_at: "2026-03-02T07:00:00Z" }), at)).toBe("3 emails due, the oldest for 3 h");
  });

  it("is late only when something has waited over a minute", () => {
    expect(isLate(kind({ due: 5, oldest_due_at: "2026-03-02T09:59:30Z" }), at)).toBe(false);
    expect(isLate(kind({ due: 5, oldest_due_at: "2026-03-02T09:58:00Z" }), at)).toBe(true);
    expect(isLate(kind({ due: 0 }), at)).toBe(false);
  });

  it("adds what is scheduled, failed or unknown", () => {
    expect(backlogText(kind({ kind: "webhook", scheduled: 2, failed: 1, unknown: 1 }), at)).toBe(
      "no webhook posts due · 2 scheduled · 1 failed · 1 unknown",
    );
  });
});
