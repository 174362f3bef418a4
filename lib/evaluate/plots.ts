/**
 * The evaluation's plots (SVG + PNG): per task and platform, accuracy against latency with the
 * predicted Pareto set, the hand-crafted baselines and AdaSpring's matches; per platform, energy
 * per inference of each baseline beside its match; per task and trace, the case study's
 * latency under load against the context's latency demand.
 *
 * @module
 */
import { join } from "node:path";
import { contextTrace, loadContextConfig } from "../config/context.ts";
import { shippedOrGiven } from "../util/paths.ts";
import { bars, scatter, timeline, type TimelinePoint } from "../plot/charts.ts";
import { writeFigure } from "../plot/render.ts";
import type { EvaluationBody } from "./run.ts";

/** Written plot files by name (paths relative to the output directory). */
export type PlotIndex = Record<string, { svg: string; png: string }>;

/** Platform whose case study is plotted: the first modeled device, else the first. */
export function caseStudyPlatform(body: Pick<EvaluationBody, "suite">): string {
  return body.suite.platforms.find((p) => p !== "host") ?? body.suite.platforms[0];
}

/** Render every plot of `body` into `outDir/plots/`. */
export async function writePlots(outDir: string, body: EvaluationBody): Promise<PlotIndex> {
  const dir = join(outDir, "plots");
  await Deno.mkdir(dir, { recursive: true });
  const index: PlotIndex = {};
  const put = async (name: string, svg: string) => {
    const p = await writeFigure(join(dir, name), svg);
    index[name] = { svg: `plots/${name}.svg`, png: `plots/${name}.png` };
    return p;
  };
  for (const t of body.tasks) {
    for (const p of t.platforms) {
      // The Pareto set is on the metric AdaSpring deployed by; the rows are plotted on the same.
      const balanced = p.accuracyMetric === "balancedAccuracy";
      const what = balanced ? "balanced accuracy" : "accuracy";
      const y = (r: (typeof p.rows)[number]) =>
        100 * (balanced ? r.balancedAccuracy?.value ?? NaN : r.accuracy.value);
      const points = [
        ...p.pareto.map((x) => ({
          x: x.latencyMs,
          y: 100 * x.accuracy,
          group: "Pareto set (predicted)",
        })),
        ...p.rows.filter((r) => r.family === "hand-crafted").map((r) => ({
          x: r.latency.value,
          y: y(r),
          group: `hand-crafted (measured ${what})`,
          label: r.name,
        })),
        ...p.rows.filter((r) => r.family === "adaspring").map((r) => ({
          x: r.latency.value,
          y: y(r),
          group: `AdaSpring match (measured ${what})`,
        })),
      ].filter((pt) => Number.isFinite(pt.y));
      await put(
        `pareto-${t.task}-${p.platform}`,
        await scatter(points, {
          title: `${t.task} on ${p.platform}: ${what} vs latency (${p.latencyProvenance})`,
          xTitle: "latency (ms)",
          yTitle: `test ${what} (%)`,
          logX: true,
        }),
      );
    }
  }
  const platforms = [...new Set(body.tasks.flatMap((t) => t.platforms.map((p) => p.platform)))];
  for (const platform of platforms) {
    const rows = [];
    for (const t of body.tasks) {
      const p = t.platforms.find((x) => x.platform === platform);
      if (!p) continue;
      const byName = new Map(p.rows.map((r) => [r.name, r]));
      for (const c of p.comparisons) {
        const base = byName.get(c.baseline)!;
        rows.push({
          category: `${t.task}/${c.baseline}`,
          group: "baseline",
          value: base.energy.value,
        });
        if (c.adaspring) {
          rows.push({
            category: `${t.task}/${c.baseline}`,
            group: "AdaSpring match",
            value: byName.get(c.adaspring)!.energy.value,
          });
        }
      }
    }
    if (rows.length === 0) continue;
    await put(
      `energy-${platform}`,
      await bars(rows, {
        title: `Energy per inference on ${platform} (modeled)`,
        yTitle: "mJ per inference (log)",
        logY: true,
        width: Math.max(480, rows.length * 18),
      }),
    );
  }
  const studied = caseStudyPlatform(body);
  for (const t of body.tasks) {
    const p = t.platforms.find((x) => x.platform === studied);
    for (const s of p?.caseStudy ?? []) {
      const name = s.trace.replace(/^.*\//, "").replace(/\.ya?ml$/, "");
      const series: TimelinePoint[] = [];
      const adaptive = s.accounts.find((a) => a.adaptive)!;
      for (
        const a of s.accounts.filter((x) =>
          x.adaptive || x.model === "backbone" ||
          x.model === "width-0.5"
        )
      ) {
        for (const e of a.timeline) series.push({ t: e.t, value: e.latencyMs, series: a.model });
      }
      // The demand: each entry's latency bound, from the adaptive timeline's states.
      const demand = await demandSeries(s.trace);
      series.push(...demand);
      if (adaptive.timeline.length === 0) continue;
      await put(
        `case-${t.task}-${name}`,
        await timeline(series, {
          title: `${t.task} on ${studied}, trace ${name}: latency under load vs demand`,
          xTitle: "time (s)",
          yTitle: "ms (modeled)",
          step: true,
        }),
      );
    }
  }
  return index;
}

/** The latency demand of a trace, read back from its file. */
async function demandSeries(tracePath: string): Promise<TimelinePoint[]> {
  const trace = contextTrace((await loadContextConfig(shippedOrGiven(tracePath))).config);
  return trace.map((e) => ({ t: e.t, value: e.latencyMs, series: "latency demand" }));
}
