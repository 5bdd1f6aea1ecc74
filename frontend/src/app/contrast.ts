/**
 * WCAG 2 contrast helpers used by the theme to make Mantine's colour tokens
 * meet AA (4.5:1) for normal-size text in the light colour scheme.
 */

function channels(hex: string): [number, number, number] {
  const h = hex.replace("#", "");
  const full = h.length === 3 ? [...h].map((c) => c + c).join("") : h.slice(0, 6);
  return [0, 2, 4].map((i) => parseInt(full.slice(i, i + 2), 16)) as [number, number, number];
}

function toHex(rgb: readonly number[]): string {
  return `#${rgb.map((c) => Math.round(Math.min(255, Math.max(0, c))).toString(16).padStart(2, "0")).join("")}`;
}

/** Relative luminance (WCAG 2). */
export function luminanceOf(hex: string): number {
  const [r, g, b] = channels(hex).map((c) => {
    const s = c / 255;
    return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

/** Contrast ratio between two colours, 1–21. */
export function contrastRatio(a: string, b: string): number {
  const [hi, lo] = [luminanceOf(a), luminanceOf(b)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
}

/** Mixes a colour with black; `amount` 0 keeps it, 1 gives black. */
export function darkenHex(hex: string, amount: number): string {
  return toHex(channels(hex).map((c) => c * (1 - amount)));
}

export const AA_TEXT = 4.5;

/**
 * The first shade of `palette`, from index `from` on, that reaches `ratio`
 * against every background; failing that, the darkest shade darkened just
 * enough to reach it.
 */
export function readableShade(
  palette: readonly string[],
  from: number,
  backgrounds: readonly string[],
  ratio = AA_TEXT,
): string {
  const passes = (c: string) => backgrounds.every((bg) => contrastRatio(c, bg) >= ratio);
  for (let i = from; i < palette.length; i++) {
    if (passes(palette[i])) return palette[i];
  }
  const darkest = palette[palette.length - 1];
  for (let amount = 0.02; amount < 1; amount += 0.02) {
    const candidate = darkenHex(darkest, amount);
    if (passes(candidate)) return candidate;
  }
  return "#000000";
}
