import {
  createTheme,
  defaultVariantColorsResolver,
  isVirtualColor,
  parseThemeColor,
  type CSSVariablesResolver,
  type MantineTheme,
  type VariantColorsResolver,
} from "@mantine/core";
import { darkenHex, readableShade } from "./contrast";

/** Colours whose filled surfaces keep their bright shade and carry dark text. */
const DARK_TEXT_ON_FILLED = new Set(["yellow", "lime"]);

/**
 * Light-scheme colour tokens that reach WCAG AA (4.5:1) for normal text.
 * Mantine's defaults (e.g. blue-6 links, green-6 filled badges with white text,
 * gray-6 "dimmed" text) fall short; this picks the first palette shade that
 * passes, or darkens the darkest shade just enough.
 */
export function accessibleLightVariables(theme: MantineTheme): Record<string, string> {
  const white = theme.white;
  const gray = theme.colors.gray;
  const surfaces = [white, gray[0], gray[1]];
  const vars: Record<string, string> = {};
  const from = typeof theme.primaryShade === "number" ? theme.primaryShade : theme.primaryShade.light;

  for (const [name, palette] of Object.entries(theme.colors)) {
    if (isVirtualColor(palette)) continue;
    const text = readableShade(palette, from, surfaces);
    vars[`--mantine-color-${name}-text`] = text;
    vars[`--mantine-color-${name}-outline`] = text;
    vars[`--mantine-color-${name}-light-color`] = readableShade(palette, 9, [palette[1], palette[2]]);
    if (!DARK_TEXT_ON_FILLED.has(name)) {
      const filled = readableShade(palette, from, [white]);
      vars[`--mantine-color-${name}-filled`] = filled;
      vars[`--mantine-color-${name}-filled-hover`] = darkenHex(filled, 0.1);
    }
  }
  vars["--mantine-color-dimmed"] = readableShade([gray[6]], 0, surfaces);
  vars["--mantine-color-anchor"] = vars[`--mantine-color-${theme.primaryColor}-text`];
  vars["--mantine-color-error"] = vars["--mantine-color-red-text"];
  return vars;
}

const cssVariablesResolver: CSSVariablesResolver = (theme) => ({
  variables: {},
  light: accessibleLightVariables(theme),
  dark: {},
});

const variantColorResolver: VariantColorsResolver = (input) => {
  const result = defaultVariantColorsResolver(input);
  if (input.variant === "filled" && input.color) {
    const parsed = parseThemeColor({ color: input.color, theme: input.theme });
    if (parsed.isThemeColor && DARK_TEXT_ON_FILLED.has(parsed.color)) {
      return { ...result, color: "var(--mantine-color-black)" };
    }
  }
  return result;
};

export const theme = createTheme({
  primaryColor: "blue",
  defaultRadius: "md",
  fontFamily:
    "Inter, system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, 'Noto Sans', sans-serif",
  headings: { fontWeight: "650" },
  variantColorResolver,
  components: {
    Notification: {
      defaultProps: { closeButtonProps: { "aria-label": "Dismiss notification" } },
    },
    // Mantine's close button is an icon alone: without a label a screen reader says "button".
    Modal: {
      defaultProps: { closeButtonProps: { "aria-label": "Close" } },
    },
  },
});

export { cssVariablesResolver };
