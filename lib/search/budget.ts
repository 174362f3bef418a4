/**
 * Budgets of the bounded searches (evolution, greedy, random): a wall-clock budget and an
 * evaluation budget, whichever runs out first. Tests set the time budget to `Infinity` and count
 * evaluations, so their results do not depend on the machine's speed.
 *
 * @module
 */

/** A monotonic clock in milliseconds (injectable for tests). */
export type Clock = () => number;

/** The default clock: `performance.now()`. */
export const systemClock: Clock = () => performance.now();

/** Budget of one bounded search. */
export interface Budget {
  /** Stop after this many milliseconds (default 5). */
  readonly timeBudgetMs: number;
  /** Stop after this many evaluated configurations (default 2000). */
  readonly maxEvaluations: number;
}

/** The defaults: 5 ms (an interactive re-search), 2000 evaluations. */
export const DEFAULT_BUDGET: Budget = { timeBudgetMs: 5, maxEvaluations: 2000 };

/** True while both budgets allow another evaluation (the first one always is, budget permitting >= 1). */
export function withinBudget(
  budget: Budget,
  evaluated: number,
  startMs: number,
  clock: Clock,
): boolean {
  if (evaluated >= budget.maxEvaluations) return false;
  // The first evaluation is always allowed, so every search has an answer.
  return evaluated === 0 || budget.timeBudgetMs === Infinity ||
    clock() - startMs < budget.timeBudgetMs;
}
