/** Shared helpers for the search and context tests: a small space and brute-force oracles. */
import { modelSchema, operatorsSchema } from "../../lib/config/task.ts";
import { createSearchSpace, type SearchSpace } from "../../lib/supernet/space.ts";
import { enumerateConfigs } from "../../lib/supernet/enumerate.ts";
import type { SubnetConfig } from "../../lib/supernet/space.ts";
import { objectiveValue, violations } from "../../lib/search/objective.ts";
import type { Constraints, Metrics, Objective, Predictor } from "../../lib/search/types.ts";

/**
 * A 288-configuration space: plain block (6 choices), optional block (4), plain block (6), int8.
 */
export function smallSpace(): SearchSpace {
  return createSearchSpace({
    name: "small",
    model: modelSchema.parse({
      kind: "conv1d",
      stem: { channels: 8 },
      blocks: [
        { channels: 16, stride: 2 },
        { channels: 16, optional: true },
        { channels: 32, stride: 2 },
      ],
    }),
    operators: operatorsSchema.parse({
      width: [1, 0.5],
      fire: false,
      lowRank: { ranks: [0.5] },
    }),
  });
}

/** Every configuration with its metrics. */
export function allPredicted(
  space: SearchSpace,
  predictor: Predictor,
): { config: SubnetConfig; metrics: Metrics }[] {
  return [...enumerateConfigs(space)].map((config) => ({
    config,
    metrics: predictor.predict(config),
  }));
}

/** Brute force, written independently of the tracker: best feasible, else least violation. */
export function bruteForce(
  space: SearchSpace,
  predictor: Predictor,
  constraints: Constraints,
  objective: Objective,
): { objective: number; feasible: boolean; violation: number } {
  let best = { objective: -Infinity, feasible: false, violation: Infinity };
  for (const { metrics: m } of allPredicted(space, predictor)) {
    const v = violations(constraints, m.accuracy, m.latencyMs, m.bytes)
      .reduce((s, x) => s + x.normalized, 0);
    const o = objectiveValue(objective, m.accuracy, m.energyMj);
    const cand = { objective: o, feasible: v === 0, violation: v };
    const wins = best.objective === -Infinity ||
      (cand.feasible && !best.feasible) ||
      (cand.feasible && best.feasible && o > best.objective) ||
      (!cand.feasible && !best.feasible &&
        (v < best.violation || (v === best.violation && o > best.objective)));
    if (wins) best = cand;
  }
  return best;
}
