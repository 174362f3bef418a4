/**
 * The shared weight store of a task's supernet (Once-for-All style): one set of full-size
 * tensors from which every configuration's weights are sliced.
 *
 * Layout (tensor names; `k...` is the kernel repeated once per spatial dim, `cin` is the block's
 * full input width, `C` its full output width):
 *
 * - `stem.w` `[S, inputChannels, k...]`, `stem.bn.gamma|beta` `[S]`;
 * - per block `b<i>`: `b<i>.conv.w` `[C, cin, k...]` + `b<i>.conv.bn.*` `[C]` (always: the
 *   low-rank operator derives its factors from it by SVD); with the depthwise operator
 *   `b<i>.dw.w` `[cin, 1, k...]` + `b<i>.dw.bn.*` `[cin]`, `b<i>.pw.w` `[C, cin, 1...]` +
 *   `b<i>.pw.bn.*` `[C]`; with the fire operator `b<i>.squeeze.w` `[Q, cin, 1...]` (Q the squeeze
 *   width at full width) + bn `[Q]`, `b<i>.expand1.w` `[ceil(C/2), Q, 1...]` and
 *   `b<i>.expandk.w` `[floor(C/2), Q, k...]` + their bn; with low-rank `b<i>.lr.bn.*` `[C]` (its own BN);
 * - `head.w` `[numClasses, F]`, `head.b` `[numClasses]`.
 *
 * A fire block's expands are interleaved: block channel `2i` is row `i` of `expand1`
 * (`[ceil(C/2), Q, 1...]`) and channel `2i + 1` row `i` of `expandk` (`[floor(C/2), Q, k...]`), at
 * every width. So each block channel has one producer, and the next block reads it through the
 * same input weights, whatever the width (the slicing rule of `plan.ts`). (Until store version 2
 * the expands were concatenated, which gave channels in the middle a different producer at
 * different widths.)
 *
 * Width scaling keeps the first channels, so channels should be ordered by importance:
 * see `reorder.ts`. BN running statistics are not stored: they are recalibrated per
 * configuration (`bn_calibration.ts`).
 *
 * @module
 */
import { AdaspringError } from "../errors.ts";
import { createRng } from "../util/rng.ts";
import { spatialDims } from "./arch.ts";
import { keptChannels, type SearchSpace } from "./space.ts";

/** What the store needs to know about the task's data. */
export interface StoreShape {
  /** Channels of one input sample (`inputShape[0]`). */
  readonly inputChannels: number;
  readonly numClasses: number;
}

/** One full-size tensor, float32, row-major. */
export interface StoreTensor {
  readonly shape: readonly number[];
  readonly data: Float32Array;
}

/** The role of a tensor, which decides its initialisation. */
export type TensorRole = "conv" | "gamma" | "beta" | "fc" | "bias";

/** One entry of a store layout. */
export interface LayoutEntry {
  readonly name: string;
  readonly shape: readonly number[];
  readonly role: TensorRole;
  /** Inputs per output (He initialisation). */
  readonly fanIn: number;
}

/** The shared weights of one task's supernet. */
export interface WeightStore {
  readonly task: string;
  readonly shape: StoreShape;
  /** Tensors by name, in layout order. */
  readonly tensors: ReadonlyMap<string, StoreTensor>;
  /** Where the values came from, e.g. `untrained (initialised from seed 0)`. */
  origin: string;
  /** Bumped by every in-place change ({@link markUpdated}), so caches keyed on it go stale. */
  revision: number;
}

/** Epsilon of every BatchNorm of the supernet. */
export const BN_EPSILON = 1e-5;

/**
 * The full-size tensors a space needs, in a fixed order.
 *
 * @example
 * ```ts
 * import { storeLayout } from "./weights.ts";
 * import { createSearchSpace } from "./space.ts";
 * import { loadTaskConfig } from "../config/task.ts";
 * const space = createSearchSpace((await loadTaskConfig("mnist")).config);
 * const layout = storeLayout(space, { inputChannels: 1, numClasses: 10 });
 * console.assert(layout[0].name === "stem.w" && layout[0].shape.join() === "16,1,3,3");
 * ```
 */
export function storeLayout(space: SearchSpace, io: StoreShape): LayoutEntry[] {
  const d = spatialDims(space.kind);
  const kern = (k: number) => Array<number>(d).fill(k);
  const out: LayoutEntry[] = [];
  const conv = (name: string, cout: number, cin: number, k: number, groups = 1) => {
    out.push({
      name: `${name}.w`,
      shape: [cout, cin / groups, ...kern(k)],
      role: "conv",
      fanIn: (cin / groups) * k ** d,
    });
    out.push({ name: `${name}.bn.gamma`, shape: [cout], role: "gamma", fanIn: 1 });
    out.push({ name: `${name}.bn.beta`, shape: [cout], role: "beta", fanIn: 1 });
  };
  conv("stem", space.stem.channels, io.inputChannels, space.stem.kernel);
  let cin = space.stem.channels;
  space.blocks.forEach((b, i) => {
    const c = b.channels, k = b.kernel, p = `b${i}`;
    conv(`${p}.conv`, c, cin, k);
    if (space.depthwise) {
      conv(`${p}.dw`, cin, cin, k, cin);
      conv(`${p}.pw`, c, cin, 1);
    }
    if (space.fireSqueeze !== null) {
      const q = keptChannels(c, space.fireSqueeze);
      conv(`${p}.squeeze`, q, cin, 1);
      conv(`${p}.expand1`, Math.ceil(c / 2), q, 1);
      conv(`${p}.expandk`, Math.floor(c / 2), q, k);
    }
    if (space.ranks.length > 0) {
      out.push({ name: `${p}.lr.bn.gamma`, shape: [c], role: "gamma", fanIn: 1 });
      out.push({ name: `${p}.lr.bn.beta`, shape: [c], role: "beta", fanIn: 1 });
    }
    cin = c;
  });
  out.push({ name: "head.w", shape: [io.numClasses, cin], role: "fc", fanIn: cin });
  out.push({ name: "head.b", shape: [io.numClasses], role: "bias", fanIn: 1 });
  return out;
}

/** A one-line description of a layout (`name[shape]` joined), compared on load. */
export function layoutSignature(
  layout: readonly { readonly name: string; readonly shape: readonly number[] }[],
): string {
  return layout.map((e) => `${e.name}[${e.shape.join(",")}]`).join(";");
}

/**
 * A freshly initialised store: He-normal conv weights (`std = sqrt(2 / fanIn)`), classifier
 * `std = sqrt(1 / features)`, BN gamma 1 and beta 0, biases 0. Each tensor draws from its own
 * stream `fork(name)` of the seed, so adding an operator does not change the others' values.
 *
 * @example
 * ```ts
 * import { createWeightStore } from "./weights.ts";
 * import { createSearchSpace } from "./space.ts";
 * import { loadTaskConfig } from "../config/task.ts";
 * const space = createSearchSpace((await loadTaskConfig("mnist")).config);
 * const a = createWeightStore(space, { inputChannels: 1, numClasses: 10 }, 7);
 * const b = createWeightStore(space, { inputChannels: 1, numClasses: 10 }, 7);
 * console.assert(a.tensors.get("b0.conv.w")!.data[5] === b.tensors.get("b0.conv.w")!.data[5]);
 * ```
 */
export function createWeightStore(space: SearchSpace, io: StoreShape, seed: number): WeightStore {
  const root = createRng(seed).fork("supernet-weights");
  const tensors = new Map<string, StoreTensor>();
  for (const e of storeLayout(space, io)) {
    const data = new Float32Array(e.shape.reduce((a, b) => a * b, 1));
    if (e.role === "gamma") data.fill(1);
    if (e.role === "conv" || e.role === "fc") {
      const rng = root.fork(e.name);
      const std = Math.sqrt((e.role === "conv" ? 2 : 1) / e.fanIn);
      for (let i = 0; i < data.length; i++) data[i] = std * rng.normal();
    }
    tensors.set(e.name, { shape: e.shape, data });
  }
  return {
    task: space.task,
    shape: { ...io },
    tensors,
    origin: `untrained (initialised from seed ${seed})`,
    revision: 0,
  };
}

/**
 * The tensor `name` of a store.
 *
 * @throws {AdaspringError} when the store has no such tensor (it was built for another space).
 */
export function storeTensor(store: WeightStore, name: string): StoreTensor {
  const t = store.tensors.get(name);
  if (t === undefined) {
    throw new AdaspringError(
      `the weight store of task ${store.task} has no tensor "${name}"; it was built for a ` +
        `different search space (rebuild it with this task config)`,
    );
  }
  return t;
}

/** Records an in-place change of the store's values (invalidates BN statistics caches). */
export function markUpdated(store: WeightStore): void {
  store.revision++;
}
