/**
 * How balanced a split's classes are, from its class counts: the evaluation calls a test split
 * imbalanced when plain accuracy stops telling models apart (answering the largest class
 * everywhere scores high), and then reports and matches on balanced accuracy instead.
 *
 * @module
 */

/**
 * A test split is called imbalanced when its largest class has at least this many times the
 * samples of its smallest (of the classes it has).
 */
export const IMBALANCE_RATIO = 2;

/** How a test split's classes are balanced, from its class counts. */
export interface TestBalance {
  readonly total: number;
  /** Samples of the largest and of the smallest class present. */
  readonly largest: number;
  readonly smallest: number;
  /** Accuracy of answering the largest class everywhere: `largest / total`. */
  readonly majorityAccuracy: number;
  /** `largest >= IMBALANCE_RATIO x smallest`. */
  readonly imbalanced: boolean;
}

/**
 * The balance of a test split of class counts `counts` (index = label); null when the counts
 * are unknown (reports written before they were recorded) or there are no samples.
 *
 * @example
 * ```ts
 * import { testBalance } from "./balance.ts";
 * const b = testBalance([769, 7])!;
 * console.assert(b.imbalanced && b.majorityAccuracy === 769 / 776);
 * ```
 */
export function testBalance(counts: readonly number[] | undefined): TestBalance | null {
  const present = (counts ?? []).filter((n) => n > 0);
  if (present.length === 0) return null;
  const total = present.reduce((a, b) => a + b, 0);
  const largest = Math.max(...present), smallest = Math.min(...present);
  return {
    total,
    largest,
    smallest,
    majorityAccuracy: largest / total,
    imbalanced: largest >= IMBALANCE_RATIO * smallest,
  };
}
