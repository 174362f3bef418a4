/**
 * Block variants of a search space and fast evaluation of additive per-block objectives over
 * every configuration.
 *
 * A block's cost depends on its choice and on its input width (the previous block's output
 * width), and the int8 flag; the spatial size at each block is fixed by the strides. So every
 * per-block quantity (LUT latency, weight bytes, a linear accuracy predictor's terms) is a table
 * indexed by (block, choice, input width, int8), and a configuration's value is a sum of table
 * entries plus a term that depends on the final width (the head). {@link evaluateSpace} walks
 * the whole space depth-first in enumeration order (`configAt` order) and writes each
 * objective into a Float64Array: 576,000 mnist configurations take milliseconds.
 *
 * @module
 */
import { keptChannels, type SearchSpace, type SubnetConfig } from "../supernet/space.ts";
import { spaceSize } from "../supernet/enumerate.ts";
import type { BlockVariant } from "./timing.ts";

/** The widths that can enter each block, and one configuration prefix reaching each. */
export interface WidthMap {
  /** `cins[i]`: possible input widths of block i, ascending; `cins[B]`: possible features. */
  readonly cins: readonly (readonly number[])[];
  /** `out[i][choice][cinIndex]`: index into `cins[i + 1]` of the output width. */
  readonly out: readonly (readonly (readonly number[])[])[];
  /** `prefix[i][cinIndex]`: choices of blocks 0..i-1 that give that input width. */
  readonly prefix: readonly (readonly (readonly number[])[])[];
}

function outWidth(space: SearchSpace, i: number, choice: number, cin: number): number {
  const b = space.blocks[i];
  const w = b.choices[choice].width;
  return w === null ? cin : keptChannels(b.channels, w);
}

/**
 * Propagate the possible widths through the blocks.
 *
 * @example
 * ```ts
 * import { createSearchSpace } from "../supernet/space.ts";
 * import { loadTaskConfig } from "../config/task.ts";
 * import { widthMap } from "./space_eval.ts";
 * const space = createSearchSpace((await loadTaskConfig("mnist")).config);
 * console.assert(widthMap(space).cins[0].length === 1);
 * ```
 */
export function widthMap(space: SearchSpace): WidthMap {
  const cins: number[][] = [[space.stem.channels]];
  const prefix: number[][][] = [[[]]];
  const out: number[][][] = [];
  space.blocks.forEach((b, i) => {
    const next = new Map<number, number[]>();
    b.choices.forEach((_, c) =>
      cins[i].forEach((cin, ci) => {
        const w = outWidth(space, i, c, cin);
        if (!next.has(w)) next.set(w, [...prefix[i][ci], c]);
      })
    );
    const widths = [...next.keys()].sort((x, y) => x - y);
    cins.push(widths);
    prefix.push(widths.map((w) => next.get(w)!));
    out.push(
      b.choices.map((_, c) => cins[i].map((cin) => widths.indexOf(outWidth(space, i, c, cin)))),
    );
  });
  return { cins, out, prefix };
}

/** Every block variant of a space (skip choices included), in block order. */
export function blockVariants(space: SearchSpace, map = widthMap(space)): BlockVariant[] {
  const out: BlockVariant[] = [];
  const flags = space.int8 ? [false, true] : [false];
  space.blocks.forEach((b, i) =>
    b.choices.forEach((_, choice) =>
      map.cins[i].forEach((cin) => {
        for (const int8 of flags) out.push({ block: i, choice, cin, int8 });
      })
    )
  );
  return out;
}

/** A configuration that runs `variant` (earlier blocks chosen to give its input width). */
export function configForVariant(
  space: SearchSpace,
  variant: BlockVariant,
  map = widthMap(space),
): SubnetConfig {
  const ci = map.cins[variant.block].indexOf(variant.cin);
  if (ci < 0) throw new RangeError(`width ${variant.cin} cannot enter block b${variant.block}`);
  const choices = space.blocks.map(() => 0);
  map.prefix[variant.block][ci].forEach((c, j) => (choices[j] = c));
  choices[variant.block] = variant.choice;
  return { choices, int8: variant.int8 };
}

/** An objective that is a sum of per-block terms plus a term of the final width. */
export interface AdditiveObjective {
  block(variant: BlockVariant): number;
  /** Stem, head, bias: everything that depends only on the features and the int8 flag. */
  rest(features: number, int8: boolean): number;
}

/**
 * Evaluate additive objectives on every configuration; column `k` holds objective `k` in
 * enumeration order. Refuses spaces above `maxConfigs` (default 5e6) to bound memory.
 */
export function evaluateSpace(
  space: SearchSpace,
  objectives: readonly AdditiveObjective[],
  maxConfigs = 5_000_000,
): Float64Array[] {
  const size = spaceSize(space);
  if (size > BigInt(maxConfigs)) {
    throw new RangeError(`space of ${size} configurations exceeds the limit ${maxConfigs}`);
  }
  const n = Number(size), k = objectives.length, B = space.blocks.length;
  const map = widthMap(space);
  const flags = space.int8 ? [false, true] : [false];
  // tables[o][i][f][choice * ncin + ci], rest[o][f][featureIndex]
  const tables = objectives.map((obj) =>
    space.blocks.map((b, i) =>
      flags.map((int8) => {
        const t = new Float64Array(b.choices.length * map.cins[i].length);
        b.choices.forEach((_, choice) =>
          map.cins[i].forEach((cin, ci) => {
            t[choice * map.cins[i].length + ci] = obj.block({ block: i, choice, cin, int8 });
          })
        );
        return t;
      })
    )
  );
  const rest = objectives.map((obj) =>
    flags.map((int8) => map.cins[B].map((f) => obj.rest(f, int8)))
  );
  const cols = objectives.map(() => new Float64Array(n));
  const partial = Array.from({ length: B + 1 }, () => new Float64Array(k * flags.length));
  let idx = 0;
  const walk = (i: number, ci: number) => {
    if (i === B) {
      for (let f = 0; f < flags.length; f++) {
        for (let o = 0; o < k; o++) {
          cols[o][idx] = partial[i][o * flags.length + f] + rest[o][f][ci];
        }
        idx++;
      }
      return;
    }
    const ncin = map.cins[i].length;
    const choices = space.blocks[i].choices.length;
    for (let c = 0; c < choices; c++) {
      for (let o = 0; o < k; o++) {
        for (let f = 0; f < flags.length; f++) {
          partial[i + 1][o * flags.length + f] = partial[i][o * flags.length + f] +
            tables[o][i][f][c * ncin + ci];
        }
      }
      walk(i + 1, map.out[i][c][ci]);
    }
  };
  walk(0, 0);
  return cols;
}

/**
 * An additive objective from a per-part function of whole configurations (`values[0]` the stem,
 * `values[1 + i]` block i, the last the head), e.g. the modeled latency or the weight bytes of
 * each part. Each variant is evaluated once, on a configuration that runs it.
 */
export function partsObjective(
  space: SearchSpace,
  perPart: (config: SubnetConfig) => readonly number[],
  constant = 0,
): AdditiveObjective {
  const map = widthMap(space);
  const B = space.blocks.length;
  return {
    block: (v) => perPart(configForVariant(space, v, map))[1 + v.block],
    rest: (features, int8) => {
      const fi = map.cins[B].indexOf(features);
      const choices = [...map.prefix[B][fi]];
      const values = perPart({ choices, int8 });
      return values[0] + values[B + 1] + constant;
    },
  };
}
