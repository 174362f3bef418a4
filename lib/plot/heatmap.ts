/**
 * Small multiples of heatmaps (e.g. log-mel spectrograms per class) with a shared colour bar, as
 * hand-built SVG.
 *
 * Why not Vega-Lite: a faceted `rect` heatmap of 8 x 40 x 100 cells took 0.4 s to lay out, made
 * a 5.2 MB SVG and 0.7 s more to rasterize on a 2-core machine. Here each panel is one colour-
 * mapped PNG (see png.ts) upscaled by whole factors, which is kilobytes and milliseconds.
 *
 * @module
 */
import { MISSING_COLOR, toHex, viridis } from "./colormap.ts";
import { pngDataUri } from "./png.ts";
import { image, num, svgDocument, text } from "./svg.ts";
import { PANEL_SIZE } from "./theme.ts";

/** One panel of a {@link heatmapGrid}. */
export interface HeatmapPanel {
  /** Row-major values: `values[r * cols + c]`; non-finite values are drawn gray. */
  values: Float32Array;
  rows: number;
  cols: number;
  /** Caption above the panel. */
  label: string;
}

/** Options of {@link heatmapGrid}. */
export interface HeatmapGridOptions {
  /** Panels per row. */
  columns: number;
  title?: string;
  /**
   * Target panel size in SVG pixels (default {@link PANEL_SIZE}). Each cell is drawn as a whole
   * number of pixels (at least one), so a panel is never smaller than `cols` x `rows`.
   */
  panelWidth?: number;
  panelHeight?: number;
  /** Values at the ends of the colour scale; default the min and max over all panels. */
  valueRange?: [number, number];
  /** Where row 0 is drawn: "bottom" (default; low frequencies low, as in spectrograms) or "top". */
  origin?: "bottom" | "top";
  /** Caption under the grid (e.g. "frame"). */
  xTitle?: string;
  /** Caption left of the grid, rotated (e.g. "mel bin"). */
  yTitle?: string;
  /** Caption above the colour bar (e.g. "log power"). */
  legendTitle?: string;
}

const GAP = 10;
const LABEL_HEIGHT = 16;
const TITLE_HEIGHT = 28;
const AXIS_TITLE = 18;
const BAR_WIDTH = 12;
const LEGEND_WIDTH = 70;

function validate(panels: HeatmapPanel[], opts: HeatmapGridOptions): void {
  if (panels.length === 0) throw new RangeError("heatmapGrid: no panels");
  if (!Number.isInteger(opts.columns) || opts.columns < 1) {
    throw new RangeError(`heatmapGrid: columns must be a positive integer, got ${opts.columns}`);
  }
  for (const [i, p] of panels.entries()) {
    if (!(p.rows >= 1 && p.cols >= 1) || p.values.length !== p.rows * p.cols) {
      throw new RangeError(
        `heatmapGrid: panel ${i} ("${p.label}") has ${p.values.length} values, expected ` +
          `${p.rows}x${p.cols}`,
      );
    }
  }
}

/** Min and max of the finite values of all panels; [0, 1] when there are none. */
function finiteRange(panels: HeatmapPanel[]): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const p of panels) {
    for (const v of p.values) {
      if (Number.isFinite(v)) {
        if (v < lo) lo = v;
        if (v > hi) hi = v;
      }
    }
  }
  return lo <= hi ? [lo, hi] : [0, 1];
}

/** Tick text with 3 significant digits, without trailing zeros. */
function tick(v: number): string {
  return String(Number(v.toPrecision(3)));
}

function panelImage(
  p: HeatmapPanel,
  fx: number,
  fy: number,
  range: [number, number],
  bottomUp: boolean,
): string {
  const [lo, hi] = range;
  const span = hi > lo ? hi - lo : 1;
  const width = p.cols * fx;
  const height = p.rows * fy;
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    const r = bottomUp ? p.rows - 1 - Math.floor(y / fy) : Math.floor(y / fy);
    for (let x = 0; x < width; x++) {
      const v = p.values[r * p.cols + Math.floor(x / fx)];
      const color = Number.isFinite(v) ? viridis((v - lo) / span) : MISSING_COLOR;
      data.set(color, (y * width + x) * 3);
    }
  }
  return pngDataUri({ width, height, channels: 3, data });
}

function legend(x: number, y: number, height: number, range: [number, number], title?: string) {
  const stops = Array.from({ length: 11 }, (_, i) => {
    const t = i / 10;
    return `<stop offset="${t}" stop-color="${toHex(viridis(t))}"/>`;
  });
  const [lo, hi] = range;
  const ticks = [0, 0.5, 1].map((t) =>
    text(x + BAR_WIDTH + 4, y + height * (1 - t) + 4, tick(lo + (hi - lo) * t), { size: 10 })
  );
  return [
    `<defs><linearGradient id="heatmap-scale" x1="0" y1="1" x2="0" y2="0">` +
    stops.join("") + `</linearGradient></defs>`,
    `<rect x="${x}" y="${y}" width="${BAR_WIDTH}" height="${num(height)}" ` +
    `fill="url(#heatmap-scale)" stroke="#888" stroke-width="0.5"/>`,
    ...ticks,
    title ? text(x, y - 6, title, { size: 10 }) : "",
  ];
}

/**
 * Draw heatmaps in a grid, `columns` per row, on one shared colour scale (viridis).
 *
 * @example
 * ```ts
 * import { heatmapGrid } from "./heatmap.ts";
 * const values = new Float32Array(40 * 100).map((_, i) => Math.sin(i / 50));
 * const svg = heatmapGrid([{ values, rows: 40, cols: 100, label: "dog" }], { columns: 4 });
 * console.assert(svg.includes("dog"));
 * ```
 */
export function heatmapGrid(panels: HeatmapPanel[], opts: HeatmapGridOptions): string {
  validate(panels, opts);
  const range = opts.valueRange ?? finiteRange(panels);
  const maxRows = Math.max(...panels.map((p) => p.rows));
  const maxCols = Math.max(...panels.map((p) => p.cols));
  const fx = Math.max(1, Math.round((opts.panelWidth ?? PANEL_SIZE.width) / maxCols));
  const fy = Math.max(1, Math.round((opts.panelHeight ?? PANEL_SIZE.height) / maxRows));
  const cellW = maxCols * fx;
  const cellH = maxRows * fy;
  const columns = Math.min(opts.columns, panels.length);
  const rows = Math.ceil(panels.length / columns);
  const left = GAP + (opts.yTitle ? AXIS_TITLE : 0);
  const top = opts.title ? TITLE_HEIGHT : GAP;
  const gridW = columns * (cellW + GAP);
  const gridH = rows * (cellH + LABEL_HEIGHT + GAP);
  const width = left + gridW + LEGEND_WIDTH;
  const height = top + gridH + (opts.xTitle ? AXIS_TITLE : 0) + GAP;
  const body: string[] = [];
  if (opts.title) body.push(text(width / 2, 19, opts.title, { size: 14, anchor: "middle" }));
  for (const [i, p] of panels.entries()) {
    const x = left + (i % columns) * (cellW + GAP);
    const y = top + Math.floor(i / columns) * (cellH + LABEL_HEIGHT + GAP);
    body.push(text(x + cellW / 2, y + 12, p.label, { size: 11, anchor: "middle" }));
    const src = panelImage(p, fx, fy, range, opts.origin !== "top");
    body.push(image(x, y + LABEL_HEIGHT, p.cols * fx, p.rows * fy, src));
  }
  if (opts.yTitle) {
    const cy = top + gridH / 2;
    body.push(
      `<g transform="translate(${GAP + 10},${num(cy)}) rotate(-90)">` +
        text(0, 0, opts.yTitle, { size: 11, anchor: "middle" }) + `</g>`,
    );
  }
  if (opts.xTitle) {
    body.push(
      text(left + gridW / 2, top + gridH + 12, opts.xTitle, { size: 11, anchor: "middle" }),
    );
  }
  const barH = Math.min(gridH - GAP, Math.max(cellH, 120));
  body.push(...legend(left + gridW + 6, top + LABEL_HEIGHT + 12, barH, range, opts.legendTitle));
  return svgDocument(width, height, body);
}
