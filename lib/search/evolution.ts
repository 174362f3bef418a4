/**
 * Bounded evolutionary search, Once-for-All style: a population seeded with the two extreme
 * configurations and random ones; each generation keeps the best quarter as parents and refills
 * with children made by uniform crossover of two parents and/or one or two single-choice
 * mutations. Constraint handling is by ranking (`tracker.ts`): feasible before infeasible, then
 * objective, infeasible ones by their total violation, so the population is pulled into the
 * feasible region and then up the objective.
 *
 * @module
 */
import { sampleConfig } from "../supernet/enumerate.ts";
import { largestConfig, smallestConfig } from "../supernet/extremes.ts";
import { crossover, randomNeighbour } from "../supernet/mutate.ts";
import type { SearchSpace, SubnetConfig } from "../supernet/space.ts";
import type { Rng } from "../util/rng.ts";
import type { Evaluator } from "./evaluator.ts";
import { better, type Score } from "./tracker.ts";

/** Shape of the evolutionary search. */
export interface EvolutionOptions {
  /** Individuals per generation (default 32). */
  readonly population: number;
  /** Share of the population kept as parents (default 0.25). */
  readonly parentShare: number;
  /** Probability that a child comes from crossover rather than mutation alone (default 0.5). */
  readonly crossoverRate: number;
}

/** The defaults of {@link EvolutionOptions}. */
export const DEFAULT_EVOLUTION: EvolutionOptions = {
  population: 32,
  parentShare: 0.25,
  crossoverRate: 0.5,
};

/** Tries to make a child not evaluated before, before giving up on that slot. */
const FRESH_TRIES = 8;

interface Individual {
  config: SubnetConfig;
  score: Score;
}

/** Run the evolution until the evaluator's budget is spent or no new child can be made. */
export function evolve(
  space: SearchSpace,
  evaluator: Evaluator,
  rng: Rng,
  options: EvolutionOptions = DEFAULT_EVOLUTION,
): void {
  const size = Math.max(2, Math.floor(options.population));
  const parentCount = Math.max(1, Math.min(size - 1, Math.round(size * options.parentShare)));
  const seeds = [largestConfig(space), smallestConfig(space)];
  while (seeds.length < size) seeds.push(sampleConfig(space, rng));
  let population = rank(seeds, evaluator);
  while (evaluator.open && population.length > 0) {
    const parents = population.slice(0, parentCount);
    const children: SubnetConfig[] = [];
    for (let i = parents.length; i < size; i++) {
      const child = freshChild(space, parents, evaluator, rng, options.crossoverRate);
      if (child !== null) children.push(child);
    }
    // A generation with nothing new means the neighbourhood of the parents is exhausted.
    if (children.length === 0) break;
    population = rank([...parents.map((p) => p.config), ...children], evaluator);
  }
}

function rank(configs: SubnetConfig[], evaluator: Evaluator): Individual[] {
  const out: Individual[] = [];
  for (const config of configs) {
    const score = evaluator.score(config);
    if (score !== null) out.push({ config, score });
  }
  return out.sort((a, b) => better(a.score, b.score) ? -1 : better(b.score, a.score) ? 1 : 0);
}

function freshChild(
  space: SearchSpace,
  parents: Individual[],
  evaluator: Evaluator,
  rng: Rng,
  crossoverRate: number,
): SubnetConfig | null {
  const pick = () => parents[rng.int(parents.length)].config;
  for (let t = 0; t < FRESH_TRIES; t++) {
    let child = rng.next() < crossoverRate ? crossover(space, pick(), pick(), rng) : pick();
    child = randomNeighbour(space, child, rng);
    if (rng.next() < 0.5) child = randomNeighbour(space, child, rng);
    if (!evaluator.has(child)) return child;
  }
  return null;
}
