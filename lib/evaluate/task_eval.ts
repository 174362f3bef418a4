/**
 * The evaluation of one task: the stages (supernet, profiles, baselines), then per platform the
 * comparison table (every hand-crafted baseline against AdaSpring's matched configuration),
 * the search comparison with on-demand search, the runtime-evolution latency, and the case
 * study. Every figure carries its provenance; ratios are computed by `ratios.ts` from the rows.
 *
 * @module
 */
import type { AccuracyMetric } from "../data/metrics.ts";
import { testBalance } from "../data/balance.ts";
import { classCounts } from "../data/cache.ts";
import { join } from "node:path";
import { type ContextConfig, contextTrace, loadContextConfig } from "../config/context.ts";
import { mapContext } from "../context/constraints.ts";
import { search } from "../search/search.ts";
import { shippedOrGiven } from "../util/paths.ts";
import { loadPlatformConfig } from "../config/platform.ts";
import { type SuiteConfig, supernetSettingsFor } from "../config/suite.ts";
import { modeledEnergy } from "../profile/energy.ts";
import { type Figure, measuredHere, modeled } from "../report/provenance.ts";
import { energyRangeOf } from "../search/objective.ts";
import { profilePredictor } from "../search/profile_predictor.ts";
import { formatConfigId, parseConfigId } from "../supernet/config_id.ts";
import { subnetCost } from "../supernet/cost.ts";
import { timeEvolution } from "../supernet/evolve.ts";
import type { WeightStore } from "../supernet/weights.ts";
import { caseStudy, type StaticModel, type TraceAccount } from "./case_study.ts";
import {
  findMatch,
  MatchBudget,
  type MatchMetric,
  metricValue,
  type TaskMatching,
  taskMatching,
} from "./matching.ts";
import {
  DERIVED_ACCURACY_FILE,
  type HostLatency,
  measureInterleaved,
  SupernetModels,
} from "./measure.ts";
import { compareSearches, type SearchComparison } from "./on_demand.ts";
import { type Comparison, comparisonOf, summarizeRatios } from "./ratios.ts";
import { type BaselineResult, type BaselineSkipped, baselinesStage } from "./stage_baselines.ts";
import {
  profileStage,
  supernetCost,
  supernetRun,
  type SupernetStage,
  supernetStage,
} from "./stage_supernet.ts";
import { aloneStage } from "./stage_alone.ts";
import { type EvalTask, readStage, writeStage } from "./task_setup.ts";
import {
  compareShared,
  type ExtraSupernet,
  type SharedVsAlone,
  SRC_ACC,
  SRC_BALANCED,
} from "./shared_vs_alone.ts";

/** One model's figures on one platform. */
export interface ModelRow {
  /** `backbone`, `width-0.5`, ... or `adaspring@<baseline>` for the match of a baseline. */
  readonly name: string;
  readonly family: "hand-crafted" | "adaspring";
  readonly config: string;
  readonly accuracy: Figure;
  /**
   * Balanced test accuracy (mean per-class recall); absent when its measurement was cached
   * before it was recorded, and from older reports.
   */
  readonly balancedAccuracy?: Figure;
  readonly latency: Figure;
  /** Pruning only: the latency a sparse kernel would reach, dense latency x density. */
  readonly nominalLatency?: Figure;
  readonly energy: Figure;
  /** Inferences per joule: 1000 / energy in mJ. */
  readonly efficiency: Figure;
  readonly modelBytes: Figure;
  /** Weights as exported + peak activations. */
  readonly peakMemory: Figure;
  readonly trainTime: Figure;
  readonly trainFlops: Figure;
}

/** The table of one task on one platform. */
export interface PlatformTable {
  readonly platform: string;
  readonly latencyProvenance: "measured-here" | "modeled";
  readonly rows: readonly ModelRow[];
  readonly comparisons: readonly Comparison[];
  /**
   * Matches at the suite's looser tolerances: per tolerance, the matched pairs with both
   * latencies (same provenance) and their ratio. Efficiency gains equal the latency ratios
   * while energy is modeled as power x latency.
   */
  readonly sensitivity: readonly {
    tolerance: number;
    pairs: readonly {
      baseline: string;
      config: string;
      baselineLatency: Figure;
      adaspringLatency: Figure;
      latencyReduction: number;
      accuracyDelta: number;
      /** The metric the match was sought on; absent from older reports (accuracy). */
      matchMetric?: MatchMetric;
      /** AdaSpring's balanced accuracy - the baseline's, where both are known. */
      balancedAccuracyDelta?: number;
    }[];
    latencyReduction: ReturnType<typeof summarizeRatios>;
  }[];
  readonly search: readonly SearchComparison[];
  /**
   * `balancedAccuracy` when the search comparison, the runtime evolution's Pareto answers, the
   * case study and `pareto` below chose and measured on balanced accuracy ({@link deployMetric});
   * absent for accuracy.
   */
  readonly accuracyMetric?: "balancedAccuracy";
  /** The platform's Pareto set, predicted (accuracy by the predictor, latency by LUT/model). */
  readonly pareto: readonly { config: string; accuracy: number; latencyMs: number }[];
  /**
   * Where the matches sought on balanced accuracy searched: `balanced`, the profile's front
   * under its balanced-accuracy predictor; `accuracy`, the front under the accuracy predictor
   * (a profile written before the balanced one was fitted). Absent when no baseline was matched
   * on balanced accuracy.
   */
  readonly balancedMatchFront?: "balanced" | "accuracy";
  readonly caseStudy: readonly { trace: string; accounts: readonly TraceAccount[] }[];
}

/** The evaluation of one task. */
export interface TaskEvaluation {
  readonly task: string;
  readonly dataset: {
    readonly provenance: string;
    readonly samples: { train: number; val: number; test: number };
    /**
     * Test samples per class (index = label), to tell an imbalanced test split; absent from
     * reports written before it was recorded.
     */
    readonly testClassCounts?: readonly number[];
  };
  readonly supernet: SupernetStage & {
    readonly trainTime: Figure;
    readonly trainFlopsFigure: Figure;
  };
  readonly baselinesSkipped: readonly BaselineSkipped[];
  /**
   * Which metric each baseline's matches were sought on: balanced accuracy on an imbalanced
   * test split (`matching.ts`); absent from reports written before it was recorded (accuracy).
   */
  readonly matching?: TaskMatching;
  /**
   * Weight sharing's cost: configurations trained alone against the same configurations derived
   * from the supernet without retraining (BN recalibrated), both measured on the test split;
   * gap = alone - derived, in accuracy and in balanced accuracy. Two sets: `spanning` (the largest, the smallest and sampled
   * configurations: issue 5's protocol, `stage_alone.ts`) and `baselines` (every hand-crafted
   * baseline that is a configuration of the space; pruning is not, and is left out).
   */
  readonly sharedVsAlone: SharedVsAlone;
  /**
   * Runtime evolution (derive + BN + fold + session) of the host's matched configurations and
   * of the Pareto lookup's answer to each search context.
   */
  readonly evolution: readonly {
    config: string;
    cached: Figure;
    uncached: Figure;
  }[];
  readonly platforms: readonly PlatformTable[];
}

/**
 * The derived configurations of supernet `index` (see `supernetRun`), with their test
 * accuracies read back from beside its weights, where they belong, and where `accPath` saves them.
 */
async function derivedModels(
  t: EvalTask,
  store: WeightStore,
  index: number,
): Promise<{ models: SupernetModels; accPath: string }> {
  const accPath = join(t.dir, supernetRun(t.seed, index).dir, DERIVED_ACCURACY_FILE);
  return { models: new SupernetModels(t, store, (await readStage(accPath)) ?? {}), accPath };
}

/**
 * Supernets 1 to k-1 of the task's supernet `seeds` k (trained, or read back), with their
 * derived configurations' test accuracies saved beside each; none for one supernet.
 */
async function extraSupernets(
  t: EvalTask,
  suite: SuiteConfig,
): Promise<(ExtraSupernet & { accPath: string })[]> {
  const k = supernetSettingsFor(suite, t.config.name).seeds ?? 1;
  const out = [];
  for (let i = 1; i < k; i++) {
    t.log(`[${t.config.name}] supernet ${i + 1} of ${k}`);
    const { stage, store } = await supernetStage(t, suite, i);
    out.push({ seed: supernetRun(t.seed, i).seed, stage, ...await derivedModels(t, store, i) });
  }
  return out;
}

/** Evaluate one task (see the module doc). */
export async function evaluateTask(t: EvalTask, suite: SuiteConfig): Promise<TaskEvaluation> {
  t.log(`[${t.config.name}] supernet`);
  const { stage: sn, store } = await supernetStage(t, suite);
  const snCost = supernetCost(sn);
  t.log(`[${t.config.name}] profiles`);
  const profiles = await profileStage(t, suite, sn.weightsPath);
  t.log(`[${t.config.name}] baselines`);
  const { results: baselines, skipped } = await baselinesStage(t, suite);
  t.log(`[${t.config.name}] spanning configurations trained alone`);
  const alone = await aloneStage(t, suite);
  const { models, accPath } = await derivedModels(t, store, 0);
  const input = { inputShape: t.data.inputShape, numClasses: t.data.classes.length };
  const extra = await extraSupernets(t, suite);
  t.log(`[${t.config.name}] shared weights vs trained alone`);
  const sharedVsAlone = await compareShared(t, baselines, alone, models, sn, extra);
  await writeStage(accPath, models.accuracies());
  for (const e of extra) await writeStage(e.accPath, e.models.accuracies());
  const contexts = await Promise.all(
    suite.search.contexts.map(async (p) => ({
      path: p,
      config: (await loadContextConfig(shippedOrGiven(p))).config,
    })),
  );
  const traces: { path: string; config: ContextConfig }[] = await Promise.all(
    suite.caseStudy.traces.map(async (p) => ({
      path: p,
      config: (await loadContextConfig(shippedOrGiven(p))).config,
    })),
  );
  const platforms = [...new Set(["host", ...suite.platforms])].filter((p) =>
    suite.platforms.includes(p)
  );

  // Matches first (they decide which supernet models the host must time). On an imbalanced
  // test split a majority-class answerer matches any baseline's accuracy: match on balanced
  // accuracy there (each baseline's target in the metric its matches use).
  t.log(`[${t.config.name}] matching baselines`);
  const testClassCounts = classCounts(t.test.y, t.data.classes.length);
  const matching = taskMatching(testBalance(testClassCounts), baselines);
  const matchOn = (b: BaselineResult) => {
    const metric = matching.metrics[b.kind];
    return { metric, target: metricValue(b, metric)! };
  };
  const onBalanced = baselines.some((b) => matching.metrics[b.kind] === "balancedAccuracy");
  if (matching.fallback.length > 0) {
    t.log(
      `[${t.config.name}] imbalanced test split, but ${matching.fallback.join(", ")} ` +
        `lack balanced accuracy (cached before it was recorded): matched on accuracy; delete ` +
        `${join(t.dir, matching.remeasure!)} to retrain and match on balanced accuracy`,
    );
  }
  const perPlatform = [];
  for (const name of platforms) {
    const prof = profiles.get(name)!;
    const platform = await loadPlatformConfig(prof.artifact.platform.path);
    const predictor = profilePredictor(t.space, prof.artifact, {
      input,
      platform: platform.config,
    });
    // The profile's balanced-accuracy predictor, where a match needs it and the profile has it.
    const balancedPredictor = onBalanced && prof.artifact.balanced
      ? profilePredictor(t.space, prof.artifact, {
        input,
        platform: platform.config,
        metric: "balancedAccuracy",
      })
      : null;
    // A match on balanced accuracy searches the front under that predictor where there is one:
    // the accuracy front barely orders configurations by balanced accuracy.
    const frontFor = (metric: MatchMetric) =>
      (metric === "balancedAccuracy" && balancedPredictor ? balancedPredictor : predictor)
        .pareto.points;
    // What AdaSpring would deploy is chosen on balanced accuracy too where the task is matched
    // on it and the profile predicts it: on-demand search, runtime evolution, case study.
    const deployPredictor = deployMetric(matching, balancedPredictor !== null) === "accuracy"
      ? predictor
      : balancedPredictor!;
    const budget = new MatchBudget(suite.matching.maxCandidates);
    const matches = new Map<string, Awaited<ReturnType<typeof findMatch>>>();
    for (const b of baselines) {
      const { metric, target } = matchOn(b);
      matches.set(
        b.kind,
        await findMatch(
          frontFor(metric),
          target,
          models,
          { ...suite.matching, metric },
          budget,
        ),
      );
      await writeStage(accPath, models.accuracies());
    }
    // Looser tolerances, reported beside the main table (same budget rules, own budget).
    const looser = new Map<number, Map<string, Awaited<ReturnType<typeof findMatch>>>>();
    for (const tolerance of suite.matching.sensitivity) {
      const b2 = new MatchBudget(suite.matching.maxCandidates);
      const m = new Map<string, Awaited<ReturnType<typeof findMatch>>>();
      for (const b of baselines) {
        const { metric, target } = matchOn(b);
        m.set(
          b.kind,
          await findMatch(
            frontFor(metric),
            target,
            models,
            { ...suite.matching, tolerance, metric },
            b2,
          ),
        );
      }
      looser.set(tolerance, m);
      await writeStage(accPath, models.accuracies());
    }
    perPlatform.push({
      name,
      platform,
      predictor,
      balancedPredictor,
      deployPredictor,
      matches,
      looser,
    });
  }

  // Host latency: every baseline model and every host match, interleaved.
  t.log(`[${t.config.name}] host latency`);
  const hostModels = new Map<string, Uint8Array>();
  for (const b of baselines) hostModels.set(b.kind, await Deno.readFile(b.modelPath));
  const host = perPlatform.find((p) => p.name === "host");
  for (const set of [host?.matches, ...(host?.looser.values() ?? [])]) {
    for (const m of set?.values() ?? []) {
      if ("model" in m) hostModels.set(`adaspring:${m.model.id}`, m.model.bytes);
    }
  }
  const size = t.data.inputShape.reduce((a, b) => a * b, 1);
  const hostLatency = host
    ? await measureInterleaved(
      hostModels,
      t.test.x.slice(0, size),
      t.data.inputShape,
      suite.latency,
    )
    : new Map<string, HostLatency>();

  // Runtime evolution of what AdaSpring would deploy on this machine: the host's matched
  // configurations and the Pareto lookup's answer to each context.
  t.log(`[${t.config.name}] runtime evolution`);
  const evolution = [];
  const evolved = new Set<string>();
  const deployed = [...(host?.matches.values() ?? [])].flatMap((m) =>
    "model" in m ? [m.config] : []
  );
  if (host) {
    const range = energyRangeOf(t.space, host.deployPredictor);
    for (const { config } of contexts) {
      const { t: _t, ...state } = contextTrace(config)[0];
      const { constraints, objective } = mapContext(state, range, config);
      deployed.push(
        search(t.space, host.deployPredictor, constraints, objective, {
          algorithm: "pareto",
          pareto: host.deployPredictor.pareto,
        }).config,
      );
    }
  }
  for (const config of deployed) {
    const id = formatConfigId(t.space, config);
    if (evolved.has(id)) continue;
    evolved.add(id);
    const e = await timeEvolution(store, t.space, config, {
      repeat: 5,
      samples: 256,
      data: t.calibration,
    });
    const src = "median of 5 evolutions after 2 warm-up (BN statistics and low-rank fit, derive, " +
      "fold, ONNX encode, session); cached: BN statistics and fitted low-rank factors from " +
      "earlier evolutions";
    evolution.push({
      config: id,
      cached: measuredHere(e.summary["total.cached"].median, "ms", src),
      uncached: measuredHere(e.summary["total.uncached"].median, "ms", src),
    });
  }

  const tables: PlatformTable[] = [];
  for (const p of perPlatform) {
    t.log(`[${t.config.name}] ${p.name}: table, search, case study`);
    const measured = p.platform.config.latency === "measured";
    const sources = p.predictor.sources;
    const latencyOf = (key: string, configId: string): Figure => {
      if (measured) {
        const h = hostLatency.get(key)!;
        return measuredHere(
          h.medianMs,
          "ms",
          `median of ${h.runs} batch-1 runs interleaved with every model of the table ` +
            `(onnxruntime-web, 1 thread)`,
        );
      }
      const lat = p.predictor.predict(parseConfigId(t.space, configId)).latencyMs;
      return modeled(lat, "ms", sources.latency);
    };
    const row = (
      name: string,
      family: ModelRow["family"],
      configId: string,
      latencyKey: string,
      accuracy: number,
      balanced: number | undefined,
      samples: number,
      fileBytes: number,
      train: { seconds: number; flops: number; note: string },
      density: number | null,
    ): ModelRow => {
      const latency = latencyOf(latencyKey, configId);
      const energy = modeledEnergy(latency.value, p.platform.config.power, p.platform.path);
      const cost = subnetCost(t.space, parseConfigId(t.space, configId), input);
      const staticSrc = "static count from shapes (lib/supernet/cost.ts)";
      return {
        name,
        family,
        config: configId,
        accuracy: measuredHere(accuracy, "fraction", `${SRC_ACC}, ${samples} samples`),
        ...(balanced === undefined ? {} : {
          balancedAccuracy: measuredHere(
            balanced,
            "fraction",
            `${SRC_BALANCED}, ${samples} samples`,
          ),
        }),
        latency,
        ...(density !== null
          ? {
            nominalLatency: modeled(
              latency.value * density,
              "ms",
              `dense latency x weight density ${density.toFixed(2)}: what a sparse kernel ` +
                `would reach; onnxruntime runs the pruned model dense`,
            ),
          }
          : {}),
        energy,
        efficiency: modeled(
          1000 / energy.value,
          "inferences/J",
          `1000 / energy (${energy.source})`,
        ),
        modelBytes: measuredHere(fileBytes, "B", "size of the exported .onnx model"),
        peakMemory: modeled(cost.weightBytes + cost.peakActivationBytes, "B", staticSrc),
        trainTime: measuredHere(train.seconds, "s", train.note),
        trainFlops: modeled(train.flops, "FLOP", "3 x forward FLOPs x training samples"),
      };
    };
    const byKind = new Map(baselines.map((b) => [b.kind, b]));
    const ownCost = (b: BaselineResult) => {
      const dep = b.dependsOn ? byKind.get(b.dependsOn) : undefined;
      return {
        seconds: b.trainSeconds + (dep?.trainSeconds ?? 0),
        flops: b.trainFlops + (dep?.trainFlops ?? 0),
        note: dep
          ? `its own ${b.epochs} epoch(s) + the backbone's training it starts from`
          : `${b.epochs} epoch(s) trained alone`,
      };
    };
    const rows: ModelRow[] = [];
    const comparisons: Comparison[] = [];
    for (const b of baselines) {
      const base = row(
        b.kind,
        "hand-crafted",
        b.config,
        b.kind,
        b.testAccuracy,
        b.testBalancedAccuracy,
        b.testSamples,
        b.modelBytes,
        ownCost(b),
        b.sparsity !== null ? 1 - b.sparsity : null,
      );
      rows.push(base);
      const m = p.matches.get(b.kind)!;
      const metric = matching.metrics[b.kind];
      if (!("model" in m)) {
        comparisons.push(comparisonOf(b.kind, base, null, m.reason, metric));
        continue;
      }
      const ada = row(
        `adaspring@${b.kind}`,
        "adaspring",
        m.model.id,
        `adaspring:${m.model.id}`,
        m.model.testAccuracy,
        m.model.testBalancedAccuracy,
        m.model.testSamples,
        m.model.bytes.length,
        { ...snCost, note: `the supernet's ${snCost.note}, shared by every configuration` },
        null,
      );
      rows.push(ada);
      comparisons.push(comparisonOf(b.kind, base, ada, null, metric));
    }
    const rowsByName = new Map(rows.map((r) => [r.name, r]));
    const sensitivity = [...p.looser].map(([tolerance, set]) => {
      const pairs = [];
      for (const b of baselines) {
        const m = set.get(b.kind)!;
        if (!("model" in m)) continue;
        const base = rowsByName.get(b.kind)!;
        const lat = latencyOf(`adaspring:${m.model.id}`, m.model.id);
        pairs.push({
          baseline: b.kind,
          config: m.model.id,
          baselineLatency: base.latency,
          adaspringLatency: lat,
          latencyReduction: base.latency.value / lat.value,
          accuracyDelta: m.model.testAccuracy - b.testAccuracy,
          matchMetric: matching.metrics[b.kind],
          ...(b.testBalancedAccuracy === undefined || m.model.testBalancedAccuracy === undefined
            ? {}
            : { balancedAccuracyDelta: m.model.testBalancedAccuracy - b.testBalancedAccuracy }),
        });
      }
      return {
        tolerance,
        pairs,
        latencyReduction: summarizeRatios(pairs.map((x) => x.latencyReduction)),
      };
    });
    // Search, case study and the Pareto set listed: on the metric AdaSpring deploys by.
    const dp = p.deployPredictor;
    const onDeployMetric = dp.metric === "balancedAccuracy";
    const energyRange = energyRangeOf(t.space, dp);
    const searchRows = compareSearches(
      t.space,
      dp,
      energyRange,
      contexts,
      suite.search.repeat,
      t.seed,
    );
    const statics: StaticModel[] = baselines.map((b) => ({
      name: b.kind,
      config: parseConfigId(t.space, b.config),
      id: b.config,
      // deployMetric picks balanced accuracy only where every baseline has it.
      accuracy: onDeployMetric ? b.testBalancedAccuracy! : b.testAccuracy,
    }));
    const study = [];
    for (const tr of traces) {
      const accounts = await caseStudy(
        t.space,
        dp,
        energyRange,
        tr.config,
        statics,
        async (c) => {
          const m = await models.get(c, dp.metric);
          return onDeployMetric ? m.testBalancedAccuracy! : m.testAccuracy;
        },
        t.seed,
      );
      study.push({ trace: tr.path, accounts });
    }
    await writeStage(accPath, models.accuracies());
    tables.push({
      platform: p.name,
      latencyProvenance: measured ? "measured-here" : "modeled",
      rows,
      comparisons,
      sensitivity,
      search: searchRows,
      ...(onDeployMetric ? { accuracyMetric: dp.metric } : {}),
      pareto: dp.pareto.points.map((x) => ({
        config: formatConfigId(t.space, x.config),
        accuracy: x.metrics.accuracy,
        latencyMs: x.metrics.latencyMs,
      })),
      ...(onBalanced
        ? {
          balancedMatchFront: p.balancedPredictor ? "balanced" as const : "accuracy" as const,
        }
        : {}),
      caseStudy: study,
    });
  }
  return {
    task: t.config.name,
    dataset: {
      provenance: t.data.provenance,
      samples: { train: t.train.y.length, val: t.val.y.length, test: t.test.y.length },
      testClassCounts,
    },
    supernet: {
      ...sn,
      trainTime: measuredHere(snCost.seconds, "s", snCost.note),
      trainFlopsFigure: modeled(
        snCost.flops,
        "FLOP",
        "3 x forward FLOPs x samples x configurations per step (random ones as the mean of " +
          "the largest and smallest)" +
          (sn.teacher
            ? ", plus the teacher's forward per sample and the teacher's own training"
            : ""),
      ),
    },
    baselinesSkipped: skipped,
    matching,
    sharedVsAlone,
    evolution,
    platforms: tables,
  };
}

/**
 * The metric AdaSpring chooses what to deploy by on one platform: balanced accuracy where the
 * task's baselines are matched on it (an imbalanced test split, none falling back to accuracy)
 * and the platform's profile has a balanced-accuracy predictor; accuracy otherwise.
 *
 * @example
 * ```ts
 * import { deployMetric } from "./task_eval.ts";
 * const sensor = { imbalanced: true, metrics: { backbone: "balancedAccuracy" as const }, fallback: [] };
 * console.assert(deployMetric(sensor, true) === "balancedAccuracy");
 * console.assert(deployMetric(sensor, false) === "accuracy");
 * ```
 */
export function deployMetric(
  matching: TaskMatching,
  profileHasBalanced: boolean,
): AccuracyMetric {
  return matching.imbalanced && matching.fallback.length === 0 && profileHasBalanced
    ? "balancedAccuracy"
    : "accuracy";
}
