/**
 * Shared look of every figure: the font family (the one the PNG renderer loads) and the
 * default sizes of charts.
 *
 * @module
 */

/** The font family every chart names, in hand-built SVG and in the Vega config alike. */
export const FONT_FAMILY = "DejaVu Sans";

/** Default plotting area of an axis-based chart, in SVG pixels. */
export const CHART_SIZE = { width: 360, height: 240 } as const;

/** Default plotting area of one panel of small multiples, in SVG pixels. */
export const PANEL_SIZE = { width: 200, height: 110 } as const;
