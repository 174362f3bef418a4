/** Helpers for the ensemble-training tests: a tiny 2-D space with every operator, a store. */
import { createSearchSpace, type SearchSpace } from "../../lib/supernet/space.ts";
import { modelSchema, operatorsSchema } from "../../lib/config/task.ts";
import { createWeightStore, type WeightStore } from "../../lib/supernet/weights.ts";
import { createRng } from "../../lib/util/rng.ts";

export const TINY_IO = { inputChannels: 1, numClasses: 3 };
export const TINY_INPUT = [1, 6, 6];

/** Stem 4, a strided block of 4 and a residual optional block, every operator on. */
export function tinyEnsembleSpace(): SearchSpace {
  return createSearchSpace({
    name: "tiny",
    model: modelSchema.parse({
      kind: "conv2d",
      stem: { channels: 4, kernel: 3, stride: 1 },
      blocks: [
        { channels: 4, kernel: 3, stride: 2 },
        { channels: 4, kernel: 3, stride: 1, optional: true },
      ],
    }),
    operators: operatorsSchema.parse({
      width: [1, 0.5],
      depth: true,
      depthwise: true,
      fire: { squeeze: 0.5 },
      lowRank: { ranks: [0.5] },
      int8: true,
    }),
  });
}

/** A store with random BN affine parameters too (so their gradients are non-trivial). */
export function tinyStore(space: SearchSpace, seed: number): WeightStore {
  const store = createWeightStore(space, TINY_IO, seed);
  const rng = createRng(seed).fork("affine");
  for (const [name, t] of store.tensors) {
    if (name.endsWith(".gamma")) t.data.forEach((_, i) => t.data[i] = rng.uniform(0.5, 1.5));
    if (name.endsWith(".beta") || name === "head.b") {
      t.data.forEach((_, i) => t.data[i] = rng.uniform(-0.3, 0.3));
    }
  }
  return store;
}

/** `n` random samples of {@link TINY_INPUT} with labels in 0..2. */
export function tinyBatch(n: number, seed: number) {
  const rng = createRng(seed).fork("batch");
  const x = Float32Array.from({ length: n * 36 }, () => rng.normal());
  const y = BigInt64Array.from({ length: n }, () => BigInt(rng.int(3)));
  return { x, y, inputShape: TINY_INPUT };
}
