/**
 * Figures for every stage: chart builders that return SVG strings, and rendering to PNG.
 *
 * @example
 * ```ts
 * import { scatter, writeFigure } from "./mod.ts";
 * const svg = await scatter([{ x: 1, y: 2 }], { xTitle: "latency (ms)", yTitle: "accuracy" });
 * const dir = await Deno.makeTempDir();
 * const { png } = await writeFigure(`${dir}/front`, svg);
 * console.assert(png.endsWith("front.png"));
 * ```
 *
 * @module
 */
export * from "./charts.ts";
export * from "./heatmap.ts";
export * from "./images.ts";
export * from "./render.ts";
export { FONT_FAMILY } from "./theme.ts";
export { encodePng, type PngInfo, pngInfo, type Raster } from "./png.ts";
