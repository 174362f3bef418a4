/**
 * Counting, indexing, enumerating and sampling the configurations of a {@link SearchSpace}.
 *
 * Configurations are numbered in mixed radix: block 0 is the most significant digit, the int8
 * flag (float before int8) the least. Index 0 is the largest configuration. Enumeration follows
 * that order, so it is deterministic and matches {@link configAt}.
 *
 * @module
 */
import type { Rng } from "../util/rng.ts";
import { assertConfig, type SearchSpace, type SubnetConfig } from "./space.ts";

/** The radix of every digit: per-block choice counts, then the int8 flag's (1 or 2). */
function radices(space: SearchSpace): number[] {
  return [...space.blocks.map((b) => b.choices.length), space.int8 ? 2 : 1];
}

/**
 * The exact number of configurations (a bigint: spaces can outgrow 2^53).
 *
 * @example
 * ```ts
 * import { createSearchSpace } from "./space.ts";
 * import { spaceSize } from "./enumerate.ts";
 * import { loadTaskConfig } from "../config/task.ts";
 * const space = createSearchSpace((await loadTaskConfig("mnist")).config);
 * console.assert(spaceSize(space) >= 10_000n);
 * ```
 */
export function spaceSize(space: SearchSpace): bigint {
  return radices(space).reduce((acc, r) => acc * BigInt(r), 1n);
}

/** The configuration at `index` in enumeration order (0 <= index < {@link spaceSize}). */
export function configAt(space: SearchSpace, index: bigint | number): SubnetConfig {
  let rest = BigInt(index);
  const size = spaceSize(space);
  if (rest < 0n || rest >= size) {
    throw new RangeError(`configuration index ${index} is outside 0..${size - 1n}`);
  }
  const rs = radices(space);
  const digits = new Array<number>(rs.length);
  for (let i = rs.length - 1; i >= 0; i--) {
    const r = BigInt(rs[i]);
    digits[i] = Number(rest % r);
    rest /= r;
  }
  return { choices: digits.slice(0, -1), int8: digits[rs.length - 1] === 1 };
}

/** The enumeration index of a configuration; the inverse of {@link configAt}. */
export function indexOfConfig(space: SearchSpace, config: SubnetConfig): bigint {
  assertConfig(space, config);
  const rs = radices(space);
  const digits = [...config.choices, config.int8 ? 1 : 0];
  return digits.reduce((acc, d, i) => acc * BigInt(rs[i]) + BigInt(d), 0n);
}

/**
 * Every configuration, in index order. The space can be large (see {@link spaceSize}): stop
 * early when you only need some.
 *
 * @example
 * ```ts
 * import { createSearchSpace } from "./space.ts";
 * import { enumerateConfigs } from "./enumerate.ts";
 * import { loadTaskConfig } from "../config/task.ts";
 * const space = createSearchSpace((await loadTaskConfig("sensor")).config);
 * const first = enumerateConfigs(space).next().value;
 * console.assert(first !== undefined && first.choices.every((c: number) => c === 0));
 * ```
 */
export function* enumerateConfigs(space: SearchSpace): Generator<SubnetConfig> {
  const rs = radices(space);
  const digits = rs.map(() => 0);
  while (true) {
    yield { choices: digits.slice(0, -1), int8: digits[rs.length - 1] === 1 };
    // Odometer increment, least significant digit last.
    let i = rs.length - 1;
    while (i >= 0 && ++digits[i] === rs[i]) digits[i--] = 0;
    if (i < 0) return;
  }
}

/**
 * A configuration drawn uniformly from the whole space: an independent uniform draw per block
 * and for the int8 flag, which is uniform over their product.
 *
 * @example
 * ```ts
 * import { createSearchSpace } from "./space.ts";
 * import { sampleConfig } from "./enumerate.ts";
 * import { createRng } from "../util/rng.ts";
 * import { loadTaskConfig } from "../config/task.ts";
 * const space = createSearchSpace((await loadTaskConfig("har")).config);
 * const a = sampleConfig(space, createRng(1)), b = sampleConfig(space, createRng(1));
 * console.assert(JSON.stringify(a) === JSON.stringify(b));
 * ```
 */
export function sampleConfig(space: SearchSpace, rng: Rng): SubnetConfig {
  const choices = space.blocks.map((b) => rng.int(b.choices.length));
  return { choices, int8: space.int8 ? rng.int(2) === 1 : false };
}
