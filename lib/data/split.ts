/**
 * Deterministic, group-aware, stratified train / val / test splits.
 *
 * The unit of assignment is a group (a subject, a mote's time block; a sample on its own when
 * the loader gives no groups), so no group straddles two splits. Groups are stratified by the
 * rarest class they contain, so a rare class (an anomaly present in a few time blocks) reaches
 * every split when it has enough groups to, and ungrouped data gets a class-stratified split.
 * Strata are taken rarest first; within one, the groups are shuffled by the seed, then each goes
 * to the split furthest below its target share of all samples assigned so far (relative
 * deficit). So the rarest stratum reaches every split with a non-zero fraction when it has
 * enough groups (train first, then test, then val), and the common strata that follow bring
 * the overall sizes close to the fractions.
 *
 * @module
 */
import type { Rng } from "../util/rng.ts";
import type { Samples } from "./types.ts";

/**
 * Version of the split and normalisation procedure, part of every cache key: bump it whenever
 * the same seed would assign or transform samples differently.
 */
export const SPLIT_VERSION = 1;

/** Fractions of the samples (or of the groups' samples) per held-out split. */
export interface SplitFractions {
  val: number;
  test: number;
}

/** Indices (into the samples) of each split, ascending. */
export interface SplitIndices {
  train: Int32Array;
  val: Int32Array;
  test: Int32Array;
}

// Tie-break order of the deficit rule: a stratum of one group trains, of two also tests.
const SPLITS = ["train", "test", "val"] as const;

/**
 * Split sample indices into train / val / test. Same `rng` seed, same split; `fractions.test`
 * may be 0 (when the source has an official test set).
 *
 * @example
 * ```ts
 * import { createRng } from "../util/rng.ts";
 * import { splitIndices } from "./split.ts";
 * const y = Int32Array.from({ length: 100 }, (_, i) => i % 2);
 * const s = splitIndices({ y }, { val: 0.1, test: 0.2 }, createRng(0).fork("split"));
 * console.assert(s.train.length === 70 && s.val.length === 10 && s.test.length === 20);
 * ```
 */
export function splitIndices(
  samples: Pick<Samples, "y" | "groups">,
  fractions: SplitFractions,
  rng: Rng,
): SplitIndices {
  const { y } = samples;
  const groups = samples.groups ?? Int32Array.from(y, (_, i) => i);
  if (groups.length !== y.length) {
    throw new RangeError(`groups has ${groups.length} entries for ${y.length} samples`);
  }
  // Members of each group, in first-seen order (deterministic).
  const members = new Map<number, number[]>();
  for (let i = 0; i < y.length; i++) {
    const list = members.get(groups[i]);
    if (list) list.push(i);
    else members.set(groups[i], [i]);
  }
  const classCount = new Map<number, number>();
  for (const label of y) classCount.set(label, (classCount.get(label) ?? 0) + 1);
  // Stratum of a group: its rarest class (ties broken by class index).
  const rarest = (list: number[]): number => {
    let best = y[list[0]];
    for (const i of list) {
      const c = y[i], nc = classCount.get(c)!, nb = classCount.get(best)!;
      if (nc < nb || (nc === nb && c < best)) best = c;
    }
    return best;
  };
  const strata = new Map<number, number[]>();
  for (const [g, list] of members) {
    const key = rarest(list);
    const gs = strata.get(key);
    if (gs) gs.push(g);
    else strata.set(key, [g]);
  }
  const out: Record<(typeof SPLITS)[number], number[]> = { train: [], test: [], val: [] };
  const share = {
    test: fractions.test,
    val: fractions.val,
    train: 1 - fractions.test - fractions.val,
  };
  const size = (g: number) => members.get(g)!.length;
  const stratumSize = new Map(
    [...strata].map(([key, gs]) => [key, gs.reduce((n, g) => n + size(g), 0)]),
  );
  // Rarest class's stratum first, with targets over everything assigned so far: the rare
  // stratum is spread over the splits, and the common ones that follow even out the fractions.
  const order = [...strata.keys()].sort((a, b) => classCount.get(a)! - classCount.get(b)! || a - b);
  const assigned = { train: 0, test: 0, val: 0 };
  let total = 0;
  for (const key of order) {
    total += stratumSize.get(key)!;
    for (const g of rng.shuffle(strata.get(key)!.slice())) {
      let pick: (typeof SPLITS)[number] = "train", best = -Infinity;
      for (const split of SPLITS) {
        if (share[split] <= 0) continue;
        const target = share[split] * total;
        const deficit = (target - assigned[split]) / target;
        if (deficit > best) [best, pick] = [deficit, split];
      }
      assigned[pick] += size(g);
      for (const i of members.get(g)!) out[pick].push(i);
    }
  }
  const sorted = (a: number[]) => Int32Array.from(a).sort();
  return { train: sorted(out.train), val: sorted(out.val), test: sorted(out.test) };
}

/**
 * At most `limit` of `indices`, drawn at random (then sorted), so a limited run sees a random
 * subset rather than the first samples of the file.
 *
 * @example
 * ```ts
 * import { createRng } from "../util/rng.ts";
 * import { limitIndices } from "./split.ts";
 * const idx = limitIndices(Int32Array.from([0, 1, 2, 3, 4]), 2, createRng(1));
 * console.assert(idx.length === 2 && idx[0] < idx[1]);
 * ```
 */
export function limitIndices(indices: Int32Array, limit: number | undefined, rng: Rng): Int32Array {
  if (limit === undefined || indices.length <= limit) return indices;
  const all = Array.from(indices);
  rng.shuffle(all);
  return Int32Array.from(all.slice(0, limit)).sort();
}

/**
 * Copy the samples at `indices` (x rows of `sampleSize` values, y, groups).
 *
 * @example
 * ```ts
 * import { takeSamples } from "./split.ts";
 * const s = { x: Float32Array.from([1, 2, 3, 4, 5, 6]), y: Int32Array.from([0, 1, 2]) };
 * const t = takeSamples(s, Int32Array.from([2, 0]), 2);
 * console.assert(t.x.join() === "5,6,1,2" && t.y.join() === "2,0");
 * ```
 */
export function takeSamples(samples: Samples, indices: Int32Array, sampleSize: number): Samples {
  const x = new Float32Array(indices.length * sampleSize);
  const y = new Int32Array(indices.length);
  const groups = samples.groups ? new Int32Array(indices.length) : undefined;
  indices.forEach((src, i) => {
    x.set(samples.x.subarray(src * sampleSize, (src + 1) * sampleSize), i * sampleSize);
    y[i] = samples.y[src];
    if (groups) groups[i] = samples.groups![src];
  });
  return groups ? { x, y, groups } : { x, y };
}

/**
 * At most `n` samples of a split, a seeded random subset kept in split order (all of them when
 * `n` is undefined or larger): the `--limit` of the training commands and the evaluation
 * suites. Not the first `n`: some splits are ordered by time or class (measured: the first 256
 * sensor training windows are all class 0, and the first 512 HAR windows miss a class).
 *
 * @example
 * ```ts
 * import { createRng } from "../util/rng.ts";
 * import { limitSamples } from "./split.ts";
 * const s = { x: new Float32Array([1, 2, 3, 4, 5, 6]), y: new Int32Array([0, 1, 0]) };
 * console.assert(limitSamples(s, 2, 2, createRng(0)).y.length === 2);
 * ```
 */
export function limitSamples(
  samples: Samples,
  n: number | undefined,
  sampleSize: number,
  rng: Rng,
): Samples {
  if (n === undefined || n >= samples.y.length) return samples;
  const all = Int32Array.from({ length: samples.y.length }, (_, i) => i);
  return takeSamples(samples, limitIndices(all, n, rng), sampleSize);
}
