/** Shared helpers for the profile tests: the mnist space and a synthetic timing source. */
import { loadTaskConfig } from "../../lib/config/task.ts";
import { createSearchSpace, type SearchSpace, type SubnetConfig } from "../../lib/supernet/mod.ts";
import type { CostInput } from "../../lib/supernet/cost.ts";
import { type OpKind, partOps } from "../../lib/profile/ops.ts";
import { configForVariant, widthMap } from "../../lib/profile/space_eval.ts";
import type { TimingSource, TimingUnit } from "../../lib/profile/timing.ts";
import { createRng } from "../../lib/util/rng.ts";

export const MNIST_INPUT: CostInput = { inputShape: [1, 28, 28], numClasses: 10 };

export async function mnistSpace(): Promise<SearchSpace> {
  return createSearchSpace((await loadTaskConfig("mnist")).config);
}

/** Ground-truth GFLOP/s per op kind of the synthetic machine. */
export const TRUE_GFLOPS: Record<OpKind, number> = {
  conv: 20,
  depthwise: 4,
  pointwise: 16,
  gemm: 2,
  elementwise: 1,
};

/** Per-call overhead (ms) each timed unit pays once, and the extra once per whole network. */
export const CALL_MS = 0.02;

/** Noise-free ms of one configuration's parts (stem, blocks, head) on the synthetic machine. */
export function trueParts(space: SearchSpace, config: SubnetConfig, input = MNIST_INPUT): number[] {
  return partOps(space, config, input).map((p) =>
    p.ops.reduce((a, op) => a + op.flops / (TRUE_GFLOPS[op.kind] * 1e6), 0)
  );
}

/** Noise-free ms of a unit (what the synthetic source's samples scatter around). */
export function trueUnitMs(space: SearchSpace, unit: TimingUnit, input = MNIST_INPUT): number {
  const B = space.blocks.length;
  switch (unit.kind) {
    case "network":
      return trueParts(space, unit.config, input).reduce((a, b) => a + b, 0) + CALL_MS;
    case "stem":
      return trueParts(space, { choices: space.blocks.map(() => 0), int8: unit.int8 }, input)[0] +
        CALL_MS;
    case "head": {
      const map = widthMap(space);
      const fi = map.cins[B].indexOf(unit.features);
      const config = { choices: [...map.prefix[B][fi]], int8: unit.int8 };
      return trueParts(space, config, input)[B + 1] + CALL_MS;
    }
    case "block": {
      const config = configForVariant(space, unit.variant);
      return trueParts(space, config, input)[1 + unit.variant.block] + CALL_MS;
    }
  }
}

/**
 * A timing source with known ground truth: each run returns the true time times (1 + 2% noise),
 * and one run in 50 is a 5x outlier (an interrupt), which trimming must remove. The first
 * `coldRuns` runs of every unit are 3x slower, which warm-up must discard. With `twin`, every
 * part unit (not a whole network) also has an `overhead` call costing {@link CALL_MS} (with the
 * same noise), as the host source's empty twin sessions do.
 */
export function syntheticSource(
  space: SearchSpace,
  seed = 1,
  coldRuns = 2,
  twin = false,
): TimingSource {
  const rng = createRng(seed);
  const noisy = (ms: number, cold: number) => {
    const outlier = rng.next() < 0.02 ? 5 : 1;
    return ms * cold * outlier * (1 + 0.02 * rng.normal());
  };
  return {
    name: "synthetic",
    prepare(unit) {
      const truth = trueUnitMs(space, unit);
      let runs = 0;
      const overhead = twin && unit.kind !== "network" ? { overhead: () => noisy(CALL_MS, 1) } : {};
      return Promise.resolve({
        run: () => {
          runs++;
          return noisy(truth, runs <= coldRuns ? 3 : 1);
        },
        ...overhead,
      });
    },
  };
}
