/**
 * `adaspring adapt`: replay a context trace through the context monitor, the runtime search on
 * the task's profile, and the live weight evolution (real materialization and session creation,
 * so switch latencies are measured here), into a timeline report and plot.
 *
 * @module
 */
import type { Command } from "@commander-js/extra-typings";
import { join } from "node:path";
import { contextTrace, loadContextConfig } from "../../lib/config/context.ts";
import { createAdapter } from "../../lib/context/adapter.ts";
import { LiveEvolver } from "../../lib/context/evolve_live.ts";
import { ContextMonitor } from "../../lib/context/monitor.ts";
import { replay } from "../../lib/context/replay.ts";
import { timelineFigure } from "../../lib/context/timeline_plot.ts";
import { accuracyMetricName } from "../../lib/data/metrics.ts";
import { writeFigure } from "../../lib/plot/render.ts";
import { measuredHere, modeled } from "../../lib/report/provenance.ts";
import { runDir, writeReport } from "../../lib/report/report.ts";
import { METRIC_HELP, parseMetric, parsePositiveNumber } from "../options.ts";
import { openWorkspace } from "./search_setup.ts";
import { reportedAccuracy } from "../../lib/profile/accuracy_predictor.ts";

type Globals = { seed?: number; out?: string; json?: true };

/** Register `adaspring adapt`. */
export function registerAdaptCommand(program: Command<[], Globals>): void {
  program.command("adapt")
    .description(
      "replay a context trace: monitor with hysteresis, search on the profile, evolve the " +
        "weights live; timeline report and plot",
    )
    .requiredOption("--trace <file>", "context trace YAML (configs/contexts/*.yaml)")
    .requiredOption("--platform <name>", "platform name or path")
    .requiredOption("--task <name>", "task name or path")
    .option("--profile <file>", "profile artifact (default: newest runs/*/profile-<platform>.json)")
    .option("--weights <store>", "weight store the profile was made with (default: as recorded)")
    .option(
      "--rate <n>",
      "inferences per second (default: the trace's workload)",
      parsePositiveNumber,
    )
    .option("--metric <name>", METRIC_HELP, parseMetric, "accuracy" as const)
    .option("--backend <name>", "ONNX Runtime backend: web (WASM) or native", "web")
    .action(async (opts, cmd) => {
      const globals = cmd.optsWithGlobals() as Globals;
      const t0 = performance.now();
      const { config: trace, path: tracePath } = await loadContextConfig(opts.trace);
      const ws = await openWorkspace({ ...opts, seed: globals.seed });
      const adapter = createAdapter(ws.space, ws.predictor, ws.energyRange, trace, {
        pareto: ws.predictor.pareto,
        seed: ws.seed,
      });
      const monitor = new ContextMonitor(adapter, trace.monitor);
      const evolver = new LiveEvolver(ws.store, ws.space, ws.calibration, {
        backend: opts.backend,
        bnCacheDir: ws.bnCacheDir,
      });
      const rate = opts.rate ?? trace.workload.inferencesPerSecond;
      const dir = runDir(globals.out, "adapt");
      await Deno.mkdir(dir, { recursive: true });
      try {
        const timeline = await replay(contextTrace(trace), monitor, {
          inferencesPerSecond: rate,
          evolve: evolver.evolve,
        });
        const records = [...evolver.records];
        const s = ws.predictor.sources;
        const rows = timeline.entries.map((e) => {
          const rec = e.switched ? records.shift() : undefined;
          return {
            t: e.t,
            state: e.state,
            id: e.id,
            predicted: {
              accuracy: modeled(reportedAccuracy(e.metrics.accuracy), "fraction", s.accuracy),
              latencyUnderLoad: modeled(e.effectiveLatencyMs, "ms", s.latency),
              energyPerInference: modeled(e.metrics.energyMj, "mJ", s.energy),
              bytes: modeled(e.metrics.bytes, "B", s.bytes),
            },
            researched: e.researched,
            reason: e.reason,
            switched: e.switched,
            switchReason: e.switchReason,
            switchLatency: measuredHere(e.switchLatencyMs, "ms", "live evolution, this run"),
            ...(rec ? { evolution: { sessionCached: rec.sessionCached, bn: rec.bn } } : {}),
            searchTime: measuredHere(e.searchUs, "us", "this run"),
            energyUsed: modeled(e.energyMj, "mJ", `${s.energy} x ${rate}/s x ${e.intervalS} s`),
            violations: e.violations,
          };
        });
        const dur = timeline.totals.durationS;
        const meanAcc = dur > 0
          ? timeline.entries.reduce((a, e) => a + e.metrics.accuracy * e.intervalS, 0) / dur
          : timeline.entries.reduce((a, e) => a + e.metrics.accuracy, 0) /
            timeline.entries.length;
        const switchMs = timeline.entries.filter((e) => e.switched).map((e) => e.switchLatencyMs);
        const totals = {
          steps: timeline.entries.length,
          switches: timeline.totals.switches,
          searches: timeline.totals.searches,
          stepsWithViolations: timeline.entries.filter((e) => e.violations.length > 0).length,
          violationS: timeline.totals.violationS,
          durationS: dur,
          energy: modeled(timeline.totals.energyMj, "mJ", `${s.energy}, ${rate} inferences/s`),
          meanAccuracyDelivered: modeled(meanAcc, "fraction", `${s.accuracy}, time-weighted`),
          switchLatencyTotal: measuredHere(timeline.totals.switchLatencyMs, "ms", "this run"),
          switchLatencyMax: measuredHere(Math.max(0, ...switchMs), "ms", "this run"),
        };
        const plot = await writeFigure(
          join(dir, "timeline"),
          await timelineFigure(timeline, trace.name),
        );
        const body = {
          task: ws.space.task,
          platform: ws.profile.platform.name,
          profile: ws.profilePath,
          weights: ws.store.origin,
          warnings: ws.profile.warnings ?? [],
          trace: tracePath,
          // What predicted accuracy (and the trace's accuracy floors) means.
          accuracyMetric: ws.predictor.metric,
          inferencesPerSecond: rate,
          totals,
          plot,
          timeline: rows,
        };
        const report = await writeReport(dir, "adapt.json", {
          kind: "adapt",
          seed: ws.seed,
          configPaths: [ws.task.path, ws.platform.path, tracePath],
          timingsMs: { total: performance.now() - t0 },
          body,
        });
        if (globals.json) {
          console.log(JSON.stringify({ ...body, report }, null, 2));
          return;
        }
        const metric = accuracyMetricName(ws.predictor.metric);
        const lines = timeline.entries.map((e) =>
          `  t=${String(e.t).padStart(6)}s bat ${String(e.state.batteryPct).padStart(3)}% ` +
          `${e.switched ? "SWITCH" : "      "} ${e.id}  lat ${
            e.effectiveLatencyMs.toFixed(3)
          } ms ` +
          `${metric} ${e.metrics.accuracy.toFixed(3)}` +
          (e.switched ? `  (${e.switchLatencyMs.toFixed(1)} ms)` : "") +
          (e.violations.length ? `  violates ${e.violations.map((v) => v.constraint)}` : "")
        );
        console.log(
          `adapt ${trace.name} on ${ws.profile.platform.name} (${ws.space.task}); profile ` +
            `${ws.profilePath}\n${lines.join("\n")}\n` +
            `totals: ${totals.switches} switches in ${totals.steps} steps, ${totals.searches} ` +
            `searches, ${totals.stepsWithViolations} steps with violations ` +
            `(${totals.violationS} s), energy ${(totals.energy.value / 1000).toFixed(2)} J ` +
            `(modeled), mean ${metric} ${meanAcc.toFixed(4)} (modeled), switch latency total ` +
            `${totals.switchLatencyTotal.value.toFixed(1)} ms, max ` +
            `${totals.switchLatencyMax.value.toFixed(1)} ms (measured here)\n` +
            `plot: ${plot.svg}, ${plot.png}\nreport: ${report}`,
        );
      } finally {
        await evolver.close();
      }
    });
}
