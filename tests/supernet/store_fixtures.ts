/** Helpers for the weight-store tests: a mnist space, a store with non-trivial BN, stats. */
import { loadTaskConfig } from "../../lib/config/task.ts";
import type { BnStatistics, BnStats } from "../../lib/supernet/materialize.ts";
import { planConvs } from "../../lib/supernet/derive.ts";
import { planSubnet } from "../../lib/supernet/plan.ts";
import { createSearchSpace, type SearchSpace, type SubnetConfig } from "../../lib/supernet/mod.ts";
import { createWeightStore, type WeightStore } from "../../lib/supernet/weights.ts";
import { createRng } from "../../lib/util/rng.ts";

export const MNIST_IO = { inputChannels: 1, numClasses: 10 };

/** The mnist search space. */
export async function mnistSpace(): Promise<SearchSpace> {
  return createSearchSpace((await loadTaskConfig("mnist")).config);
}

/** A store whose BN gammas and betas are random too, so that permutations and folds show. */
export function perturbedStore(space: SearchSpace, seed: number): WeightStore {
  const store = createWeightStore(space, MNIST_IO, seed);
  const rng = createRng(seed).fork("bn");
  for (const [name, t] of store.tensors) {
    if (name.endsWith(".gamma")) t.data.forEach((_, i) => t.data[i] = rng.uniform(0.5, 1.5));
    if (name.endsWith(".beta") || name === "head.b") {
      t.data.forEach((_, i) => t.data[i] = rng.uniform(-0.2, 0.2));
    }
  }
  return store;
}

/** Random plausible BN statistics for every BN of a configuration. */
export function randomStats(space: SearchSpace, config: SubnetConfig, seed: number): BnStats {
  const rng = createRng(seed).fork("stats");
  const stats = new Map<string, BnStatistics>();
  for (const c of planConvs(planSubnet(space, config, MNIST_IO))) {
    if (c.bn === null) continue;
    const n = c.bnRows[1] - c.bnRows[0];
    stats.set(c.bn, {
      mean: Float64Array.from({ length: n }, () => rng.uniform(-0.5, 0.5)),
      variance: Float64Array.from({ length: n }, () => rng.uniform(0.5, 2)),
    });
  }
  return stats;
}

/** `count` random mnist-shaped inputs. */
export function randomInput(count: number, seed: number) {
  const rng = createRng(seed).fork("input");
  const data = Float32Array.from({ length: count * 28 * 28 }, () => rng.normal());
  return { dtype: "float32" as const, shape: [count, 1, 28, 28], data };
}

/** Largest absolute difference of two arrays. */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} vs ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}
