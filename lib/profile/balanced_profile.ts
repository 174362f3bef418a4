/**
 * The balanced-accuracy part of a profile, for tasks whose validation split is imbalanced
 * (`testBalance`): a second ridge predictor fitted to the sampled configurations' balanced
 * accuracy (mean per-class recall) and the Pareto front under it.
 *
 * Why: on such a split (sensor: 13 anomalous windows of 390) plain accuracy is nearly the same
 * for a configuration that detects the rare class and one that answers the majority class
 * everywhere, so a front ordered by predicted accuracy says nothing about the configurations'
 * balanced accuracy. Evaluation matches the baselines of an imbalanced task on balanced
 * accuracy (`lib/evaluate/matching.ts`) and searches this front for them.
 *
 * The predictor has the plain one's form (`accuracy_predictor.ts`: additive, fitted to the
 * logit); the measurement is noisier (one rare-class sample moves balanced accuracy by
 * 1/(classes x rare count)), which its held-out quality states.
 *
 * @module
 */
import { classCounts } from "../data/cache.ts";
import { testBalance } from "../data/balance.ts";
import type { Rng } from "../util/rng.ts";
import type { SearchSpace, SubnetConfig } from "../supernet/space.ts";
import { type AccuracyFit, fitAccuracyPredictor } from "./accuracy_predictor.ts";
import { paretoSection, predictorSection, type ProfileArtifact } from "./artifact.ts";
import { type SpacePareto, spacePareto, type SpaceParetoInput } from "./pareto_space.ts";

/** The predictor fitted to balanced accuracy and the front under it. */
export interface BalancedProfile {
  readonly predictor: AccuracyFit;
  readonly pareto: SpacePareto;
}

/** Why a profile has no balanced-accuracy part, or the part itself. */
export type BalancedOutcome =
  | { readonly kind: "fitted"; readonly profile: BalancedProfile }
  | { readonly kind: "skipped"; readonly reason: string };

/**
 * Fit the balanced-accuracy predictor and its front when the validation labels `valY` (the
 * samples the accuracies were measured on) are imbalanced and every measurement has a balanced
 * accuracy; otherwise say why not.
 *
 * @example
 * ```ts
 * import { balancedProfile } from "./balanced_profile.ts";
 * import { createRng } from "../util/rng.ts";
 * import { createSearchSpace } from "../supernet/space.ts";
 * import { loadTaskConfig } from "../config/task.ts";
 * const space = createSearchSpace((await loadTaskConfig("sensor")).config);
 * // A balanced validation split (2 samples of each class): no balanced-accuracy part.
 * const r = balancedProfile(space, [], new Int32Array([0, 0, 1, 1]), 2, createRng(0), {} as never);
 * console.assert(r.kind === "skipped" && r.reason === "the validation split is balanced");
 * ```
 */
export function balancedProfile(
  space: SearchSpace,
  samples: readonly { readonly config: SubnetConfig; readonly balancedAccuracy?: number }[],
  valY: Int32Array,
  classes: number,
  rng: Rng,
  pareto: Omit<SpaceParetoInput, "accuracy" | "space" | "accuracyName">,
): BalancedOutcome {
  const balance = testBalance(classCounts(valY, classes));
  if (!balance?.imbalanced) {
    return { kind: "skipped", reason: "the validation split is balanced" };
  }
  const missing = samples.filter((s) => s.balancedAccuracy === undefined).length;
  if (missing > 0) {
    return {
      kind: "skipped",
      reason: `${missing} resumed accuracy measurements lack balanced accuracy (measured before ` +
        `it was recorded); profile again without --resume to fit it`,
    };
  }
  const predictor = fitAccuracyPredictor(
    space,
    samples.map((s) => ({ config: s.config, accuracy: s.balancedAccuracy! })),
    { rng },
  );
  return {
    kind: "fitted",
    profile: {
      predictor,
      pareto: spacePareto({
        ...pareto,
        space,
        accuracy: predictor.model,
        accuracyName: "ridge balanced-accuracy predictor",
      }),
    },
  };
}

/** The artifact's `balanced` section (`artifact.ts`) of a fitted part. */
export function balancedSection(p: BalancedProfile): NonNullable<ProfileArtifact["balanced"]> {
  return {
    predictor: predictorSection(p.predictor),
    pareto: paretoSection(p.pareto),
  };
}
