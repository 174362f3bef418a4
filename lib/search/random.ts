/**
 * Random search: uniform draws from the whole space until the budget runs out. The baseline the
 * other bounded searches must beat.
 *
 * @module
 */
import { sampleConfig } from "../supernet/enumerate.ts";
import type { SearchSpace, SubnetConfig } from "../supernet/space.ts";
import type { Rng } from "../util/rng.ts";
import { type Budget, type Clock, withinBudget } from "./budget.ts";
import type { Tracker } from "./tracker.ts";
import type { Predictor } from "./types.ts";

/** Offer random configurations to `tracker` within `budget`; returns the evaluated configs. */
export function scanRandom(
  space: SearchSpace,
  predictor: Predictor,
  tracker: Tracker,
  budget: Budget,
  rng: Rng,
  clock: Clock,
): SubnetConfig[] {
  if (budget.timeBudgetMs === Infinity && budget.maxEvaluations === Infinity) {
    throw new RangeError("random search needs a finite time or evaluation budget");
  }
  const start = clock();
  const seen: SubnetConfig[] = [];
  while (withinBudget(budget, tracker.evaluated, start, clock)) {
    const config = sampleConfig(space, rng);
    seen.push(config);
    tracker.offerMetrics(predictor.predict(config), seen.length - 1);
  }
  return seen;
}
