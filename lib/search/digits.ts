/**
 * Configurations as rows of bytes ("digits"), the layout of {@link Predictor.predictBatch}: the
 * choice index of each block, then the int8 flag (0 or 1). This is the mixed radix of
 * `configAt`, so row order can follow the enumeration order exactly.
 *
 * @module
 */
import type { SearchSpace, SubnetConfig } from "../supernet/space.ts";
import type { MetricsColumns, Predictor } from "./types.ts";

/** Bytes per configuration row: one per block plus the int8 flag. */
export function digitWidth(space: SearchSpace): number {
  return space.blocks.length + 1;
}

/** Write `config` into row `row` of `digits`. */
export function encodeConfig(
  space: SearchSpace,
  config: SubnetConfig,
  digits: Uint8Array,
  row: number,
): void {
  const w = digitWidth(space);
  const base = row * w;
  for (let i = 0; i < w - 1; i++) digits[base + i] = config.choices[i];
  digits[base + w - 1] = config.int8 ? 1 : 0;
}

/**
 * Read row `row` of `digits` as a configuration.
 *
 * @example
 * ```ts
 * import { createSearchSpace, largestConfig } from "../supernet/mod.ts";
 * import { decodeConfig, digitWidth, encodeConfig } from "./digits.ts";
 * import { loadTaskConfig } from "../config/task.ts";
 * const space = createSearchSpace((await loadTaskConfig("mnist")).config);
 * const digits = new Uint8Array(digitWidth(space));
 * encodeConfig(space, largestConfig(space), digits, 0);
 * console.assert(decodeConfig(space, digits, 0).choices.every((c) => c === 0));
 * ```
 */
export function decodeConfig(space: SearchSpace, digits: Uint8Array, row: number): SubnetConfig {
  const w = digitWidth(space);
  const base = row * w;
  const choices = Array.from(digits.subarray(base, base + w - 1));
  return { choices, int8: digits[base + w - 1] === 1 };
}

/** Empty metric columns of length `n`. */
export function metricsColumns(n: number): MetricsColumns {
  return {
    accuracy: new Float64Array(n),
    latencyMs: new Float64Array(n),
    energyMj: new Float64Array(n),
    bytes: new Float64Array(n),
  };
}

/**
 * Predict `count` rows of `digits` into `out`: the predictor's batch form when it has one, else
 * one {@link Predictor.predict} call per row.
 */
export function predictRows(
  space: SearchSpace,
  predictor: Predictor,
  digits: Uint8Array,
  count: number,
  out: MetricsColumns,
): void {
  if (predictor.predictBatch) {
    predictor.predictBatch(digits, count, out);
    return;
  }
  for (let r = 0; r < count; r++) {
    const m = predictor.predict(decodeConfig(space, digits, r));
    out.accuracy[r] = m.accuracy;
    out.latencyMs[r] = m.latencyMs;
    out.energyMj[r] = m.energyMj;
    out.bytes[r] = m.bytes;
  }
}
