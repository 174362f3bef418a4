/**
 * Accuracy of a configuration without running the validation set (DESIGN.md §5): a ridge
 * regression on (configuration, measured accuracy) pairs.
 *
 * Features: a one-hot indicator per block choice and the int8 flag. The model is then additive
 * over blocks (accuracy = bias + sum of per-choice effects), which suits a weight-sharing
 * supernet whose choices perturb accuracy roughly independently, needs few measured
 * configurations (about 70 features for mnist), and lets the Pareto search evaluate all
 * configurations in milliseconds. The penalty is chosen by k-fold cross-validation on the
 * training pairs; the intercept is not penalized.
 *
 * The regression is fitted to the logit of accuracy, not to accuracy: measured accuracy spans
 * 50%..98% with a long low tail, and in accuracy units those few poor configurations dominate the
 * squared loss and pull the per-choice effects away from what ranks the good ones (on the mnist
 * profile's 200 measured configurations, held-out Kendall tau rose from 0.61 to 0.71, mean over
 * 20 random 150/50 splits). The logit-space model is then mapped back by the least-squares affine
 * map onto the training accuracies; an affine map with a positive slope keeps the model additive
 * (so {@link accuracyObjective} and the stored weights are unchanged in form) and keeps its
 * ranking, at the cost of a less exact scale at the extremes. A small MLP or boosted trees were not added:
 * with the few hundred pairs a profile measures, they would need their own validation to earn a
 * place, and the held-out metrics below say whether the linear model suffices.
 *
 * @module
 */
import { AdaspringError } from "../errors.ts";
import type { Rng } from "../util/rng.ts";
import { formatConfigId } from "../supernet/config_id.ts";
import type { SearchSpace, SubnetConfig } from "../supernet/space.ts";
import { kendallTau, rmse, spearman } from "./metrics.ts";
import type { AdditiveObjective } from "./space_eval.ts";

/** A fitted ridge model. */
export interface RidgeModel {
  readonly kind: "ridge";
  readonly lambda: number;
  /** `b<i>:<token>` per block choice, then `int8`. */
  readonly featureNames: readonly string[];
  readonly weights: readonly number[];
  readonly intercept: number;
}

/** One measured configuration. */
export interface AccuracySample {
  readonly config: SubnetConfig;
  readonly accuracy: number;
  /** Accuracies on the even- and odd-indexed validation samples, when measured. */
  readonly halves?: readonly [number, number];
}

/** Held-out quality of the predictor. */
export interface PredictorQuality {
  readonly kendallTau: number;
  readonly spearman: number;
  readonly rmse: number;
  readonly n: number;
  /**
   * Kendall tau between the held-out configurations' accuracies on the even and on the odd
   * validation samples (split halves): how consistently the measurement itself ranks them at
   * half the samples. A predictor's tau against the full measurement is limited by the same
   * noise (less so, at twice the samples); `null` when halves were not measured.
   */
  readonly splitHalfTau: number | null;
}

/** Feature names of a space, in feature order. */
export function featureNames(space: SearchSpace): string[] {
  return [
    ...space.blocks.flatMap((b, i) => b.choices.map((c) => `b${i}:${c.token}`)),
    "int8",
  ];
}

/** The feature vector of a configuration. */
export function features(space: SearchSpace, config: SubnetConfig): Float64Array {
  const x = new Float64Array(space.blocks.reduce((a, b) => a + b.choices.length, 0) + 1);
  let offset = 0;
  space.blocks.forEach((b, i) => {
    x[offset + config.choices[i]] = 1;
    offset += b.choices.length;
  });
  x[offset] = config.int8 ? 1 : 0;
  return x;
}

/** Solve the symmetric positive definite system `A x = b` by Cholesky (A is overwritten). */
function choleskySolve(a: Float64Array[], b: Float64Array): Float64Array {
  const n = b.length;
  for (let j = 0; j < n; j++) {
    let d = a[j][j];
    for (let k = 0; k < j; k++) d -= a[j][k] * a[j][k];
    if (!(d > 0)) throw new RangeError("ridge system is not positive definite");
    a[j][j] = Math.sqrt(d);
    for (let i = j + 1; i < n; i++) {
      let s = a[i][j];
      for (let k = 0; k < j; k++) s -= a[i][k] * a[j][k];
      a[i][j] = s / a[j][j];
    }
  }
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = b[i];
    for (let k = 0; k < i; k++) s -= a[i][k] * y[k];
    y[i] = s / a[i][i];
  }
  const x = new Float64Array(n);
  for (let i = n - 1; i >= 0; i--) {
    let s = y[i];
    for (let k = i + 1; k < n; k++) s -= a[k][i] * x[k];
    x[i] = s / a[i][i];
  }
  return x;
}

/**
 * Closed-form ridge regression with an unpenalized intercept:
 * `w = (Xc'Xc + lambda I)^-1 Xc'yc` on centered data, `b = mean(y) - mean(x) . w`.
 */
export function fitRidge(
  xs: readonly Float64Array[],
  ys: readonly number[],
  lambda: number,
): { weights: Float64Array; intercept: number } {
  const n = xs.length, p = xs[0].length;
  const mx = new Float64Array(p);
  for (const x of xs) for (let j = 0; j < p; j++) mx[j] += x[j] / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  const a = Array.from({ length: p }, () => new Float64Array(p));
  const b = new Float64Array(p);
  const xc = new Float64Array(p);
  xs.forEach((x, i) => {
    for (let j = 0; j < p; j++) xc[j] = x[j] - mx[j];
    for (let j = 0; j < p; j++) {
      b[j] += xc[j] * (ys[i] - my);
      for (let k = 0; k <= j; k++) a[j][k] += xc[j] * xc[k];
    }
  });
  for (let j = 0; j < p; j++) {
    a[j][j] += lambda;
    for (let k = 0; k < j; k++) a[k][j] = a[j][k];
  }
  const weights = choleskySolve(a, b);
  const intercept = my - weights.reduce((s, w, j) => s + w * mx[j], 0);
  return { weights, intercept };
}

/** Predicted accuracy of a configuration. */
export function predictAccuracy(
  space: SearchSpace,
  model: RidgeModel,
  config: SubnetConfig,
): number {
  const x = features(space, config);
  return model.weights.reduce((s, w, j) => s + w * x[j], model.intercept);
}

/**
 * A predicted accuracy as a reported figure: clamped into [0, 1]. The additive model itself is
 * unbounded (its affine map back from logits can overshoot at the extremes, e.g. 1.03 for the
 * largest configuration); searches rank with the raw value, which the clamp does not reorder.
 *
 * @example
 * ```ts
 * import { reportedAccuracy } from "./accuracy_predictor.ts";
 * console.assert(reportedAccuracy(1.03) === 1 && reportedAccuracy(0.9) === 0.9);
 * ```
 */
export function reportedAccuracy(predicted: number): number {
  return Math.min(1, Math.max(0, predicted));
}

/** The model as an additive objective (per-block effects), for whole-space evaluation. */
export function accuracyObjective(space: SearchSpace, model: RidgeModel): AdditiveObjective {
  const offsets = space.blocks.reduce<number[]>(
    (acc, b, i) => [...acc, acc[i] + b.choices.length],
    [0],
  );
  const int8 = model.weights[offsets[space.blocks.length]];
  return {
    block: (v) => model.weights[offsets[v.block] + v.choice],
    rest: (_features, q) => model.intercept + (q ? int8 : 0),
  };
}

/** Options of {@link fitAccuracyPredictor}. */
export interface FitOptions {
  readonly rng: Rng;
  /** Share of pairs held out for the quality metrics (default 0.25). */
  readonly heldOut?: number;
  /** Penalties tried by cross-validation (default 1e-4 .. 1e2). */
  readonly lambdas?: readonly number[];
  readonly folds?: number;
}

/** The fitted predictor, its held-out quality, and the points for a predicted-vs-measured plot. */
export interface AccuracyFit {
  readonly model: RidgeModel;
  readonly quality: PredictorQuality;
  readonly points: readonly {
    readonly id: string;
    readonly measured: number;
    readonly predicted: number;
    readonly heldOut: boolean;
  }[];
}

function cvError(
  xs: Float64Array[],
  ys: number[],
  lambda: number,
  folds: number[][],
): number {
  let sq = 0, n = 0;
  for (const fold of folds) {
    const hold = new Set(fold);
    const tr = xs.map((_, i) => i).filter((i) => !hold.has(i));
    const { weights, intercept } = fitRidge(tr.map((i) => xs[i]), tr.map((i) => ys[i]), lambda);
    for (const i of fold) {
      const p = weights.reduce((s, w, j) => s + w * xs[i][j], intercept);
      sq += (p - ys[i]) ** 2;
      n++;
    }
  }
  return sq / n;
}

/** Accuracies are clamped this far from 0 and 1 so that their logit stays finite. */
const LOGIT_EPS = 1e-3;

/** `log(a / (1 - a))` of an accuracy clamped into `[LOGIT_EPS, 1 - LOGIT_EPS]`. */
export function logit(accuracy: number): number {
  const a = Math.min(1 - LOGIT_EPS, Math.max(LOGIT_EPS, accuracy));
  return Math.log(a / (1 - a));
}

/**
 * Least-squares `y ~ slope * z + offset`, with the slope kept positive so that the mapped model
 * ranks configurations as the logit model does. When the fit gives no positive slope (constant
 * `z`, or a degenerate sample), the slope is the logistic's derivative at the mean accuracy:
 * the first-order inverse of the logit there.
 */
export function affineCalibration(
  z: readonly number[],
  y: readonly number[],
): { slope: number; offset: number } {
  const n = z.length;
  const mz = z.reduce((a, b) => a + b, 0) / n, my = y.reduce((a, b) => a + b, 0) / n;
  let szz = 0, szy = 0;
  for (let i = 0; i < n; i++) {
    szz += (z[i] - mz) ** 2;
    szy += (z[i] - mz) * (y[i] - my);
  }
  const fallback = Math.max(LOGIT_EPS, my * (1 - my));
  const slope = szz > 0 && szy > 0 ? szy / szz : fallback;
  return { slope, offset: my - slope * mz };
}

/**
 * Fit the ridge predictor on measured pairs and evaluate it on a held-out share. The ridge is
 * fitted to the logit of accuracy and mapped back affinely (see the module doc); the penalty is
 * chosen by cross-validation on the training share only.
 *
 * @example
 * ```ts
 * import { createSearchSpace, sampleConfig } from "../supernet/mod.ts";
 * import { createRng } from "../util/rng.ts";
 * import { loadTaskConfig } from "../config/task.ts";
 * import { fitAccuracyPredictor } from "./accuracy_predictor.ts";
 * const space = createSearchSpace((await loadTaskConfig("sensor")).config);
 * const rng = createRng(0);
 * const samples = Array.from({ length: 40 }, () => {
 *   const config = sampleConfig(space, rng);
 *   return { config, accuracy: 0.9 - 0.01 * config.choices.reduce((a, b) => a + b, 0) };
 * });
 * const fit = fitAccuracyPredictor(space, samples, { rng: rng.fork("fit") });
 * console.assert(fit.quality.spearman > 0.5);
 * ```
 */
export function fitAccuracyPredictor(
  space: SearchSpace,
  samples: readonly AccuracySample[],
  options: FitOptions,
): AccuracyFit {
  if (samples.length < 4) {
    throw new AdaspringError(
      `the accuracy predictor needs at least 4 measured configurations, got ${samples.length}; ` +
        `measure more configurations.`,
    );
  }
  const lambdas = options.lambdas ?? [1e-4, 1e-3, 1e-2, 1e-1, 1, 10, 100];
  const order = options.rng.shuffle(samples.map((_, i) => i));
  const nTest = Math.max(1, Math.round((options.heldOut ?? 0.25) * samples.length));
  const test = new Set(order.slice(0, nTest));
  const train = order.slice(nTest);
  const xs = train.map((i) => features(space, samples[i].config));
  const ys = train.map((i) => samples[i].accuracy);
  const k = Math.max(2, Math.min(options.folds ?? 5, train.length));
  const folds = Array.from({ length: k }, (_, f) => xs.map((_, i) => i).filter((i) => i % k === f));
  const zs = ys.map(logit);
  let best = lambdas[0], bestErr = Infinity;
  for (const l of lambdas) {
    const err = cvError(xs, zs, l, folds);
    if (err < bestErr) [best, bestErr] = [l, err];
  }
  const fitted = fitRidge(xs, zs, best);
  const z = xs.map((x) => fitted.weights.reduce((s, w, j) => s + w * x[j], fitted.intercept));
  const { slope, offset } = affineCalibration(z, ys);
  const model: RidgeModel = {
    kind: "ridge",
    lambda: best,
    featureNames: featureNames(space),
    weights: [...fitted.weights].map((w) => slope * w),
    intercept: slope * fitted.intercept + offset,
  };
  const predicted = samples.map((s) => predictAccuracy(space, model, s.config));
  const testIdx = [...test].sort((a, b) => a - b);
  const p = testIdx.map((i) => predicted[i]), a = testIdx.map((i) => samples[i].accuracy);
  const halves = testIdx.map((i) => samples[i].halves);
  const splitHalfTau = halves.every((h) => h !== undefined) && halves.length > 1
    ? kendallTau(halves.map((h) => h![0]), halves.map((h) => h![1]))
    : null;
  return {
    model,
    quality: {
      kendallTau: kendallTau(p, a),
      spearman: spearman(p, a),
      rmse: rmse(p, a),
      n: p.length,
      splitHalfTau,
    },
    points: samples.map((s, i) => ({
      id: formatConfigId(space, s.config),
      measured: s.accuracy,
      predicted: predicted[i],
      heldOut: test.has(i),
    })),
  };
}
