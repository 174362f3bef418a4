/**
 * Moves in the search space for greedy and evolutionary searches: one-choice mutations
 * (neighbours) and uniform crossover. Both stay inside the space by construction.
 *
 * @module
 */
import type { Rng } from "../util/rng.ts";
import { assertConfig, type SearchSpace, type SubnetConfig } from "./space.ts";

/**
 * Every configuration that differs from `config` in exactly one choice: one block's choice
 * replaced by another of that block's choices, or the int8 flag flipped (when offered).
 * Deterministic order: block 0 first, choices in space order, the int8 flip last.
 *
 * @example
 * ```ts
 * import { createSearchSpace } from "./space.ts";
 * import { largestConfig } from "./extremes.ts";
 * import { neighbours } from "./mutate.ts";
 * import { loadTaskConfig } from "../config/task.ts";
 * const space = createSearchSpace((await loadTaskConfig("mnist")).config);
 * const n = space.blocks.reduce((s, b) => s + b.choices.length - 1, 0) + 1;
 * console.assert(neighbours(space, largestConfig(space)).length === n);
 * ```
 */
export function neighbours(space: SearchSpace, config: SubnetConfig): SubnetConfig[] {
  assertConfig(space, config);
  const out: SubnetConfig[] = [];
  space.blocks.forEach((b, i) => {
    for (let c = 0; c < b.choices.length; c++) {
      if (c !== config.choices[i]) out.push(withChoice(config, i, c));
    }
  });
  if (space.int8) out.push({ choices: [...config.choices], int8: !config.int8 });
  return out;
}

/** The number of neighbours of any configuration (the same for all of them). */
export function neighbourCount(space: SearchSpace): number {
  return space.blocks.reduce((s, b) => s + b.choices.length - 1, 0) + (space.int8 ? 1 : 0);
}

/**
 * One neighbour drawn uniformly (without building the whole list).
 *
 * @example
 * ```ts
 * import { createSearchSpace } from "./space.ts";
 * import { largestConfig } from "./extremes.ts";
 * import { randomNeighbour } from "./mutate.ts";
 * import { createRng } from "../util/rng.ts";
 * import { loadTaskConfig } from "../config/task.ts";
 * const space = createSearchSpace((await loadTaskConfig("har")).config);
 * const m = randomNeighbour(space, largestConfig(space), createRng(3));
 * console.assert(m.choices.filter((c) => c !== 0).length + (m.int8 ? 1 : 0) === 1);
 * ```
 */
export function randomNeighbour(space: SearchSpace, config: SubnetConfig, rng: Rng): SubnetConfig {
  assertConfig(space, config);
  const total = neighbourCount(space);
  if (total === 0) return config;
  let k = rng.int(total);
  for (let i = 0; i < space.blocks.length; i++) {
    const others = space.blocks[i].choices.length - 1;
    if (k < others) {
      // Skip over the current choice so every other choice is equally likely.
      return withChoice(config, i, k >= config.choices[i] ? k + 1 : k);
    }
    k -= others;
  }
  return { choices: [...config.choices], int8: !config.int8 };
}

/**
 * Uniform crossover: each block's choice, and the int8 flag, comes from `a` or `b` with
 * probability 1/2.
 *
 * @example
 * ```ts
 * import { createSearchSpace } from "./space.ts";
 * import { largestConfig } from "./extremes.ts";
 * import { crossover } from "./mutate.ts";
 * import { createRng } from "../util/rng.ts";
 * import { loadTaskConfig } from "../config/task.ts";
 * const space = createSearchSpace((await loadTaskConfig("har")).config);
 * const a = largestConfig(space);
 * console.assert(JSON.stringify(crossover(space, a, a, createRng(0))) === JSON.stringify(a));
 * ```
 */
export function crossover(
  space: SearchSpace,
  a: SubnetConfig,
  b: SubnetConfig,
  rng: Rng,
): SubnetConfig {
  assertConfig(space, a);
  assertConfig(space, b);
  const choices = a.choices.map((c, i) => rng.int(2) === 0 ? c : b.choices[i]);
  return { choices, int8: rng.int(2) === 0 ? a.int8 : b.int8 };
}

function withChoice(config: SubnetConfig, block: number, choice: number): SubnetConfig {
  const choices = [...config.choices];
  choices[block] = choice;
  return { choices, int8: config.int8 };
}
