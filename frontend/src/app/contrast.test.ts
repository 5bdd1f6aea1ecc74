import { describe, expect, it } from "vitest";
import { DEFAULT_THEME } from "@mantine/core";
import { contrastRatio, readableShade } from "./contrast";
import { accessibleLightVariables } from "./theme";

describe("contrast helpers", () => {
  it("computes WCAG contrast ratios", () => {
    expect(contrastRatio("#000000", "#ffffff")).toBeCloseTo(21, 5);
    expect(contrastRatio("#868e96", "#ffffff")).toBeCloseTo(3.32, 2);
  });

  it("keeps a palette shade that already passes, and darkens one that cannot", () => {
    const blue = DEFAULT_THEME.colors.blue;
    expect(readableShade(blue, 6, ["#ffffff"])).toBe(blue[8]);
    const yellow = DEFAULT_THEME.colors.yellow;
    expect(contrastRatio(readableShade(yellow, 6, ["#ffffff"]), "#ffffff")).toBeGreaterThanOrEqual(4.5);
  });
});

describe("theme colour tokens (light scheme)", () => {
  const vars = accessibleLightVariables(DEFAULT_THEME);
  const white = "#ffffff";

  it.each(Object.keys(DEFAULT_THEME.colors))("%s text, outline, light and filled variants reach AA", (name) => {
    const palette = DEFAULT_THEME.colors[name];
    expect(contrastRatio(vars[`--mantine-color-${name}-text`], white)).toBeGreaterThanOrEqual(4.5);
    expect(contrastRatio(vars[`--mantine-color-${name}-outline`], white)).toBeGreaterThanOrEqual(4.5);
    expect(contrastRatio(vars[`--mantine-color-${name}-light-color`], palette[1])).toBeGreaterThanOrEqual(4.5);
    const filled = vars[`--mantine-color-${name}-filled`] ?? palette[6];
    const onFilled = vars[`--mantine-color-${name}-filled`] ? white : "#000000";
    expect(contrastRatio(filled, onFilled)).toBeGreaterThanOrEqual(4.5);
  });

  it("dims secondary text and colours links readably", () => {
    for (const bg of [white, DEFAULT_THEME.colors.gray[0], DEFAULT_THEME.colors.gray[1]]) {
      expect(contrastRatio(vars["--mantine-color-dimmed"], bg)).toBeGreaterThanOrEqual(4.5);
      expect(contrastRatio(vars["--mantine-color-anchor"], bg)).toBeGreaterThanOrEqual(4.5);
    }
  });
});
