/**
 * The two ends of a search space, used by the sandwich rule of ensemble training: the largest
 * configuration (the teacher) and the smallest one.
 *
 * @module
 */
import { blockWeights, resolveSubnet, spatialDims } from "./arch.ts";
import type { SearchSpace, SubnetConfig } from "./space.ts";

/**
 * The largest configuration: widest width, no skips, plain conv everywhere, float weights.
 * It is choice 0 of every block (choices are listed largest first).
 *
 * @example
 * ```ts
 * import { createSearchSpace } from "./space.ts";
 * import { largestConfig } from "./extremes.ts";
 * import { loadTaskConfig } from "../config/task.ts";
 * const space = createSearchSpace((await loadTaskConfig("har")).config);
 * console.assert(largestConfig(space).choices.every((c) => c === 0));
 * ```
 */
export function largestConfig(space: SearchSpace): SubnetConfig {
  return { choices: space.blocks.map(() => 0), int8: false };
}

/**
 * The smallest configuration: narrowest width, every optional block skipped (where
 * `operators.depth`), int8 weights (where offered), and in each remaining block the operator
 * with the fewest weights at that width (ties: pool order).
 *
 * The cheapest operator is chosen by weight count because it needs no input shape; a conv's
 * MACs are its weights times its output positions, so it is also the cheapest in MACs unless a
 * fire squeeze (which runs before the stride) tips the balance; the tests check both on every
 * shipped task. It is not always the fewest int8 bytes: per-channel scales and float biases weigh
 * in on tiny layers (on sensor, `lr.25-w.25` beats `dw-w.25` by 40 int8 bytes at equal params).
 *
 * @example
 * ```ts
 * import { createSearchSpace } from "./space.ts";
 * import { smallestConfig } from "./extremes.ts";
 * import { formatConfigId } from "./config_id.ts";
 * import { loadTaskConfig } from "../config/task.ts";
 * const space = createSearchSpace((await loadTaskConfig("mnist")).config);
 * console.assert(formatConfigId(space, smallestConfig(space)).includes("b1:skip"));
 * ```
 */
export function smallestConfig(space: SearchSpace): SubnetConfig {
  const narrowest = space.widths[space.widths.length - 1];
  // Start from the narrowest plain conv (or skip) everywhere; widths do not depend on the
  // operators, so each block's operator can then be chosen on its own.
  const choices = space.blocks.map((b) => {
    const skip = b.choices.findIndex((c) => c.op === "skip");
    if (skip >= 0) return skip;
    return b.choices.findIndex((c) => c.width === null || c.width === narrowest);
  });
  const dims = spatialDims(space.kind);
  space.blocks.forEach((b, i) => {
    if (b.choices[choices[i]].op === "skip") return;
    let best = { weights: Infinity, choice: choices[i] };
    b.choices.forEach((c, j) => {
      if (c.op === "skip" || (c.width !== null && c.width !== narrowest)) return;
      const trial = [...choices];
      trial[i] = j;
      const weights = blockWeights(
        resolveSubnet(space, { choices: trial, int8: false }).blocks[i],
        dims,
      );
      if (weights < best.weights) best = { weights, choice: j };
    });
    choices[i] = best.choice;
  });
  return { choices, int8: space.int8 };
}
