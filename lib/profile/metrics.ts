/**
 * Prediction-quality metrics: the latency ones nn-Meter reports (RMSPE, share within +-10%) and
 * the accuracy-predictor ones (RMSE, Kendall's tau-b, Spearman's rho), with ties handled.
 *
 * @module
 */

function checkPairs(predicted: readonly number[], actual: readonly number[]): void {
  if (predicted.length !== actual.length || predicted.length === 0) {
    throw new RangeError(
      `metrics need two non-empty series of equal length, got ${predicted.length} and ${actual.length}`,
    );
  }
}

/**
 * Root mean square percentage error, in percent: `100 sqrt(mean(((p - a) / a)^2))`.
 *
 * @example
 * ```ts
 * import { rmspe } from "./metrics.ts";
 * console.assert(Math.abs(rmspe([1.1, 0.9], [1, 1]) - 10) < 1e-9);
 * ```
 */
export function rmspe(predicted: readonly number[], actual: readonly number[]): number {
  checkPairs(predicted, actual);
  const s = predicted.reduce((acc, p, i) => acc + ((p - actual[i]) / actual[i]) ** 2, 0);
  return 100 * Math.sqrt(s / predicted.length);
}

/** Share (0..1) of predictions within `tolerance` (relative, default 0.1) of the actual value. */
export function withinShare(
  predicted: readonly number[],
  actual: readonly number[],
  tolerance = 0.1,
): number {
  checkPairs(predicted, actual);
  // A tiny slack so that a prediction exactly on the boundary counts despite rounding.
  const ok = predicted.filter((p, i) =>
    Math.abs(p - actual[i]) <= tolerance * Math.abs(actual[i]) + 1e-12
  );
  return ok.length / predicted.length;
}

/** Root mean square error. */
export function rmse(predicted: readonly number[], actual: readonly number[]): number {
  checkPairs(predicted, actual);
  return Math.sqrt(predicted.reduce((a, p, i) => a + (p - actual[i]) ** 2, 0) / predicted.length);
}

/**
 * Kendall's tau-b: concordant minus discordant pairs over the tie-corrected pair count
 * (O(n^2), fine for the few hundred held-out configurations a profile has). 0 when either
 * series is constant.
 *
 * @example
 * ```ts
 * import { kendallTau } from "./metrics.ts";
 * console.assert(kendallTau([1, 2, 3], [1, 2, 3]) === 1);
 * console.assert(kendallTau([1, 2, 3], [3, 2, 1]) === -1);
 * ```
 */
export function kendallTau(x: readonly number[], y: readonly number[]): number {
  checkPairs(x, y);
  let concordant = 0, discordant = 0, tiesX = 0, tiesY = 0, pairs = 0;
  for (let i = 0; i < x.length; i++) {
    for (let j = i + 1; j < x.length; j++) {
      const dx = Math.sign(x[i] - x[j]), dy = Math.sign(y[i] - y[j]);
      pairs++;
      if (dx === 0) tiesX++;
      if (dy === 0) tiesY++;
      if (dx !== 0 && dy !== 0) dx === dy ? concordant++ : discordant++;
    }
  }
  const denom = Math.sqrt((pairs - tiesX) * (pairs - tiesY));
  return denom === 0 ? 0 : (concordant - discordant) / denom;
}

/** Ranks 1..n, tied values sharing the average of their ranks. */
export function averageRanks(x: readonly number[]): number[] {
  const order = x.map((_, i) => i).sort((a, b) => x[a] - x[b]);
  const ranks = new Array<number>(x.length);
  for (let i = 0; i < order.length;) {
    let j = i;
    while (j + 1 < order.length && x[order[j + 1]] === x[order[i]]) j++;
    const r = (i + j) / 2 + 1;
    for (let t = i; t <= j; t++) ranks[order[t]] = r;
    i = j + 1;
  }
  return ranks;
}

/** Pearson correlation; 0 when either series is constant. */
export function pearson(x: readonly number[], y: readonly number[]): number {
  checkPairs(x, y);
  const n = x.length;
  const mx = x.reduce((a, b) => a + b, 0) / n, my = y.reduce((a, b) => a + b, 0) / n;
  let sxy = 0, sxx = 0, syy = 0;
  for (let i = 0; i < n; i++) {
    sxy += (x[i] - mx) * (y[i] - my);
    sxx += (x[i] - mx) ** 2;
    syy += (y[i] - my) ** 2;
  }
  return sxx === 0 || syy === 0 ? 0 : sxy / Math.sqrt(sxx * syy);
}

/**
 * Spearman's rho: the Pearson correlation of average ranks (the tie-correct definition).
 *
 * @example
 * ```ts
 * import { spearman } from "./metrics.ts";
 * console.assert(spearman([1, 2, 3, 4], [10, 20, 30, 400]) === 1);
 * ```
 */
export function spearman(x: readonly number[], y: readonly number[]): number {
  return pearson(averageRanks(x), averageRanks(y));
}
