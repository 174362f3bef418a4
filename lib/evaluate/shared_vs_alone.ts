/**
 * Weight sharing's cost for one task: configurations trained alone against the same
 * configurations derived from the supernet without retraining (BN recalibrated), both measured
 * on the test split, row by row and summarized per set, with the alone runs' seed spread (the
 * noise floor) where the suite trains them with several seeds.
 *
 * @module
 */
import { LOW_RANK_DERIVATION } from "../supernet/lowrank_fit.ts";
import { type Figure, measuredHere } from "../report/provenance.ts";
import { parseConfigId } from "../supernet/config_id.ts";
import type { SupernetModels } from "./measure.ts";
import type { AloneStage } from "./stage_alone.ts";
import type { BaselineResult } from "./stage_baselines.ts";
import { supernetCost, type SupernetStage } from "./stage_supernet.ts";
import type { EvalTask } from "./task_setup.ts";

/** Where a test accuracy comes from. */
export const SRC_ACC = "test split, materialized model run by onnxruntime-web";
/** Where a balanced test accuracy comes from. */
export const SRC_BALANCED = "balanced accuracy (mean per-class recall) on the test split, " +
  "materialized model run by onnxruntime-web";
const SRC_DERIVED = "weights derived from the supernet, BN recalibrated and low-rank factors " +
  `fitted on training samples (${LOW_RANK_DERIVATION}), no retraining`;

/** The shared-vs-alone comparison of one task (`TaskEvaluation.sharedVsAlone`). */
export interface SharedVsAlone {
  readonly rows: readonly SharedVsAloneRow[];
  readonly spanning: GapSummary;
  readonly baselines: GapSummary;
  readonly supernetTrainTime: Figure;
  /**
   * With the supernet's `seeds` k > 1: every supernet's seed, supernet 0 (profiled and matched)
   * first, and the training time of supernets 1 to k-1 together; absent for one supernet.
   */
  readonly supernetSeeds?: readonly number[];
  readonly extraSupernetsTrainTime?: Figure;
}

/** A supernet beyond the first (the suite's `seeds`), for the derived configurations' spread. */
export interface ExtraSupernet {
  readonly seed: number;
  readonly stage: SupernetStage;
  readonly models: SupernetModels;
}

/** One configuration trained alone vs derived from the supernet. */
export interface SharedVsAloneRow {
  readonly set: "spanning" | "baselines";
  /** `largest`, `smallest`, `sampled-<i>`, or the baseline's kind. */
  readonly name: string;
  readonly config: string;
  /** Test accuracy trained alone. */
  readonly alone: Figure;
  /** Test accuracy derived from the supernet. */
  readonly derived: Figure;
  /** `alone - derived`. */
  readonly gap: number;
  /**
   * Balanced test accuracy trained alone; absent when its result was cached before balanced
   * accuracy was recorded (and from older reports).
   */
  readonly aloneBalanced?: Figure;
  /** Balanced test accuracy derived from the supernet; absent as `aloneBalanced` is. */
  readonly derivedBalanced?: Figure;
  /** `aloneBalanced - derivedBalanced`, present when both are. */
  readonly balancedGap?: number;
  /**
   * With the suite's `aloneSeeds` k > 1 (spanning set only): test accuracy trained alone with
   * each seed, seed 0 first (its value is `alone`'s); absent for one seed and from older reports.
   */
  readonly aloneSeeds?: readonly Figure[];
  /** The mean of `aloneSeeds`; present exactly when they are. */
  readonly aloneMean?: Figure;
  /** Balanced test accuracy of each seed, as `aloneSeeds`; absent when a seed lacks it. */
  readonly aloneBalancedSeeds?: readonly Figure[];
  /** The mean of `aloneBalancedSeeds`; present exactly when they are. */
  readonly aloneBalancedMean?: Figure;
  /**
   * With the supernet's `seeds` k > 1 (spanning set only): test accuracy derived from each of
   * the k supernets, supernet 0 first (its value is `derived`'s); absent for one supernet.
   */
  readonly derivedSeeds?: readonly Figure[];
  /** The mean of `derivedSeeds`; present exactly when they are. */
  readonly derivedMean?: Figure;
  /** Balanced test accuracy derived from each supernet, as `derivedSeeds`. */
  readonly derivedBalancedSeeds?: readonly Figure[];
  /** The mean of `derivedBalancedSeeds`; present exactly when they are. */
  readonly derivedBalancedMean?: Figure;
}

/** Gaps of one set, and what training its configurations alone cost. */
export interface GapSummary {
  readonly meanGap: number | null;
  readonly worstGap: number | null;
  /**
   * Mean and largest balanced-accuracy gap; null when the set is empty or a row of it lacks
   * balanced accuracy; absent from reports written before balanced accuracy was recorded.
   */
  readonly meanBalancedGap?: number | null;
  readonly worstBalancedGap?: number | null;
  /**
   * The noise floor of training alone, present when a row of the set has `aloneSeeds` (the
   * suite's `aloneSeeds` > 1): the mean and the largest over configurations of the spread
   * (max - min) of their alone accuracies across seeds, and the mean of `aloneMean - derived`;
   * null when a row of the set lacks `aloneSeeds`. The balanced ones likewise from
   * `aloneBalancedSeeds` (and `derivedBalanced`), null when a row lacks them.
   */
  readonly aloneNoise?: number | null;
  readonly maxAloneNoise?: number | null;
  readonly meanGapToAloneMean?: number | null;
  readonly aloneBalancedNoise?: number | null;
  readonly meanBalancedGapToAloneMean?: number | null;
  /**
   * The supernet's own run-to-run spread, present when a row of the set has `derivedSeeds` (the
   * supernet's `seeds` > 1): the mean and the largest over configurations of the spread of
   * their derived accuracies across supernets, and the mean gap of the means (`aloneMean`, or
   * `alone` for one alone seed, minus `derivedMean`); null when a row lacks `derivedSeeds`. The
   * balanced ones likewise.
   */
  readonly derivedNoise?: number | null;
  readonly maxDerivedNoise?: number | null;
  readonly meanGapOfMeans?: number | null;
  readonly derivedBalancedNoise?: number | null;
  readonly meanBalancedGapOfMeans?: number | null;
  /**
   * The sum of these configurations' own training (the supernet trains them all at once); one
   * run each: seeds above 0 are not counted.
   */
  readonly aloneTrainTime: Figure;
}

/** A configuration's test measurement as the stages record it. */
export interface TestMeasurement {
  readonly testAccuracy: number;
  /** Absent from results cached before balanced accuracy was recorded. */
  readonly testBalancedAccuracy?: number;
  readonly testSamples: number;
}

/**
 * The shared-vs-alone row of one configuration: accuracies and their gap, and the balanced ones
 * where both measurements have them. `extraSeeds` are the configuration's alone runs with seeds
 * 1, 2, ... (`alone` is seed 0): when given, the row also carries every seed's accuracy and
 * their mean ({@link aloneSeedFields}).
 *
 * @example
 * ```ts
 * import { sharedVsAloneRow } from "./shared_vs_alone.ts";
 * const alone = { testAccuracy: 0.99, testBalancedAccuracy: 0.9, testSamples: 776 };
 * const derived = { testAccuracy: 0.99, testBalancedAccuracy: 0.5, testSamples: 776 };
 * const r = sharedVsAloneRow("spanning", "largest", "b0:conv", alone, derived);
 * console.assert(r.gap === 0 && Math.abs(r.balancedGap! - 0.4) < 1e-12);
 * ```
 */
export function sharedVsAloneRow(
  set: SharedVsAloneRow["set"],
  name: string,
  config: string,
  alone: TestMeasurement,
  derived: TestMeasurement,
  extraSeeds: readonly TestMeasurement[] = [],
): SharedVsAloneRow {
  const aloneSrc = `${alone.testSamples} samples`;
  const derivedSrc = `${derived.testSamples} samples; ${SRC_DERIVED}`;
  const ab = alone.testBalancedAccuracy, db = derived.testBalancedAccuracy;
  return {
    set,
    name,
    config,
    alone: measuredHere(alone.testAccuracy, "fraction", `${SRC_ACC}, ${aloneSrc}`),
    derived: measuredHere(derived.testAccuracy, "fraction", `${SRC_ACC}, ${derivedSrc}`),
    gap: alone.testAccuracy - derived.testAccuracy,
    ...(ab === undefined ? {} : {
      aloneBalanced: measuredHere(ab, "fraction", `${SRC_BALANCED}, ${aloneSrc}`),
    }),
    ...(db === undefined ? {} : {
      derivedBalanced: measuredHere(db, "fraction", `${SRC_BALANCED}, ${derivedSrc}`),
    }),
    ...(ab === undefined || db === undefined ? {} : { balancedGap: ab - db }),
    ...aloneSeedFields([alone, ...extraSeeds]),
  };
}

/**
 * `aloneSeeds` and `aloneMean` of a row from its alone runs `seeds` (seed 0 first), and the
 * balanced ones when every seed has its balanced accuracy; nothing for a single seed.
 *
 * @example
 * ```ts
 * import { aloneSeedFields } from "./shared_vs_alone.ts";
 * const f = aloneSeedFields([
 *   { testAccuracy: 0.9, testBalancedAccuracy: 0.8, testSamples: 100 },
 *   { testAccuracy: 0.86, testSamples: 100 },
 * ]);
 * console.assert(Math.abs(f.aloneMean!.value - 0.88) < 1e-12 && f.aloneBalancedMean === undefined);
 * ```
 */
export function aloneSeedFields(
  seeds: readonly TestMeasurement[],
): Pick<
  SharedVsAloneRow,
  "aloneSeeds" | "aloneMean" | "aloneBalancedSeeds" | "aloneBalancedMean"
> {
  const k = seeds.length;
  const f = seedFigures(
    seeds,
    (j) => `trained alone with seed ${j} of ${k} (weight initialization and data order)`,
    (what) => `mean of the ${k} seeds' ${what} trained alone`,
  );
  if (!f) return {};
  return {
    aloneSeeds: f.seeds,
    aloneMean: f.mean,
    ...(f.balancedSeeds
      ? { aloneBalancedSeeds: f.balancedSeeds, aloneBalancedMean: f.balanced }
      : {}),
  };
}

/**
 * `derivedSeeds` and `derivedMean` of a row from the configuration derived from each supernet
 * (`seeds[i]` from the supernet trained with seed `supernetSeeds[i]`, supernet 0 first), and
 * the balanced ones when every measurement has them; nothing for a single supernet.
 *
 * @example
 * ```ts
 * import { derivedSeedFields } from "./shared_vs_alone.ts";
 * const f = derivedSeedFields([
 *   { testAccuracy: 0.9, testBalancedAccuracy: 0.8, testSamples: 100 },
 *   { testAccuracy: 0.8, testBalancedAccuracy: 0.6, testSamples: 100 },
 * ], [0, 1]);
 * console.assert(Math.abs(f.derivedMean!.value - 0.85) < 1e-12);
 * console.assert(Math.abs(f.derivedBalancedMean!.value - 0.7) < 1e-12);
 * ```
 */
export function derivedSeedFields(
  seeds: readonly TestMeasurement[],
  supernetSeeds: readonly number[],
): Pick<
  SharedVsAloneRow,
  "derivedSeeds" | "derivedMean" | "derivedBalancedSeeds" | "derivedBalancedMean"
> {
  const k = seeds.length;
  const f = seedFigures(
    seeds,
    (j) => `${SRC_DERIVED}; supernet ${j} of ${k}, ensemble-trained with seed ${supernetSeeds[j]}`,
    (what) => `mean of the ${what} derived from the ${k} supernets`,
  );
  if (!f) return {};
  return {
    derivedSeeds: f.seeds,
    derivedMean: f.mean,
    ...(f.balancedSeeds
      ? { derivedBalancedSeeds: f.balancedSeeds, derivedBalancedMean: f.balanced }
      : {}),
  };
}

/** Every seed's figures and their mean (balanced ones when all have them); null for one seed. */
function seedFigures(
  seeds: readonly TestMeasurement[],
  which: (j: number) => string,
  meanSrc: (what: string) => string,
): { seeds: Figure[]; mean: Figure; balancedSeeds?: Figure[]; balanced?: Figure } | null {
  if (seeds.length < 2) return null;
  const src = (what: string, j: number, m: TestMeasurement) =>
    `${what}, ${m.testSamples} samples; ${which(j)}`;
  const balanced = seeds.map((m) => m.testBalancedAccuracy);
  return {
    seeds: seeds.map((m, j) => measuredHere(m.testAccuracy, "fraction", src(SRC_ACC, j, m))),
    mean: measuredHere(
      mean(seeds.map((m) => m.testAccuracy)),
      "fraction",
      meanSrc("test accuracies"),
    ),
    ...(balanced.some((b) => b === undefined) ? {} : {
      balancedSeeds: seeds.map((m, j) =>
        measuredHere(m.testBalancedAccuracy!, "fraction", src(SRC_BALANCED, j, m))
      ),
      balanced: measuredHere(
        mean(balanced as number[]),
        "fraction",
        meanSrc("balanced test accuracies"),
      ),
    }),
  };
}

const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const spread = (xs: readonly { value: number }[]) =>
  Math.max(...xs.map((x) => x.value)) - Math.min(...xs.map((x) => x.value));

/**
 * The noise floor of training `rows` alone ({@link GapSummary}'s `aloneNoise`, ...): nothing
 * when no row has `aloneSeeds`; null values when some row lacks what a value needs.
 *
 * @example
 * ```ts
 * import { aloneNoiseStats } from "./shared_vs_alone.ts";
 * const f = (value: number) => ({ value, unit: "fraction", provenance: "measured-here" as const });
 * const s = aloneNoiseStats([
 *   { derived: f(0.8), aloneSeeds: [f(0.9), f(0.86)], aloneMean: f(0.88) },
 *   { derived: f(0.7), aloneSeeds: [f(0.7), f(0.72)], aloneMean: f(0.71) },
 * ]);
 * console.assert(Math.abs(s.aloneNoise! - 0.03) < 1e-12 && Math.abs(s.maxAloneNoise! - 0.04) < 1e-12);
 * console.assert(Math.abs(s.meanGapToAloneMean! - 0.045) < 1e-12 && s.aloneBalancedNoise === null);
 * ```
 */
export function aloneNoiseStats(
  rows: readonly Pick<
    SharedVsAloneRow,
    | "derived"
    | "derivedBalanced"
    | "aloneSeeds"
    | "aloneMean"
    | "aloneBalancedSeeds"
    | "aloneBalancedMean"
  >[],
): Pick<
  GapSummary,
  | "aloneNoise"
  | "maxAloneNoise"
  | "meanGapToAloneMean"
  | "aloneBalancedNoise"
  | "meanBalancedGapToAloneMean"
> {
  if (!rows.some((r) => r.aloneSeeds !== undefined)) return {};
  const seeded = rows.every((r) => r.aloneSeeds && r.aloneMean);
  const balanced = rows.every((r) => r.aloneBalancedSeeds && r.aloneBalancedMean);
  const withBalanced = balanced && rows.every((r) => r.derivedBalanced);
  const spreads = seeded ? rows.map((r) => spread(r.aloneSeeds!)) : [];
  return {
    aloneNoise: seeded ? mean(spreads) : null,
    maxAloneNoise: seeded ? Math.max(...spreads) : null,
    meanGapToAloneMean: seeded ? mean(rows.map((r) => r.aloneMean!.value - r.derived.value)) : null,
    aloneBalancedNoise: balanced ? mean(rows.map((r) => spread(r.aloneBalancedSeeds!))) : null,
    meanBalancedGapToAloneMean: withBalanced
      ? mean(rows.map((r) => r.aloneBalancedMean!.value - r.derivedBalanced!.value))
      : null,
  };
}

/**
 * The supernet's run-to-run spread over `rows` ({@link GapSummary}'s `derivedNoise`, ...):
 * nothing when no row has `derivedSeeds`; null values when some row lacks what a value needs.
 *
 * @example
 * ```ts
 * import { derivedNoiseStats } from "./shared_vs_alone.ts";
 * const f = (value: number) => ({ value, unit: "fraction", provenance: "measured-here" as const });
 * const s = derivedNoiseStats([
 *   { alone: f(0.9), derivedSeeds: [f(0.8), f(0.84)], derivedMean: f(0.82) },
 *   { alone: f(0.7), aloneMean: f(0.72), derivedSeeds: [f(0.7), f(0.7)], derivedMean: f(0.7) },
 * ]);
 * console.assert(Math.abs(s.derivedNoise! - 0.02) < 1e-12 && Math.abs(s.maxDerivedNoise! - 0.04) < 1e-12);
 * console.assert(Math.abs(s.meanGapOfMeans! - 0.05) < 1e-12 && s.derivedBalancedNoise === null);
 * ```
 */
export function derivedNoiseStats(
  rows: readonly Pick<
    SharedVsAloneRow,
    | "alone"
    | "aloneMean"
    | "aloneBalanced"
    | "aloneBalancedMean"
    | "derivedSeeds"
    | "derivedMean"
    | "derivedBalancedSeeds"
    | "derivedBalancedMean"
  >[],
): Pick<
  GapSummary,
  | "derivedNoise"
  | "maxDerivedNoise"
  | "meanGapOfMeans"
  | "derivedBalancedNoise"
  | "meanBalancedGapOfMeans"
> {
  if (!rows.some((r) => r.derivedSeeds !== undefined)) return {};
  const seeded = rows.every((r) => r.derivedSeeds && r.derivedMean);
  const balanced = rows.every((r) => r.derivedBalancedSeeds && r.derivedBalancedMean);
  const aloneBalanced = rows.every((r) => (r.aloneBalancedMean ?? r.aloneBalanced) !== undefined);
  const spreads = seeded ? rows.map((r) => spread(r.derivedSeeds!)) : [];
  return {
    derivedNoise: seeded ? mean(spreads) : null,
    maxDerivedNoise: seeded ? Math.max(...spreads) : null,
    meanGapOfMeans: seeded
      ? mean(rows.map((r) => (r.aloneMean ?? r.alone).value - r.derivedMean!.value))
      : null,
    derivedBalancedNoise: balanced ? mean(rows.map((r) => spread(r.derivedBalancedSeeds!))) : null,
    meanBalancedGapOfMeans: balanced && aloneBalanced
      ? mean(
        rows.map((r) =>
          (r.aloneBalancedMean ?? r.aloneBalanced)!.value - r.derivedBalancedMean!.value
        ),
      )
      : null,
  };
}

/**
 * Mean and worst (largest) gap of `rows`, in accuracy and in balanced accuracy; null for no
 * rows, and the balanced ones null when a row lacks its balanced gap.
 *
 * @example
 * ```ts
 * import { gapStats } from "./shared_vs_alone.ts";
 * const s = gapStats([{ gap: 0.02, balancedGap: 0.1 }, { gap: 0 }]);
 * console.assert(s.meanGap === 0.01 && s.worstGap === 0.02 && s.meanBalancedGap === null);
 * ```
 */
export function gapStats(
  rows: readonly Pick<SharedVsAloneRow, "gap" | "balancedGap">[],
): Pick<GapSummary, "meanGap" | "worstGap" | "meanBalancedGap" | "worstBalancedGap"> {
  const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null);
  const worst = (xs: number[]) => (xs.length ? Math.max(...xs) : null);
  const gaps = rows.map((r) => r.gap);
  const balanced = rows.every((r) => r.balancedGap !== undefined)
    ? rows.map((r) => r.balancedGap!)
    : [];
  return {
    meanGap: mean(gaps),
    worstGap: worst(gaps),
    meanBalancedGap: mean(balanced),
    worstBalancedGap: worst(balanced),
  };
}

/** The rows and per-set summaries of one task. */
export async function compareShared(
  t: EvalTask,
  baselines: readonly BaselineResult[],
  aloneRuns: AloneStage,
  models: SupernetModels,
  sn: SupernetStage,
  extra: readonly ExtraSupernet[] = [],
): Promise<SharedVsAlone> {
  const { results: alone, extraSeeds } = aloneRuns;
  const supernetSeeds = [t.seed, ...extra.map((e) => e.seed)];
  const backbone = baselines.find((b) => b.kind === "backbone");
  const entries = [
    ...(backbone ? [{ set: "spanning" as const, name: "largest", r: backbone }] : []),
    ...alone.map((r) => ({ set: "spanning" as const, name: r.name, r })),
    ...baselines.filter((b) => b.kind !== "magnitude-prune").map((r) => ({
      set: "baselines" as const,
      name: r.kind as string,
      r,
    })),
  ];
  const rows: SharedVsAloneRow[] = [];
  for (const { set, name, r } of entries) {
    const config = parseConfigId(t.space, r.config);
    // Balanced accuracy too: a derived figure cached before it was recorded is measured again
    // (nothing is retrained), so a row whose alone side has it gets its balanced gap.
    const derived = await models.get(config, "balancedAccuracy");
    const seeds = set === "spanning" ? extraSeeds.get(name) ?? [] : [];
    const row = sharedVsAloneRow(set, name, r.config, r, derived, seeds);
    if (set === "spanning" && extra.length > 0) {
      const others = [];
      for (const e of extra) others.push(await e.models.get(config, "balancedAccuracy"));
      rows.push({ ...row, ...derivedSeedFields([derived, ...others], supernetSeeds) });
    } else {
      rows.push(row);
    }
  }
  const summary = (set: SharedVsAloneRow["set"], seconds: number, what: string): GapSummary => ({
    ...gapStats(rows.filter((r) => r.set === set)),
    ...aloneNoiseStats(rows.filter((r) => r.set === set)),
    ...derivedNoiseStats(rows.filter((r) => r.set === set)),
    aloneTrainTime: measuredHere(seconds, "s", what),
  });
  const sum = (xs: readonly { trainSeconds: number }[]) =>
    xs.reduce((a, x) => a + x.trainSeconds, 0);
  const cost = supernetCost(sn);
  return {
    rows,
    spanning: summary(
      "spanning",
      sum(alone) + (backbone?.trainSeconds ?? 0),
      "sum of these configurations' own training (the largest is the backbone baseline)",
    ),
    baselines: summary(
      "baselines",
      sum(baselines.filter((b) => b.kind !== "magnitude-prune")),
      "sum of these baselines' own training (fine-tuning counted, the backbone once)",
    ),
    supernetTrainTime: measuredHere(cost.seconds, "s", `the supernet's ${cost.note}`),
    ...(extra.length === 0 ? {} : {
      supernetSeeds,
      // Their ensemble training only: a fixed teacher is trained once, counted with supernet 0.
      extraSupernetsTrainTime: measuredHere(
        extra.reduce((a, e) => a + e.stage.trainSeconds, 0),
        "s",
        `ensemble training of supernets 1 to ${extra.length} (seeds ${
          supernetSeeds.slice(1).join(", ")
        })${sn.teacher ? "; their teacher is supernet 0's, counted there" : ""}`,
      ),
    }),
  };
}
