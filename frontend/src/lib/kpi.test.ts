import { describe, expect, it } from "vitest";
import { computeChange, formatChange } from "./kpi";
import { previousPeriod } from "./period";

describe("computeChange", () => {
  it("reports an improvement when a higher-is-better KPI rises", () => {
    const c = computeChange(0.75, 0.6, true);
    expect(c.delta).toBeCloseTo(0.15);
    expect(c.relative).toBeCloseTo(0.25);
    expect(c.direction).toBe("up");
    expect(c.improved).toBe(true);
  });

  it("reports a regression when a lower-is-better KPI rises", () => {
    const c = computeChange(30, 20, false);
    expect(c.direction).toBe("up");
    expect(c.improved).toBe(false);
    expect(c.relative).toBeCloseTo(0.5);
  });

  it("handles missing values and a zero baseline", () => {
    expect(computeChange(null, 3).delta).toBeNull();
    expect(computeChange(5, undefined).improved).toBeNull();
    expect(computeChange(5, 0).relative).toBeNull();
    expect(computeChange(2, 2).direction).toBe("flat");
  });
});

describe("formatChange", () => {
  it("uses percentage points for rates and relative change otherwise", () => {
    expect(formatChange(0.8, 0.75, "rate")).toBe("+5.0 pp");
    expect(formatChange(12, 16, "hours")).toBe("−25 %");
    expect(formatChange(4, 0, "count")).toBe("+4");
    expect(formatChange(null, 1, "count")).toBeNull();
  });
});

describe("previousPeriod", () => {
  it("returns the period of the same length just before", () => {
    expect(previousPeriod({ from: "2026-03-08T00:00:00.000Z", to: "2026-03-15T00:00:00.000Z" })).toEqual({
      from: "2026-03-01T00:00:00.000Z",
      to: "2026-03-08T00:00:00.000Z",
    });
  });
});
