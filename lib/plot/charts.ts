/**
 * Axis-based charts built as Vega-Lite specs and rendered to SVG: signal traces, scatter plots,
 * bar charts and timelines. Each builder is a pure function of its data (same input, byte-equal
 * SVG); categories, groups and panels keep the order in which they first appear in the input.
 *
 * @module
 */
import type { TopLevelSpec } from "vega-lite";
import { renderVegaLite } from "./render.ts";
import { CHART_SIZE, PANEL_SIZE } from "./theme.ts";

/** Titles and plotting-area size shared by the single-panel charts. */
export interface ChartOptions {
  title?: string;
  xTitle?: string;
  yTitle?: string;
  /** Plotting area in SVG pixels (default {@link CHART_SIZE}). */
  width?: number;
  height?: number;
}

/** Values in order of first appearance, for explicit (hence stable) scale domains. */
function firstSeen(values: Iterable<string>): string[] {
  return [...new Set(values)];
}

function titled(title: string | undefined): { title?: string } {
  return title === undefined ? {} : { title };
}

/** One panel of {@link lineTraces}: named series drawn against the sample index. */
export interface TracePanel {
  label: string;
  series: { name: string; values: ArrayLike<number> }[];
}

/** Options of {@link lineTraces}. */
export interface LineTracesOptions {
  /** Panels per row (default 4). */
  columns?: number;
  title?: string;
  /** Axis titles (default "sample" and "value"). */
  xTitle?: string;
  yTitle?: string;
  /** One y scale for all panels (default true); false gives each panel its own. */
  sharedY?: boolean;
  /** Panel plotting area in SVG pixels (default {@link PANEL_SIZE}). */
  width?: number;
  height?: number;
}

/**
 * Small multiples of signal traces, e.g. 3-axis accelerometer windows per activity. Panel labels
 * must be unique.
 *
 * @example
 * ```ts
 * import { lineTraces } from "./charts.ts";
 * const svg = await lineTraces([
 *   { label: "walk", series: [{ name: "x", values: [0, 1, 0, -1] }] },
 * ], { columns: 2 });
 * console.assert(svg.includes("walk"));
 * ```
 */
export function lineTraces(panels: TracePanel[], opts: LineTracesOptions = {}): Promise<string> {
  const labels = panels.map((p) => p.label);
  if (new Set(labels).size !== labels.length) {
    throw new RangeError(`lineTraces: panel labels must be unique, got ${labels.join(", ")}`);
  }
  const values = panels.flatMap((p) =>
    p.series.flatMap((s) =>
      Array.from(s.values, (value, i) => ({ panel: p.label, series: s.name, i, value }))
    )
  );
  const spec: TopLevelSpec = {
    ...titled(opts.title),
    data: { values },
    columns: opts.columns ?? 4,
    facet: { field: "panel", type: "nominal", sort: labels, title: null },
    spec: {
      width: opts.width ?? PANEL_SIZE.width,
      height: opts.height ?? PANEL_SIZE.height,
      mark: { type: "line", strokeWidth: 1.2 },
      encoding: {
        x: { field: "i", type: "quantitative", title: opts.xTitle ?? "sample" },
        // Signals hover away from zero (humidity near 45 %): fit the axis to the data.
        y: {
          field: "value",
          type: "quantitative",
          title: opts.yTitle ?? "value",
          scale: { zero: false },
        },
        color: {
          field: "series",
          type: "nominal",
          title: null,
          scale: { domain: firstSeen(panels.flatMap((p) => p.series.map((s) => s.name))) },
        },
      },
    },
    resolve: { scale: { y: opts.sharedY === false ? "independent" : "shared" } },
  };
  return renderVegaLite(spec);
}

/** One point of a {@link scatter} plot. */
export interface ScatterPoint {
  x: number;
  y: number;
  /** Colour group (e.g. method name); legend entries keep first-seen order. */
  group?: string;
  /** Text drawn next to the point (e.g. a configuration id). */
  label?: string;
}

/** Options of {@link scatter}. */
export interface ScatterOptions extends ChartOptions {
  xTitle: string;
  yTitle: string;
  /** Draw the line y = x (for predicted-vs-measured plots). */
  diagonal?: boolean;
  /** Logarithmic axes; every x (or y) must then be positive. */
  logX?: boolean;
  logY?: boolean;
}

/**
 * A scatter plot, optionally grouped by colour, with point labels and a y = x diagonal.
 *
 * @example
 * ```ts
 * import { scatter } from "./charts.ts";
 * const svg = await scatter([{ x: 1, y: 1.1 }, { x: 2, y: 1.9 }], {
 *   xTitle: "measured (ms)", yTitle: "predicted (ms)", diagonal: true,
 * });
 * console.assert(svg.includes("predicted (ms)"));
 * ```
 */
export function scatter(points: ScatterPoint[], opts: ScatterOptions): Promise<string> {
  const groups = firstSeen(points.flatMap((p) => (p.group === undefined ? [] : [p.group])));
  // Fit the axes to the data: accuracy and latency fronts rarely reach zero.
  const xScale = opts.logX ? { type: "log" } as const : { zero: false };
  const yScale = opts.logY ? { type: "log" } as const : { zero: false };
  const x = { field: "x", type: "quantitative", title: opts.xTitle, scale: xScale } as const;
  const y = { field: "y", type: "quantitative", title: opts.yTitle, scale: yScale } as const;
  const color = groups.length > 0
    ? {
      color: { field: "group", type: "nominal", title: null, scale: { domain: groups } },
    } as const
    : {};
  const layers: NonNullable<Extract<TopLevelSpec, { layer: unknown }>["layer"]> = [];
  if (opts.diagonal && points.length > 0) {
    const all = points.flatMap((p) => [p.x, p.y]);
    const ends = [Math.min(...all), Math.max(...all)].map((v) => ({ x: v, y: v }));
    layers.push({
      data: { values: ends },
      mark: { type: "line", color: "#999", strokeDash: [4, 3] },
      encoding: { x, y },
    });
  }
  layers.push({ mark: { type: "point", filled: true, size: 40 }, encoding: { x, y, ...color } });
  if (points.some((p) => p.label !== undefined)) {
    layers.push({
      transform: [{ filter: "datum.label != null" }],
      mark: { type: "text", align: "left", dx: 5, dy: -4, fontSize: 9 },
      encoding: { x, y, text: { field: "label" }, ...color },
    });
  }
  const spec: TopLevelSpec = {
    ...titled(opts.title),
    width: opts.width ?? CHART_SIZE.width,
    height: opts.height ?? CHART_SIZE.height,
    data: { values: points.map((p) => ({ ...p })) },
    layer: layers,
  };
  return renderVegaLite(spec);
}

/** One bar of {@link bars}. */
export interface BarRow {
  category: string;
  /** Bars of the same category are drawn side by side, coloured by group. */
  group?: string;
  value: number;
}

/** Options of {@link bars}. */
export interface BarsOptions extends ChartOptions {
  /** Logarithmic value axis; every value must then be positive. */
  logY?: boolean;
}

/**
 * A bar chart; with groups, a grouped bar chart (one bar per group within each category).
 *
 * @example
 * ```ts
 * import { bars } from "./charts.ts";
 * const svg = await bars([{ category: "pi4", group: "adaptive", value: 3.1 }], { yTitle: "speed-up" });
 * console.assert(svg.includes("pi4"));
 * ```
 */
export function bars(rows: BarRow[], opts: BarsOptions = {}): Promise<string> {
  const groups = firstSeen(rows.flatMap((r) => (r.group === undefined ? [] : [r.group])));
  const grouped = groups.length > 0
    ? {
      xOffset: { field: "group", type: "nominal", scale: { domain: groups } },
      color: { field: "group", type: "nominal", title: null, scale: { domain: groups } },
    } as const
    : {};
  const spec: TopLevelSpec = {
    ...titled(opts.title),
    width: opts.width ?? CHART_SIZE.width,
    height: opts.height ?? CHART_SIZE.height,
    data: { values: rows.map((r) => ({ ...r })) },
    mark: { type: "bar" },
    encoding: {
      x: {
        field: "category",
        type: "nominal",
        sort: firstSeen(rows.map((r) => r.category)),
        title: opts.xTitle ?? null,
        axis: { labelAngle: 0 },
      },
      y: {
        field: "value",
        type: "quantitative",
        title: opts.yTitle ?? "value",
        scale: { type: opts.logY ? "log" : "linear" },
      },
      ...grouped,
    },
  };
  return renderVegaLite(spec);
}

/** One sample of a {@link timeline}. */
export interface TimelinePoint {
  t: number;
  value: number;
  /** Name of the line this sample belongs to. */
  series: string;
}

/** Options of {@link timeline}. */
export interface TimelineOptions extends ChartOptions {
  /** Hold each value until the next sample (for context traces and chosen configurations). */
  step?: boolean;
}

/**
 * Lines over time, one per series (e.g. battery level and latency budget of a context trace).
 *
 * @example
 * ```ts
 * import { timeline } from "./charts.ts";
 * const svg = await timeline([{ t: 0, value: 1, series: "battery" }], { xTitle: "hour" });
 * console.assert(svg.includes("battery"));
 * ```
 */
export function timeline(series: TimelinePoint[], opts: TimelineOptions = {}): Promise<string> {
  const spec: TopLevelSpec = {
    ...titled(opts.title),
    width: opts.width ?? CHART_SIZE.width,
    height: opts.height ?? CHART_SIZE.height,
    data: { values: series.map((s) => ({ ...s })) },
    mark: { type: "line", interpolate: opts.step ? "step-after" : "linear" },
    encoding: {
      x: { field: "t", type: "quantitative", title: opts.xTitle ?? "time" },
      y: { field: "value", type: "quantitative", title: opts.yTitle ?? "value" },
      color: {
        field: "series",
        type: "nominal",
        title: null,
        scale: { domain: firstSeen(series.map((s) => s.series)) },
      },
    },
  };
  return renderVegaLite(spec);
}
