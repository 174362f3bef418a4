/**
 * Colour maps for hand-built heatmaps. Viridis is the default: perceptually uniform, readable in
 * grayscale and by most colour-blind readers, and the map Vega's "viridis" scheme also uses.
 *
 * @module
 */

/** An sRGB colour, 0-255 per channel. */
export type Rgb = readonly [number, number, number];

/** Matplotlib's viridis sampled at 11 evenly spaced points (0, 0.1, ..., 1). */
const VIRIDIS = [
  "#440154",
  "#482475",
  "#414487",
  "#355f8d",
  "#2a788e",
  "#21918c",
  "#22a884",
  "#44bf70",
  "#7ad151",
  "#bddf26",
  "#fde725",
].map(parseHex);

/** Colour for values that are not finite numbers (NaN, infinities). */
export const MISSING_COLOR: Rgb = [204, 204, 204];

function parseHex(hex: string): Rgb {
  const n = parseInt(hex.slice(1), 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

/** `#rrggbb` for an {@link Rgb}. */
export function toHex(color: Rgb): string {
  return "#" + color.map((c) => c.toString(16).padStart(2, "0")).join("");
}

/**
 * Viridis at `t` in [0, 1] (clamped), linearly interpolated between the sample points.
 *
 * @example
 * ```ts
 * import { toHex, viridis } from "./colormap.ts";
 * console.assert(toHex(viridis(0)) === "#440154");
 * ```
 */
export function viridis(t: number): Rgb {
  const x = Math.min(1, Math.max(0, t)) * (VIRIDIS.length - 1);
  const i = Math.min(Math.floor(x), VIRIDIS.length - 2);
  const f = x - i;
  const a = VIRIDIS[i];
  const b = VIRIDIS[i + 1];
  const mix = (k: number) => Math.round(a[k] + (b[k] - a[k]) * f);
  return [mix(0), mix(1), mix(2)];
}
