/**
 * Greedy search, NetAdapt style: start from the largest configuration and, while it breaks a
 * constraint, take the single-choice change (neighbour) that removes the most violation per unit
 * of objective given up; once feasible, keep taking the best feasible neighbour while it raises
 * the objective. A descent can get stuck while still infeasible (every move that cuts latency
 * breaks the accuracy floor, say): then, budget permitting, it restarts from a random
 * configuration, and the best configuration over all descents is the answer. Seeded; bounded by
 * the evaluator's budget.
 *
 * @module
 */
import { sampleConfig } from "../supernet/enumerate.ts";
import { largestConfig } from "../supernet/extremes.ts";
import { neighbours } from "../supernet/mutate.ts";
import type { SearchSpace, SubnetConfig } from "../supernet/space.ts";
import type { Rng } from "../util/rng.ts";
import type { Evaluator } from "./evaluator.ts";
import type { Score } from "./tracker.ts";

/** Objective loss below which a step counts as free (avoids dividing by zero). */
const EPS = 1e-9;

/** Restarts in a row that find nothing new before giving up. */
const MAX_FRUITLESS = 16;

/** Run the greedy descent then ascent, with restarts while stuck infeasible (see module doc). */
export function greedy(space: SearchSpace, evaluator: Evaluator, rng: Rng): void {
  let start = largestConfig(space);
  let fruitless = 0;
  while (fruitless < MAX_FRUITLESS) {
    const before = evaluator.seen.length;
    const end = descend(space, evaluator, start);
    if (end === null || end.feasible || !evaluator.open) return;
    // Descents that evaluate nothing new mean the reachable space is exhausted.
    fruitless = evaluator.seen.length === before ? fruitless + 1 : 0;
    start = sampleConfig(space, rng);
  }
}

/** One descent from `start`; its final score, or null when the budget ran out. */
function descend(space: SearchSpace, evaluator: Evaluator, start: SubnetConfig): Score | null {
  let current = start;
  let score = evaluator.score(current);
  while (score !== null) {
    let next: { config: SubnetConfig; score: Score; gain: number } | null = null;
    for (const n of neighbours(space, current)) {
      const s = evaluator.score(n);
      if (s === null) return null;
      const gain = stepGain(score, s);
      if (gain > 0 && (next === null || gain > next.gain)) next = { config: n, score: s, gain };
    }
    if (next === null) return score;
    current = next.config;
    score = next.score;
  }
  return null;
}

/**
 * How good a move from `from` to `to` is (> 0 to be worth taking). While infeasible: a move to a
 * feasible neighbour beats any other (ranked by objective); else violation removed per objective
 * lost. Once feasible: objective gained, feasible neighbours only.
 */
function stepGain(from: Score, to: Score): number {
  if (from.feasible) return to.feasible ? to.objective - from.objective : 0;
  if (to.feasible) return 1e12 + to.objective;
  const reduced = from.violation - to.violation;
  if (reduced <= 0) return 0;
  return reduced / Math.max(EPS, from.objective - to.objective);
}
