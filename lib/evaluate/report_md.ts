/**
 * `report.md`: the evaluation as paper-style markdown tables, every figure with its
 * provenance (a column or the table's caption says which).
 *
 * @module
 */
import { DEFAULT_CALIBRATION_SAMPLES } from "../supernet/bn_calibration.ts";
import { DERIVED_ACCURACY_FILE } from "./measure.ts";
import type { SuiteConfig, SupernetSettings } from "../config/suite.ts";
import { testBalance } from "../data/balance.ts";
import type { MatchMetric } from "./matching.ts";
import type { PlotIndex } from "./plots.ts";
import { caseStudyPlatform } from "./plots.ts";
import type { EvaluationBody } from "./run.ts";
import type { GapSummary, SharedVsAloneRow } from "./shared_vs_alone.ts";
import type { TaskEvaluation } from "./task_eval.ts";
import type { Figure } from "../report/provenance.ts";

const pct = (x: number) => `${(100 * x).toFixed(2)}`;
const ms = (x: number) => (x >= 10 ? x.toFixed(1) : x >= 1 ? x.toFixed(2) : x.toFixed(3));
const ratio = (x: number | null) => (x === null ? "-" : `${x.toFixed(2)}x`);
const kb = (b: number) => (b / 1024).toFixed(1);
const prov = (p: string) => (p === "measured-here" ? "measured" : p);
/** A configuration id as a table cell: GitHub tables split on `|` even inside code spans. */
const id = (x: string) => `\`${x.replaceAll("|", "\\|")}\``;

/** A figure not measured (a result cached before the figure was recorded). */
const NOT_MEASURED = "—";
const pctOr = (x: { value: number } | undefined) => (x ? pct(x.value) : NOT_MEASURED);
const pts = (x: number | null | undefined) =>
  typeof x === "number" ? (100 * x).toFixed(2) : NOT_MEASURED;

/**
 * The work-directory paths to delete, relative to the task's directory, so that the rows'
 * missing balanced accuracies are measured (with what that costs), in the order alone,
 * baselines, derived; empty when no value is missing. The largest configuration trained alone
 * is the backbone baseline.
 */
export function missingBalancedStages(rows: readonly SharedVsAloneRow[]): string[] {
  const out = new Set<string>();
  for (const r of rows) {
    if (!r.aloneBalanced) {
      out.add(
        r.set === "spanning" && r.name !== "largest"
          ? "`alone/` (retrains the smallest and sampled configurations)"
          : "`baselines/` (retrains the baselines)",
      );
    }
  }
  if (rows.some((r) => !r.derivedBalanced)) {
    out.add(
      `\`supernet/${DERIVED_ACCURACY_FILE}\` (measures the derived configurations again; ` +
        "retrains nothing)",
    );
  }
  return [...out].sort();
}

/** One set's gap line: accuracy and balanced accuracy, and its own training cost. */
function gapLine(g: GapSummary, what: string, n: number): string {
  const balanced = typeof g.meanBalancedGap === "number"
    ? `balanced accuracy mean gap ${pts(g.meanBalancedGap)} points, worst ` +
      `${pts(g.worstBalancedGap)}`
    : `balanced accuracy gap ${NOT_MEASURED} (not measured for every configuration)`;
  return `${what}: accuracy mean gap ${pts(g.meanGap)} points, worst ${pts(g.worstGap)}; ` +
    `${balanced}; trained alone in ${g.aloneTrainTime.value.toFixed(0)} s for these ${n}.`;
}

/**
 * How many seeds the rows' configurations were trained alone with: the most seeds a row has
 * (`aloneSeeds`), 1 when none has them (one seed, or a report from before they existed).
 */
export function aloneSeedCount(rows: readonly Pick<SharedVsAloneRow, "aloneSeeds">[]): number {
  return Math.max(1, ...rows.map((r) => r.aloneSeeds?.length ?? 1));
}

/** Seeds' figures as a cell: their mean (min-max) in %, `-` without. */
function seedsCell(seeds: readonly Figure[] | undefined, mean: Figure | undefined): string {
  if (!seeds || !mean) return "-";
  const v = seeds.map((x) => x.value);
  return `${pct(mean.value)} (${pct(Math.min(...v))}-${pct(Math.max(...v))})`;
}

/** A row's alone seeds as a cell: their mean (min-max) in %, `-` for a row without seeds. */
export function aloneSeedsCell(r: Pick<SharedVsAloneRow, "aloneSeeds" | "aloneMean">): string {
  return seedsCell(r.aloneSeeds, r.aloneMean);
}

/** A row's derived accuracies over supernets as a cell: mean (min-max) in %, `-` without. */
export function derivedSeedsCell(
  r: Pick<SharedVsAloneRow, "derivedSeeds" | "derivedMean">,
): string {
  return seedsCell(r.derivedSeeds, r.derivedMean);
}

/**
 * The supernet's run-to-run sentence of a set derived from `k` supernets (its spread across
 * supernets and the gap of the means, balanced accuracy too where measured); null without.
 *
 * @example
 * ```ts
 * import { derivedNoiseLine } from "./report_md.ts";
 * const time = { value: 1, unit: "s", provenance: "measured-here" as const };
 * const g = { meanGap: 0.015, worstGap: 0.03, aloneTrainTime: time, derivedNoise: 0.02,
 *   maxDerivedNoise: 0.05, meanGapOfMeans: 0.01 };
 * console.assert(derivedNoiseLine(g, 3)!.includes("3 supernets"));
 * console.assert(derivedNoiseLine({ ...g, derivedNoise: undefined }, 1) === null);
 * ```
 */
export function derivedNoiseLine(g: GapSummary, k: number): string | null {
  if (g.derivedNoise === undefined) return null;
  const balanced = typeof g.derivedBalancedNoise === "number"
    ? ` In balanced accuracy the spread is a mean ${pts(g.derivedBalancedNoise)} points and ` +
      `the mean gap of the means ${pts(g.meanBalancedGapOfMeans)} points.`
    : "";
  return `Derived from ${k} supernets (ensemble-trained with consecutive seeds), the same ` +
    `configuration's accuracy spreads by a mean ${pts(g.derivedNoise)} points (max ` +
    `${pts(g.maxDerivedNoise)}); the mean gap between the alone mean and the derived mean is ` +
    `${pts(g.meanGapOfMeans)} points.${balanced}`;
}

/**
 * The noise-floor sentence of a set trained alone with `k` seeds (its spread across seeds and
 * the gap to the seeds' mean, balanced accuracy too where measured); null without seeds.
 *
 * @example
 * ```ts
 * import { aloneNoiseLine } from "./report_md.ts";
 * const time = { value: 1, unit: "s", provenance: "measured-here" as const };
 * const g = { meanGap: 0.015, worstGap: 0.03, aloneTrainTime: time, aloneNoise: 0.02,
 *   maxAloneNoise: 0.044, meanGapToAloneMean: 0.01 };
 * console.assert(aloneNoiseLine(g, 2)!.includes("spreads by a mean 2.00 points (max 4.40)"));
 * console.assert(aloneNoiseLine({ ...g, aloneNoise: undefined }, 1) === null);
 * ```
 */
export function aloneNoiseLine(g: GapSummary, k: number): string | null {
  if (g.aloneNoise === undefined) return null;
  const balanced = typeof g.aloneBalancedNoise === "number"
    ? ` In balanced accuracy the spread is a mean ${pts(g.aloneBalancedNoise)} points and ` +
      `the mean gap to the seeds' mean ${pts(g.meanBalancedGapToAloneMean)} points.`
    : "";
  return `Trained alone with ${k} seeds, the same configuration's accuracy spreads by a mean ` +
    `${pts(g.aloneNoise)} points (max ${pts(g.maxAloneNoise)}); the mean gap to the seeds' ` +
    `mean accuracy is ${pts(g.meanGapToAloneMean)} points.${balanced}`;
}

/**
 * The shared-vs-alone section of one task: the table (accuracy and balanced accuracy, alone,
 * derived and their gaps), each set's gaps, whether the test split is imbalanced (then
 * balanced accuracy is the informative comparison) and why a value is not measured.
 */
export function sharedVsAloneMarkdown(
  t: Pick<TaskEvaluation, "task" | "dataset" | "sharedVsAlone">,
  suite: string,
): string[] {
  const sva = t.sharedVsAlone;
  if (sva.rows.length === 0) return [];
  const count = (set: string) => sva.rows.filter((r) => r.set === set).length;
  const k = aloneSeedCount(sva.rows);
  const seeded = k > 1;
  const noise = aloneNoiseLine(sva.spanning, k);
  const supernets = sva.supernetSeeds?.length ?? 1;
  const derivedNoise = derivedNoiseLine(sva.spanning, supernets);
  // Balanced seed columns where some row has them (the informative metric on imbalanced splits).
  const balancedAlone = seeded && sva.rows.some((r) => r.aloneBalancedSeeds);
  const balancedDerived = supernets > 1 && sva.rows.some((r) => r.derivedBalancedSeeds);
  const out = [
    "",
    "Shared weights vs trained alone (test accuracy and balanced accuracy, i.e. mean " +
    "per-class recall, in %, all measured; derived = from the supernet without retraining, BN " +
    `statistics and low-rank factors fitted on ${DEFAULT_CALIBRATION_SAMPLES} training samples; ` +
    "gap = alone - derived, in points):",
    "",
    table(
      [
        "set",
        "configuration",
        "name",
        "alone %",
        ...(seeded ? [`alone, ${k} seeds: mean (min-max) %`] : []),
        "derived %",
        ...(supernets > 1 ? [`derived, ${supernets} supernets: mean (min-max) %`] : []),
        "gap",
        "balanced alone %",
        ...(balancedAlone ? [`balanced alone, ${k} seeds: mean (min-max) %`] : []),
        "balanced derived %",
        ...(balancedDerived ? [`balanced derived, ${supernets} supernets: mean (min-max) %`] : []),
        "balanced gap",
      ],
      sva.rows.map((r) => [
        r.set,
        id(r.config),
        r.name,
        pct(r.alone.value),
        ...(seeded ? [aloneSeedsCell(r)] : []),
        pct(r.derived.value),
        ...(supernets > 1 ? [derivedSeedsCell(r)] : []),
        pts(r.gap),
        pctOr(r.aloneBalanced),
        ...(balancedAlone ? [seedsCell(r.aloneBalancedSeeds, r.aloneBalancedMean)] : []),
        pctOr(r.derivedBalanced),
        ...(balancedDerived ? [seedsCell(r.derivedBalancedSeeds, r.derivedBalancedMean)] : []),
        pts(r.balancedGap),
      ]),
    ),
    "",
    gapLine(sva.spanning, "Spanning set (largest, smallest, sampled)", count("spanning")),
    ...(noise === null ? [] : ["", noise]),
    ...(derivedNoise === null ? [] : ["", derivedNoise]),
    "",
    gapLine(sva.baselines, "Baseline configurations", count("baselines")),
    "",
    `The supernet trained every configuration in ${sva.supernetTrainTime.value.toFixed(0)} s` +
    (sva.extraSupernetsTrainTime
      ? ` (the other ${supernets - 1} supernet(s), for the spread: ` +
        `${sva.extraSupernetsTrainTime.value.toFixed(0)} s).`
      : "."),
  ];
  const b = testBalance(t.dataset.testClassCounts);
  if (b?.imbalanced) {
    out.push(
      "",
      `The test split is imbalanced (its classes have ${b.smallest} to ${b.largest} of its ` +
        `${b.total} samples; answering the largest class everywhere scores ` +
        `${pct(b.majorityAccuracy)}% accuracy): accuracy and its gaps say little here, ` +
        "balanced accuracy is the informative comparison.",
    );
  }
  const stages = missingBalancedStages(sva.rows);
  if (stages.length > 0) {
    out.push(
      "",
      `${NOT_MEASURED}: not measured; these results were cached before balanced accuracy was ` +
        `recorded. To measure them, delete from \`<work>/${t.task}/\` (\`<work>\` = ` +
        `\`runs/evaluate-${suite}\` unless \`--work\` was given) ${stages.join(", ")} and ` +
        "run the evaluation again.",
    );
  }
  return out;
}

/** The metric a comparison's match was sought on (accuracy in reports from before it was recorded). */
const metricOf = (c: { matchMetric?: MatchMetric }): MatchMetric => c.matchMetric ?? "accuracy";

/**
 * The matched pairs of `platform` over `tasks`, counted by the metric each was matched on, as
 * the headline's cell: `15 on accuracy`, `14 on accuracy, 1 on balanced accuracy`.
 *
 * @example
 * ```ts
 * import { matchedPairsCell } from "./report_md.ts";
 * const p = (matchMetric?: "accuracy" | "balancedAccuracy") =>
 *   ({ latencyReduction: 2, ...(matchMetric ? { matchMetric } : {}) });
 * const tasks = [
 *   { platforms: [{ platform: "host", comparisons: [p(), p("accuracy")] }] },
 *   { platforms: [{ platform: "host", comparisons: [p("balancedAccuracy"), { latencyReduction: null }] }] },
 * ];
 * console.assert(matchedPairsCell(tasks, "host") === "2 on accuracy, 1 on balanced accuracy");
 * ```
 */
export function matchedPairsCell(
  tasks: readonly {
    platforms: readonly {
      platform: string;
      comparisons: readonly { latencyReduction: number | null; matchMetric?: MatchMetric }[];
    }[];
  }[],
  platform: string,
): string {
  const n = { accuracy: 0, balancedAccuracy: 0 };
  for (const t of tasks) {
    for (const p of t.platforms.filter((x) => x.platform === platform)) {
      // The pairs the headline counts: those with a ratio.
      for (const c of p.comparisons) if (c.latencyReduction !== null) n[metricOf(c)]++;
    }
  }
  const parts = [
    ...(n.accuracy > 0 || n.balancedAccuracy === 0 ? [`${n.accuracy} on accuracy`] : []),
    ...(n.balancedAccuracy > 0 ? [`${n.balancedAccuracy} on balanced accuracy`] : []),
  ];
  return parts.join(", ");
}

/**
 * The matching paragraph of one task: on an imbalanced test split, which metric its baselines
 * were matched on and why, and the baselines that fell back to accuracy (their balanced
 * accuracy cached before it was recorded) with the stage to delete; empty for a balanced
 * split, whose matches are on accuracy as they always were.
 */
export function matchingMarkdown(
  t: Pick<TaskEvaluation, "task" | "dataset" | "matching"> & {
    readonly platforms?: readonly Pick<
      TaskEvaluation["platforms"][number],
      "platform" | "balancedMatchFront"
    >[];
  },
  suite: string,
): string[] {
  const b = testBalance(t.dataset.testClassCounts);
  if (!b?.imbalanced) return [];
  const split = `the test split is imbalanced (its classes have ${b.smallest} to ${b.largest} ` +
    `of its ${b.total} samples; answering the largest class everywhere scores ` +
    `${pct(b.majorityAccuracy)}% accuracy)`;
  const m = t.matching;
  if (!m) {
    return [
      "",
      `Matching: ${split}, but this report predates matching on balanced accuracy: its ` +
      "baselines were matched on plain accuracy.",
    ];
  }
  const balanced = Object.entries(m.metrics).filter(([, x]) => x === "balancedAccuracy")
    .map(([k]) => k);
  const out = [
    "",
    `Matching: ${split}, so ` +
    (balanced.length > 0
      ? `${
        m.fallback.length === 0
          ? "every baseline is"
          : `${balanced.join(", ")} ${balanced.length === 1 ? "is" : "are"}`
      } matched on balanced accuracy (mean per-class recall): the fastest configuration whose ` +
        "measured balanced accuracy is at least the baseline's minus the tolerance. On plain " +
        "accuracy a configuration answering the largest class everywhere would match a " +
        "baseline that detects the rare classes."
      : "balanced accuracy would be the metric to match on."),
  ];
  const fronts = (t.platforms ?? []).filter((p) => p.balancedMatchFront !== undefined);
  if (fronts.length > 0) {
    const old = fronts.filter((p) => p.balancedMatchFront === "accuracy").map((p) => p.platform);
    out.push(
      "",
      old.length === 0
        ? "The candidates are the Pareto front under the profile's balanced-accuracy predictor " +
          "(fitted to the sampled configurations' balanced accuracy on the validation split), " +
          "ordered by predicted latency."
        : `On ${old.join(", ")} the candidates were the front under the accuracy predictor, ` +
          "which barely orders configurations by balanced accuracy: the profile predates the " +
          `balanced-accuracy predictor. Delete \`<work>/${t.task}/profile/\` and run the ` +
          "evaluation again to fit it.",
    );
  }
  if (m.fallback.length > 0) {
    const one = m.fallback.length === 1;
    const stage = `<work>/${t.task}/${m.remeasure ?? "baselines/"}`;
    out.push(
      "",
      `${m.fallback.join(", ")} ${one ? "was" : "were"} matched on plain accuracy instead: ` +
        `${one ? "its" : "their"} balanced accuracy was cached before it was recorded. To ` +
        `match on balanced accuracy, delete \`${stage}\` (\`<work>\` = ` +
        `\`runs/evaluate-${suite}\` unless \`--work\` was given; retrains the baselines) and ` +
        "run the evaluation again.",
    );
  }
  return out;
}

/**
 * A sentence under the headline naming the tasks whose pairs were matched on balanced accuracy;
 * null when every pair was matched on accuracy.
 */
export function matchMetricNote(
  tasks: readonly Pick<TaskEvaluation, "task" | "platforms">[],
): string | null {
  const named = tasks.filter((t) =>
    t.platforms.some((p) => p.comparisons.some((c) => metricOf(c) === "balancedAccuracy"))
  ).map((t) => `\`${t.task}\``);
  if (named.length === 0) return null;
  return `Pairs of ${named.join(", ")} are matched on balanced accuracy (imbalanced test ` +
    "split; see the task's matching paragraph), at every tolerance; every other pair on accuracy.";
}

function table(head: string[], rows: (string | number)[][]): string {
  const line = (cells: (string | number)[]) => `| ${cells.join(" | ")} |`;
  return [line(head), line(head.map(() => "---")), ...rows.map(line)].join("\n");
}

/** The supernet's optional settings that are on, each as ", what it does". */
export function supernetExtras(sn: Partial<SupernetSettings>, perTask = false): string {
  const parts: string[] = [];
  if (perTask && sn.epochs !== undefined) {
    parts.push(`the supernet ${sn.epochs} epoch(s), unlike its baselines and alone runs`);
  }
  if (sn.featureDistill) parts.push(`feature distillation ${sn.featureDistill}`);
  if (sn.reorderChannels) parts.push("channels reordered each epoch");
  if (sn.distillAlpha !== undefined) parts.push(`distillation weight ${sn.distillAlpha}`);
  if (sn.lowRankTraining === "projected") parts.push("low-rank trained projected");
  if ((sn.configSteps ?? 1) > 1) {
    parts.push(`each sampled configuration trained ${sn.configSteps} steps`);
  }
  if (sn.gradientReduction === "mean") {
    parts.push("gradients averaged over the configurations sharing a weight");
  }
  if (sn.classBalanced) {
    parts.push(
      `class-balanced batches${
        sn.classBalancePower ? ` (classes drawn by count^${sn.classBalancePower})` : ""
      }`,
    );
  }
  if (sn.teacher === "backbone") {
    parts.push(
      "the backbone trained alone as the fixed teacher and the largest's starting weights " +
        "(its training counted in the supernet's)",
    );
  }
  if (sn.largestOnlyEpochs) {
    parts.push(`the largest alone for the first ${sn.largestOnlyEpochs} epoch(s)`);
  }
  if ((sn.seeds ?? 1) > 1) {
    parts.push(`${sn.seeds} supernets (consecutive seeds) for the derived configurations' spread`);
  }
  return parts.map((p) => `, ${p}`).join("");
}

/** `supernetByTask` in words: "; for sensor: class-balanced batches ...". */
function perTaskSupernet(s: SuiteConfig): string {
  return Object.entries(s.supernetByTask ?? {}).map(([task, over]) => {
    const extras = supernetExtras(over, true).slice(2);
    return `; for ${task}: ${extras || "the suite's settings"}`;
  }).join("");
}

/** `epochsByTask` in words: "; sound: 16 epoch(s) for its supernet, baselines and alone runs". */
function perTaskEpochs(s: SuiteConfig): string {
  return Object.entries(s.epochsByTask ?? {}).map(([task, epochs]) =>
    s.supernetByTask?.[task]?.epochs === undefined
      ? `; ${task}: ${epochs} epoch(s) for its supernet, baselines and alone runs`
      : `; ${task}: ${epochs} epoch(s) for its baselines and alone runs`
  ).join("");
}

/** Render the report body as markdown. */
export function renderMarkdown(body: EvaluationBody, plots: PlotIndex): string {
  const out: string[] = [];
  const s = body.suite;
  out.push(`# adaspring evaluation: suite \`${s.name}\``, "");
  if (s.description) out.push(s.description, "");
  out.push(
    `Regenerate: \`node_modules/.bin/deno task evaluate --suite ${s.name}\` (suite file ` +
      `\`${body.suitePath}\`, seed ${s.seed}). Machine facts, commit and command line are in ` +
      "`report.json` (`machine`, `gitCommit`, `commandLine`).",
    "",
    `Budgets: ${s.limit === null ? "whole datasets" : `at most ${s.limit} samples per split`}; ` +
      `supernet ${s.supernet.epochs} epoch(s) (sandwich: largest, smallest, ${s.supernet.random} ` +
      `random, ${s.supernet.sampling} sampling, ${s.supernet.workers} worker(s)` +
      `${supernetExtras(s.supernet)}${perTaskSupernet(s)}` +
      `); baselines ${s.baselines.epochs} epoch(s) from ` +
      `scratch, ${s.baselines.finetuneEpochs} epoch(s) of fine-tuning; the smallest and ` +
      `${s.baselines.aloneSampled} sampled configurations trained alone at the baselines' ` +
      `epochs${
        (s.baselines.aloneSeeds ?? 1) > 1
          ? `, each (the largest too) with ${s.baselines.aloneSeeds} seeds`
          : ""
      }${perTaskEpochs(s)}; matching tolerance ` +
      `${pct(s.matching.tolerance)} points, at most ${s.matching.maxCandidates} Pareto ` +
      `configurations measured per platform. This invocation took ` +
      `${(body.wallSeconds / 60).toFixed(1)} min (finished stages are read back from the work ` +
      `directory; the training times below are those of the stages).`,
    "",
    "## Definitions",
    "",
    ...Object.entries(body.definitions).map(([k, v]) => `- **${k}**: ${v}.`),
    "",
    "## Headline",
    "",
  );
  out.push(table(
    [
      "platform",
      "latency",
      "latency reduction max",
      "geomean",
      "efficiency gain max",
      "geomean",
      "matched pairs",
      "unmatched",
      "search (median µs)",
    ],
    body.headline.map((h) => [
      h.platform,
      prov(h.latencyProvenance),
      ratio(h.latencyReduction.max),
      ratio(h.latencyReduction.geomean),
      ratio(h.efficiencyGain.max),
      ratio(h.efficiencyGain.geomean),
      matchedPairsCell(body.tasks, h.platform),
      h.unmatched.length,
      h.searchMedianUs === null ? "-" : h.searchMedianUs.toFixed(1),
    ]),
  ));
  const metricNote = matchMetricNote(body.tasks);
  if (metricNote) out.push("", metricNote);
  const tolerances = [
    ...new Set(body.headline.flatMap((h) => h.sensitivity.map((v) => v.tolerance))),
  ];
  if (tolerances.length > 0) {
    out.push(
      "",
      "Looser matching (AdaSpring may give up this much accuracy; latency reduction, max / " +
        "geomean / matched pairs):",
      "",
      table(
        ["platform", ...tolerances.map((x) => `<= ${pct(x)} pts`)],
        body.headline.map((h) => [
          h.platform,
          ...tolerances.map((x) => {
            const v = h.sensitivity.find((y) => y.tolerance === x)?.latencyReduction;
            return v ? `${ratio(v.max)} / ${ratio(v.geomean)} / ${v.pairs}` : "-";
          }),
        ]),
      ),
    );
  }
  out.push(
    "",
    `Runtime evolution on this machine (measured) of the matched configurations and of the ` +
      `Pareto lookup's answers (${body.evolutionMs.configurations} configurations): median ` +
      `${body.evolutionMs.medianCached?.toFixed(2) ?? "-"} ms, max ` +
      `${body.evolutionMs.maxCached?.toFixed(2) ?? "-"} ms with BN statistics and low-rank ` +
      `factors cached, ${body.evolutionMs.maxUncached?.toFixed(2) ?? "-"} ms uncached (BN ` +
      `statistics measured, low-rank factors fitted).`,
    "",
    `The paper: ${Object.values(body.paper).join("; ")}. Energy is modeled everywhere ` +
      "(platform power x latency); latency is measured on the host and modeled on the devices.",
    "",
  );
  for (const t of body.tasks) {
    out.push(`## Task \`${t.task}\``, "");
    out.push(
      `Data: ${t.dataset.provenance}; ${t.dataset.samples.train} / ${t.dataset.samples.val} / ` +
        `${t.dataset.samples.test} train / val / test samples. Supernet: ${t.supernet.epochs} ` +
        `epoch(s), ${t.supernet.trainTime.value.toFixed(0)} s of training (measured` +
        `${t.supernet.teacher ? `; ${t.supernet.trainTime.source}` : ""}), ` +
        `${t.supernet.trainFlopsFigure.value.toExponential(2)} training FLOPs (modeled).`,
      "",
    );
    for (const sk of t.baselinesSkipped) out.push(`- ${sk.kind} not run: ${sk.unavailable}`);
    out.push(...sharedVsAloneMarkdown(t, s.name));
    out.push(...matchingMarkdown(t, s.name));
    if (t.evolution.length > 0) {
      out.push(
        "",
        table(
          ["configuration", "evolution cached (ms)", "uncached (ms)"],
          t.evolution.map((e) => [
            id(e.config),
            e.cached.value.toFixed(2),
            e.uncached.value.toFixed(2),
          ]),
        ),
        "",
      );
    }
    for (const p of t.platforms) {
      // Balanced accuracy columns only where matches were sought on it: balanced splits' tables
      // stay as they were.
      const balanced = p.comparisons.some((c) => metricOf(c) === "balancedAccuracy");
      out.push(
        `### ${t.task} on ${p.platform}`,
        "",
        `Accuracy${balanced ? " and balanced accuracy (the metric matched on)" : ""}: ` +
          `measured on the test split. Latency: ${prov(p.latencyProvenance)}. Energy, ` +
          "efficiency, peak memory, training FLOPs: modeled. Model bytes, training time: measured.",
        "",
      );
      const plot = plots[`pareto-${t.task}-${p.platform}`];
      if (plot) out.push(`![${t.task} on ${p.platform}](${plot.png})`, "");
      out.push(table(
        [
          "model",
          "configuration",
          "accuracy %",
          ...(balanced ? ["balanced accuracy %"] : []),
          "latency ms",
          "energy mJ",
          "inf/J",
          "model KiB",
          "peak mem KiB",
          "train s",
          "train FLOPs",
        ],
        p.rows.map((r) => [
          r.name,
          id(r.config),
          pct(r.accuracy.value),
          ...(balanced ? [pctOr(r.balancedAccuracy)] : []),
          ms(r.latency.value) +
          (r.nominalLatency ? ` (nominal ${ms(r.nominalLatency.value)})` : ""),
          ms(r.energy.value),
          r.efficiency.value.toFixed(0),
          kb(r.modelBytes.value),
          kb(r.peakMemory.value),
          r.trainTime.value.toFixed(0),
          r.trainFlops.value.toExponential(2),
        ]),
      ));
      out.push(
        "",
        table(
          [
            "baseline",
            "AdaSpring match",
            "latency reduction",
            "efficiency gain",
            "accuracy delta (pts)",
            ...(balanced ? ["balanced accuracy delta (pts)"] : []),
          ],
          p.comparisons.map((c) => [
            c.baseline,
            c.adaspring ?? `none: ${c.reason}`,
            ratio(c.latencyReduction),
            ratio(c.efficiencyGain),
            c.accuracyDelta === null ? "-" : (100 * c.accuracyDelta).toFixed(2),
            ...(balanced
              ? [
                c.adaspring === null
                  ? "-"
                  : c.balancedAccuracyDelta === undefined
                  ? NOT_MEASURED
                  : (100 * c.balancedAccuracyDelta).toFixed(2),
              ]
              : []),
          ]),
        ),
        "",
      );
      if (p.search.length > 0) {
        if (p.accuracyMetric === "balancedAccuracy") {
          out.push(
            "The searches below, like the runtime evolution's Pareto answers and the case " +
              "study, predict balanced accuracy (the profile's balanced-accuracy predictor).",
            "",
          );
        }
        out.push(
          table(
            [
              "context",
              "search",
              "configuration",
              "feasible",
              "objective",
              "evaluated",
              "median µs",
            ],
            p.search.map((x) => [
              x.context.replace(/^.*\//, ""),
              x.algorithm === "pareto"
                ? "AdaSpring Pareto lookup"
                : x.algorithm === "evolution"
                ? "OFA-style evolution"
                : "NetAdapt-style greedy",
              id(x.config),
              x.feasible ? "yes" : "no",
              x.objective.toFixed(4),
              x.evaluated,
              x.medianUs.toFixed(1),
            ]),
          ),
          "",
        );
      }
    }
    const studied = caseStudyPlatform(body);
    const p = t.platforms.find((x) => x.platform === studied);
    for (const cs of p?.caseStudy ?? []) {
      const name = cs.trace.replace(/^.*\//, "").replace(/\.ya?ml$/, "");
      out.push(`### Case study: ${t.task}, trace \`${name}\` on ${studied}`, "");
      const plot = plots[`case-${t.task}-${name}`];
      if (plot) out.push(`![case study ${name}](${plot.png})`, "");
      const balanced = p?.accuracyMetric === "balancedAccuracy";
      if (balanced) {
        out.push(
          "AdaSpring chose on predicted balanced accuracy (the test split is imbalanced), and " +
            "every model's accuracy below, and the trace's accuracy floors, are balanced accuracy.",
          "",
        );
      }
      out.push(
        table(
          [
            "model",
            "energy J (modeled)",
            `${balanced ? "balanced accuracy" : "accuracy"} delivered %`,
            "violation s",
            "switches",
          ],
          cs.accounts.map((a) => [
            a.model,
            (a.energyMj / 1000).toFixed(2),
            pct(a.accuracy),
            a.violationS.toFixed(0),
            a.switches,
          ]),
        ),
        "",
      );
    }
  }
  for (const name of Object.keys(plots).filter((n) => n.startsWith("energy-"))) {
    out.push(`![${name}](${plots[name].png})`, "");
  }
  return out.join("\n") + "\n";
}
