/**
 * The adaptation timeline as a figure: three stacked panels over time (hours) sharing the x
 * axis: the battery level, the active model's predicted effective latency against the latency
 * demand, and its predicted accuracy against the floor. Switches are vertical rules in every
 * panel. Values are held until the next trace entry (step lines), as the replay accounts them.
 *
 * @module
 */
import type { TopLevelSpec } from "vega-lite";
import { renderVegaLite } from "../plot/render.ts";
import type { Timeline } from "./replay.ts";

const PANEL = { width: 520, height: 120 } as const;

/**
 * Render `timeline` as SVG (write it with `writeFigure` for SVG + PNG).
 *
 * @example
 * ```ts ignore
 * import { timelineFigure } from "./timeline_plot.ts";
 * import { writeFigure } from "../plot/render.ts";
 * await writeFigure("runs/adapt/timeline", await timelineFigure(timeline, "battery-day"));
 * ```
 */
export function timelineFigure(timeline: Timeline, title: string): Promise<string> {
  const hour = (t: number) => t / 3600;
  const rows = timeline.entries.flatMap((e) => [
    { t: hour(e.t), panel: "battery", series: "battery %", value: e.state.batteryPct },
    {
      t: hour(e.t),
      panel: "latency",
      series: "predicted latency under load (ms)",
      value: e.effectiveLatencyMs,
    },
    { t: hour(e.t), panel: "latency", series: "latency demand (ms)", value: e.state.latencyMs },
    { t: hour(e.t), panel: "accuracy", series: "predicted accuracy", value: e.metrics.accuracy },
    { t: hour(e.t), panel: "accuracy", series: "accuracy floor", value: e.state.minAccuracy },
  ]);
  const switches = timeline.entries.filter((e) => e.switched).map((e) => ({ t: hour(e.t) }));
  const panel = (name: string, yTitle: string) => ({
    width: PANEL.width,
    height: PANEL.height,
    layer: [
      {
        data: { values: rows.filter((r) => r.panel === name) },
        mark: { type: "line" as const, interpolate: "step-after" as const },
        encoding: {
          x: { field: "t", type: "quantitative" as const, title: "hours" },
          y: { field: "value", type: "quantitative" as const, title: yTitle },
          color: { field: "series", type: "nominal" as const, title: null },
        },
      },
      {
        data: { values: switches },
        mark: { type: "rule" as const, strokeDash: [3, 3], color: "#888" },
        encoding: { x: { field: "t", type: "quantitative" as const } },
      },
    ],
  });
  const spec = {
    title: `${title}: adaptation timeline (dashed: switches; predictions are modeled)`,
    vconcat: [
      panel("battery", "battery %"),
      panel("latency", "ms"),
      panel("accuracy", "accuracy"),
    ],
    resolve: { scale: { color: "independent" } },
  } as TopLevelSpec;
  return renderVegaLite(spec);
}
