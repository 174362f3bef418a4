/**
 * Classification metrics from true and predicted labels: accuracy, balanced accuracy, per-class
 * and macro F1, and the confusion matrix they all derive from.
 *
 * Conventions (those of scikit-learn, so numbers compare): balanced accuracy is the mean recall
 * over the classes that occur in the true labels; a class's F1 is 0 when it has no true
 * positive (an undefined precision or recall counts as 0); macro F1 averages over the classes
 * that occur in the true or the predicted labels.
 *
 * @module
 */

/**
 * Which accuracy a figure, a prediction or a match is in: plain accuracy, or balanced accuracy
 * (mean per-class recall, the informative one on an imbalanced split).
 */
export type AccuracyMetric = "accuracy" | "balancedAccuracy";

/**
 * How an {@link AccuracyMetric} is named in text.
 *
 * @example
 * ```ts
 * import { accuracyMetricName } from "./metrics.ts";
 * console.assert(accuracyMetricName("balancedAccuracy") === "balanced accuracy");
 * ```
 */
export function accuracyMetricName(metric: AccuracyMetric): string {
  return metric === "accuracy" ? "accuracy" : "balanced accuracy";
}

/** `matrix[t][p]` = number of samples of true class t predicted as p. */
export type ConfusionMatrix = number[][];

/** All metrics of one evaluation. */
export interface ClassificationMetrics {
  count: number;
  accuracy: number;
  balancedAccuracy: number;
  macroF1: number;
  /** F1 per class, index = label. */
  perClassF1: number[];
  confusion: ConfusionMatrix;
}

function checkLabels(yTrue: ArrayLike<number>, yPred: ArrayLike<number>, classes: number): void {
  if (yTrue.length !== yPred.length) {
    throw new RangeError(`${yTrue.length} true labels but ${yPred.length} predictions`);
  }
  for (let i = 0; i < yTrue.length; i++) {
    for (const v of [yTrue[i], yPred[i]]) {
      if (!Number.isInteger(v) || v < 0 || v >= classes) {
        throw new RangeError(`label ${v} at index ${i} is outside 0..${classes - 1}`);
      }
    }
  }
}

/**
 * The confusion matrix of `classes` classes.
 *
 * @example
 * ```ts
 * import { confusionMatrix } from "./metrics.ts";
 * const m = confusionMatrix([0, 0, 1], [0, 1, 1], 2);
 * console.assert(JSON.stringify(m) === "[[1,1],[0,1]]");
 * ```
 */
export function confusionMatrix(
  yTrue: ArrayLike<number>,
  yPred: ArrayLike<number>,
  classes: number,
): ConfusionMatrix {
  checkLabels(yTrue, yPred, classes);
  const m = Array.from({ length: classes }, () => new Array<number>(classes).fill(0));
  for (let i = 0; i < yTrue.length; i++) m[yTrue[i]][yPred[i]]++;
  return m;
}

/** Fraction of correct predictions (0 for no samples). */
export function accuracy(m: ConfusionMatrix): number {
  const total = m.reduce((n, row) => n + row.reduce((a, b) => a + b, 0), 0);
  return total ? m.reduce((n, row, i) => n + row[i], 0) / total : 0;
}

/** Mean recall over the classes present in the true labels (0 for no samples). */
export function balancedAccuracy(m: ConfusionMatrix): number {
  let sum = 0, present = 0;
  m.forEach((row, i) => {
    const support = row.reduce((a, b) => a + b, 0);
    if (support) {
      sum += row[i] / support;
      present++;
    }
  });
  return present ? sum / present : 0;
}

/** F1 of each class: 2·TP / (2·TP + FP + FN), 0 when the class has no TP. */
export function perClassF1(m: ConfusionMatrix): number[] {
  return m.map((row, k) => {
    const tp = row[k];
    const fn = row.reduce((a, b) => a + b, 0) - tp;
    const fp = m.reduce((n, r) => n + r[k], 0) - tp;
    return tp ? (2 * tp) / (2 * tp + fp + fn) : 0;
  });
}

/** Mean F1 over the classes that occur in the true or predicted labels. */
export function macroF1(m: ConfusionMatrix): number {
  const f1 = perClassF1(m);
  const present = m.map((row, k) =>
    row.reduce((a, b) => a + b, 0) + m.reduce((n, r) => n + r[k], 0) > 0
  );
  const used = f1.filter((_, k) => present[k]);
  return used.length ? used.reduce((a, b) => a + b, 0) / used.length : 0;
}

/**
 * Every metric at once.
 *
 * @example
 * ```ts
 * import { classificationMetrics } from "./metrics.ts";
 * const r = classificationMetrics([0, 0, 0, 1], [0, 0, 1, 1], 2);
 * console.assert(r.accuracy === 0.75 && r.balancedAccuracy === (2 / 3 + 1) / 2);
 * ```
 */
export function classificationMetrics(
  yTrue: ArrayLike<number>,
  yPred: ArrayLike<number>,
  classes: number,
): ClassificationMetrics {
  const confusion = confusionMatrix(yTrue, yPred, classes);
  return {
    count: yTrue.length,
    accuracy: accuracy(confusion),
    balancedAccuracy: balancedAccuracy(confusion),
    macroF1: macroF1(confusion),
    perClassF1: perClassF1(confusion),
    confusion,
  };
}
