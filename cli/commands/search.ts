/**
 * `adaspring search`: answer one context with a configuration of a task's supernet, from the
 * task's profile on a platform, and evolve its weights into a ready session; and
 * `adaspring adapt` (see `adapt.ts`): replay a context trace.
 *
 * An **infeasible** context is an answer, not an error: the command prints the closest
 * configuration (the one that breaks the constraints least), which constraint cannot be met and
 * by how much, and exits 0 with `status: infeasible` (`feasible: false` in the JSON). A caller
 * that must have a feasible model checks the status; a non-zero exit is kept for bad input and
 * stale profiles, which need the user to act.
 *
 * @module
 */
import type { Command } from "@commander-js/extra-typings";
import { InvalidArgumentError } from "@commander-js/extra-typings";
import { mapContext } from "../../lib/context/constraints.ts";
import { LiveEvolver } from "../../lib/context/evolve_live.ts";
import { measureRuntimeEvolution } from "../../lib/context/evolve_timing.ts";
import { measuredHere, modeled } from "../../lib/report/provenance.ts";
import { runDir, writeReport } from "../../lib/report/report.ts";
import { timeRuns, timingStats } from "../../lib/runtime/stats.ts";
import { measureLatency } from "../../lib/search/latency.ts";
import { optimalityExperiment } from "../../lib/search/optimality.ts";
import { search } from "../../lib/search/search.ts";
import type { Algorithm, SearchResult } from "../../lib/search/types.ts";
import { calibrateBn } from "../../lib/supernet/bn_calibration.ts";
import {
  checkInRuntime,
  exportSidecar,
  exportSubnet,
  measureAccuracy,
  writeExport,
} from "../../lib/supernet/export.ts";
import { METRIC_HELP, parseMetric, parsePositiveInt, parsePositiveNumber } from "../options.ts";
import { registerAdaptCommand } from "./adapt.ts";
import { chooseContext, openWorkspace, type Workspace } from "./search_setup.ts";
import { describeViolation, optimalityBody, resultLines } from "./search_output.ts";
import { reportedAccuracy } from "../../lib/profile/accuracy_predictor.ts";

type Globals = { seed?: number; out?: string; json?: true };

const ALGORITHMS: readonly Algorithm[] = ["pareto", "evolution", "greedy", "random", "exhaustive"];

function parseAlgorithm(v: string): Algorithm {
  if ((ALGORITHMS as readonly string[]).includes(v)) return v as Algorithm;
  throw new InvalidArgumentError(`expected one of ${ALGORITHMS.join(", ")}, got "${v}".`);
}

function parseNumber(v: string): number {
  const n = Number(v);
  if (!Number.isFinite(n)) throw new InvalidArgumentError(`expected a number, got "${v}".`);
  return n;
}

/** Register `adaspring search` and `adaspring adapt`. */
export function registerSearchCommands(program: Command<[], Globals>): void {
  program.command("search")
    .description(
      "choose the configuration of a task's supernet for a platform and a context, from its " +
        "profile, and evolve its weights (optionally export and verify it)",
    )
    .requiredOption("--platform <name>", "platform name (configs/platforms/<name>.yaml) or path")
    .requiredOption("--task <name>", "task name (configs/tasks/<name>.yaml) or path")
    .option("--context <file>", "context YAML (a snapshot; a trace's first state)")
    .option("--battery <pct>", "battery level, percent", parseNumber)
    .option("--latency-ms <ms>", "the app's latency demand, ms", parseNumber)
    .option("--storage-mb <mb>", "free storage, MB", parseNumber)
    .option("--cpu-share <x>", "share of the CPU other apps take, 0..1", parseNumber)
    .option("--min-accuracy <a>", "accuracy floor, 0..1", parseNumber)
    .option("--profile <file>", "profile artifact (default: newest runs/*/profile-<platform>.json)")
    .option("--weights <store>", "weight store the profile was made with (default: as recorded)")
    .option("--algorithm <name>", `search algorithm: ${ALGORITHMS.join(", ")}`, parseAlgorithm)
    .option("--budget-ms <ms>", "time budget of the bounded searches", parsePositiveNumber, 5)
    .option("--export <file>", "write the evolved model (.onnx, with a .json sidecar)")
    .option("--verify", "measure the chosen model's latency and test accuracy here")
    .option("--repeat <n>", "also time search + weight evolution over n runs", parsePositiveInt)
    .option(
      "--optimality <n>",
      "also compare with exhaustive search on n random contexts",
      parsePositiveInt,
    )
    .option("--metric <name>", METRIC_HELP, parseMetric, "accuracy" as const)
    .option("--backend <name>", "ONNX Runtime backend: web (WASM) or native", "web")
    .action(async (opts, cmd) => {
      const globals = cmd.optsWithGlobals() as Globals;
      const t0 = performance.now();
      const ctx = await chooseContext(opts);
      const ws = await openWorkspace({ ...opts, seed: globals.seed });
      const { constraints, objective } = mapContext(ctx.state, ws.energyRange, ctx.knobs);
      const options = {
        algorithm: opts.algorithm,
        pareto: ws.predictor.pareto,
        timeBudgetMs: opts.budgetMs,
        seed: ws.seed,
      };
      const once = () => search(ws.space, ws.predictor, constraints, objective, options);
      const r = once();
      const searchRuns = r.algorithm === "exhaustive" ? 5 : 500;
      const lat = measureLatency(once, { runs: searchRuns, warmup: Math.min(50, searchRuns) });
      const evolver = new LiveEvolver(ws.store, ws.space, ws.calibration, {
        backend: opts.backend,
        bnCacheDir: ws.bnCacheDir,
      });
      try {
        const evolved = await evolver.materialize(r.config, r.id);
        const body: Record<string, unknown> = {
          ...resultBody(ws, ctx, r),
          constraints,
          objective: {
            accuracyWeight: objective.accuracyWeight,
            energyWeight: objective.energyWeight,
          },
          searchTime: {
            thisRun: measuredHere(r.elapsedUs, "us", `one ${r.algorithm} search`),
            p50: measuredHere(lat.p50Us, "us", `${searchRuns} searches, warm process`),
            p99: measuredHere(lat.p99Us, "us", `${searchRuns} searches, warm process`),
          },
          evolution: evolutionBody(evolved.record),
          startup: {
            lowRankSvd: measuredHere(
              ws.lowRankPrecompute.ms,
              "ms",
              `SVD of ${ws.lowRankPrecompute.computed} low-rank slices when the workspace ` +
                "opened (once per process, so no evolution pays it)",
            ),
            runtime: measuredHere(
              ws.runtimeInitMs,
              "ms",
              "onnxruntime-web initialised and one model of the space run once when the workspace " +
                "opened, as in an app already running a model",
            ),
            bnStatistics: measuredHere(
              ws.bnPreload.ms,
              "ms",
              `BN statistics of ${ws.bnPreload.fromDisk} Pareto configurations read into memory ` +
                `from ${ws.bnCacheDir} (written by profile); ${ws.bnPreload.missing} not there ` +
                "are measured on first use, as are configurations outside the Pareto set",
            ),
          },
        };
        if (opts.export) body.export = await exportModel(ws, r, opts.export);
        if (opts.verify) body.verify = await verify(ws, r, evolved.session);
        if (opts.repeat) {
          const t = await measureRuntimeEvolution(evolver, once, opts.repeat);
          const src = `${t.repeat} runs, warm process, ${opts.backend}`;
          const fig = (s: { median: number; p99: number }, unit: string, what: string) => ({
            median: measuredHere(s.median, unit, `${what}; ${src}`),
            p99: measuredHere(s.p99, unit, `${what}; ${src}`),
          });
          body.runtimeEvolution = {
            id: t.id,
            search: fig(t.searchUs, "us", "search"),
            uncached: fig(t.uncachedMs, "ms", "search + derive + BN measured + new session"),
            bnCached: fig(t.bnCachedMs, "ms", "search + derive + BN cached + new session"),
            sessionCached: fig(t.sessionCachedMs, "ms", "search + cached session (seen before)"),
          };
        }
        if (opts.optimality) {
          const rep = optimalityExperiment(ws.space, ws.predictor, {
            contexts: opts.optimality,
            seed: ws.seed,
            options: { ...options, algorithm: opts.algorithm },
            mapping: ctx.knobs.mapping,
            objective: ctx.knobs.objective,
          });
          body.optimality = optimalityBody(rep, opts.algorithm ?? "pareto");
        }
        const dir = runDir(globals.out, "search");
        const report = await writeReport(dir, "search.json", {
          kind: "search",
          seed: ws.seed,
          configPaths: [ws.task.path, ws.platform.path, ...(ctx.file ? [ctx.source] : [])],
          timingsMs: { total: performance.now() - t0 },
          body: { ...body, profile: ws.profilePath },
        });
        if (globals.json) {
          console.log(JSON.stringify({ ...body, report }, null, 2));
        } else {
          console.log([...resultLines(ws, ctx, body), `report: ${report}`].join("\n"));
        }
      } finally {
        await evolver.close();
      }
    });
  registerAdaptCommand(program);
}

/** The answer's part of the report: id, status, predictions with provenance, constraints. */
function resultBody(
  ws: Workspace,
  ctx: Awaited<ReturnType<typeof chooseContext>>,
  r: SearchResult,
): Record<string, unknown> {
  const s = ws.predictor.sources;
  return {
    task: ws.space.task,
    platform: ws.profile.platform.name,
    profileLocated: ws.located,
    weights: ws.store.origin,
    warnings: ws.profile.warnings ?? [],
    context: { source: ctx.source, state: ctx.state, ...(ctx.note ? { note: ctx.note } : {}) },
    algorithm: r.algorithm,
    status: r.feasible ? "feasible" : "infeasible",
    feasible: r.feasible,
    configuration: r.id,
    // What predicted accuracy (and the accuracy floor) means: accuracy or balanced accuracy.
    accuracyMetric: ws.predictor.metric,
    predicted: {
      accuracy: modeled(reportedAccuracy(r.metrics.accuracy), "fraction", s.accuracy),
      latency: modeled(r.metrics.latencyMs, "ms", `${s.latency} (idle device)`),
      latencyUnderLoad: modeled(
        r.effectiveLatencyMs,
        "ms",
        `${s.latency} x contention scale ${r.effectiveLatencyMs / r.metrics.latencyMs} ` +
          `(lib/context/constraints.ts)`,
      ),
      energy: modeled(r.metrics.energyMj, "mJ", s.energy),
      bytes: modeled(r.metrics.bytes, "B", s.bytes),
    },
    objectiveValue: r.objective,
    binding: r.binding,
    violations: r.violations.map((v) => ({ ...v, text: describeViolation(v) })),
    evaluated: r.evaluated,
  };
}

function evolutionBody(rec: import("../../lib/context/evolve_live.ts").EvolutionRecord) {
  const bn = rec.bn === null ? "measured now (uncached)" : `cached (${rec.bn})`;
  const src = (what: string) => `${what}, this run`;
  return {
    total: measuredHere(rec.ms, "ms", src("derive + BN + materialize + encode + session ready")),
    bnStatistics: bn,
    sessionCached: rec.sessionCached,
    phases: Object.fromEntries(
      Object.entries(rec.phases).map(([k, v]) => [k, measuredHere(v, "ms", src(k))]),
    ),
    modelBytes: measuredHere(rec.modelBytes, "B", "encoded model"),
  };
}

async function exportModel(ws: Workspace, r: SearchResult, path: string) {
  const cal = await calibrateBn(ws.store, ws.space, r.config, ws.calibration, {
    cacheDir: ws.bnCacheDir,
  });
  const e = exportSubnet(ws.store, ws.space, r.config, {
    inputShape: ws.data.inputShape,
    bnStats: cal.stats,
    lowRank: cal.lowRank,
  });
  const size = ws.data.inputShape.reduce((a, b) => a * b, 1);
  const input = {
    dtype: "float32" as const,
    shape: [1, ...ws.data.inputShape],
    data: ws.data.test.x.subarray(0, size),
  };
  const check = await checkInRuntime(e.bytes, input, "web");
  const sidecar = exportSidecar(e, ws.store, ws.space, {
    inputShape: ws.data.inputShape,
    numClasses: ws.data.classes.length,
  }, {
    bnStatistics: `recalibrated on ${cal.samples} training samples (${ws.data.provenance} data)`,
    checks: [check],
  });
  await writeExport(path, e, sidecar);
  return { path, bytes: measuredHere(e.bytes.length, "B", "written model") };
}

async function verify(
  ws: Workspace,
  r: SearchResult,
  session: import("../../lib/runtime/types.ts").Session,
) {
  const size = ws.data.inputShape.reduce((a, b) => a * b, 1);
  const input = {
    dtype: "float32" as const,
    shape: [1, ...ws.data.inputShape],
    data: ws.data.test.x.subarray(0, size),
  };
  const runs = await timeRuns(session, { input }, { warmup: 5, repeat: 50 });
  const stats = timingStats(runs);
  const cal = await calibrateBn(ws.store, ws.space, r.config, ws.calibration, {
    cacheDir: ws.bnCacheDir,
  });
  const e = exportSubnet(ws.store, ws.space, r.config, {
    inputShape: ws.data.inputShape,
    bnStats: cal.stats,
    lowRank: cal.lowRank,
  });
  const acc = await measureAccuracy(e.bytes, ws.data.test, ws.data.inputShape);
  const here = ws.profile.platform.latency === "measured";
  return {
    latency: {
      predicted: modeled(r.metrics.latencyMs, "ms", ws.predictor.sources.latency),
      measured: measuredHere(stats.median, "ms", "median of 50 runs after 5 warm-up, batch 1"),
      comparable: here,
      note: here ? "both for this machine" : `the prediction is for ${ws.profile.platform.name}; ` +
        "the measurement is on this machine, so they are not expected to agree",
    },
    accuracy: {
      predicted: modeled(
        reportedAccuracy(r.metrics.accuracy),
        "fraction",
        ws.predictor.sources.accuracy,
      ),
      measured: ws.predictor.metric === "balancedAccuracy"
        ? measuredHere(
          acc.balancedAccuracy,
          "fraction",
          `balanced accuracy (mean per-class recall), test split, ${acc.samples} samples`,
        )
        : measuredHere(acc.accuracy, "fraction", `test split, ${acc.samples} samples`),
    },
  };
}
