/**
 * Channel importance ordering: width scaling keeps a block's FIRST k channels, so the most
 * important channels should come first. {@link reorderByImportance} sorts each channel space by
 * the L1 norm of the plain conv weights that produce it, and permutes every consumer's input
 * channels the same way, so the largest network computes exactly the same function.
 *
 * A **channel space** is the stem's output or a plain block's output, together with the
 * residual blocks that follow it (`y = x + f(x)` keeps the channel order). Permuting a space
 * moves, along axis 0, every tensor producing it (the creating conv and its BN; in each member
 * block every operator's output weights and BN, except fire's expands, see below), and, along the input axis, every tensor
 * reading it (member blocks and the next plain block: `conv.w`, `pw.w`, `squeeze.w` axis 1,
 * `dw.w` and `dw.bn` axis 0; `head.w` axis 1 after the last space).
 *
 * What is preserved: every configuration whose operators keep channel identity (plain conv,
 * depthwise, low-rank, skip) at full width. A fire block is not: its channel `2i` is row `i` of
 * `expand1` and `2i + 1` row `i` of `expandk`, which no row permutation of the two can follow,
 * so fire expands are left in place (and their readers see permuted channels).
 *
 * @module
 */
import { markUpdated, type StoreTensor, type WeightStore } from "./weights.ts";
import type { Optimizer } from "../train/optimizer.ts";
import type { SearchSpace } from "./space.ts";

/** Permutes a tensor along axis 0 or 1 in place: new index `j` takes old index `perm[j]`. */
export function permuteAxis(t: StoreTensor, axis: 0 | 1, perm: readonly number[]): void {
  const rows = t.shape[0], width = t.shape.length > 1 ? t.shape[1] : 1;
  const inner = t.data.length / (rows * width);
  const old = t.data.slice();
  if (axis === 0) {
    const span = width * inner;
    perm.forEach((p, j) => t.data.set(old.subarray(p * span, (p + 1) * span), j * span));
    return;
  }
  for (let r = 0; r < rows; r++) {
    const base = r * width * inner;
    perm.forEach((p, j) =>
      t.data.set(old.subarray(base + p * inner, base + (p + 1) * inner), base + j * inner)
    );
  }
}

const BN = (prefix: string) => [`${prefix}.bn.gamma`, `${prefix}.bn.beta`];

/** Tensors producing block `i`'s output channels (axis 0). */
function producers(i: number): string[] {
  const p = `b${i}`;
  return [
    `${p}.conv.w`,
    ...BN(`${p}.conv`),
    `${p}.pw.w`,
    ...BN(`${p}.pw`),
    ...BN(`${p}.lr`),
  ];
}

/** Tensors reading block `i`'s input channels, with the axis they read them on. */
function consumers(i: number): [string, 0 | 1][] {
  const p = `b${i}`;
  return [
    [`${p}.conv.w`, 1],
    [`${p}.dw.w`, 0],
    ...BN(`${p}.dw`).map((n): [string, 0] => [n, 0]),
    [`${p}.pw.w`, 1],
    [`${p}.squeeze.w`, 1],
  ];
}

/** L1 norm of each row of a tensor. */
function rowNorms(t: StoreTensor): number[] {
  const per = t.data.length / t.shape[0];
  return Array.from({ length: t.shape[0] }, (_, r) => {
    let s = 0;
    for (let i = 0; i < per; i++) s += Math.abs(t.data[r * per + i]);
    return s;
  });
}

/**
 * Sorts every channel space of the store by decreasing L1 norm of its creating conv's rows
 * (`stem.w` or `b<i>.conv.w`), in place, and returns the permutation applied per space (keyed
 * by its creator, `stem` or `b<i>`). `alongside` is told every permutation applied to a store
 * tensor, so that state shaped like it (optimizer slots) can follow.
 *
 * @example
 * ```ts
 * import { reorderByImportance } from "./reorder.ts";
 * import { createWeightStore } from "./weights.ts";
 * import { createSearchSpace } from "./mod.ts";
 * import { loadTaskConfig } from "../config/task.ts";
 * const space = createSearchSpace((await loadTaskConfig("mnist")).config);
 * const store = createWeightStore(space, { inputChannels: 1, numClasses: 10 }, 0);
 * const perms = reorderByImportance(store, space);
 * console.assert(perms.get("b0")!.length === 32);
 * ```
 */
export function reorderByImportance(
  store: WeightStore,
  space: SearchSpace,
  alongside?: (tensor: string, axis: 0 | 1, perm: readonly number[]) => void,
): Map<string, number[]> {
  const spaces: { creator: string; members: number[]; next: number | null }[] = [];
  let current = { creator: "stem", members: [] as number[], next: null as number | null };
  space.blocks.forEach((b, i) => {
    if (b.residual) {
      current.members.push(i);
      return;
    }
    current.next = i;
    spaces.push(current);
    current = { creator: `b${i}`, members: [], next: null };
  });
  spaces.push(current);

  const tensor = (name: string) => store.tensors.get(name);
  const apply = (name: string, axis: 0 | 1, perm: number[]) => {
    const t = tensor(name);
    if (t === undefined) return;
    permuteAxis(t, axis, perm);
    alongside?.(name, axis, perm);
  };
  const perms = new Map<string, number[]>();
  for (const s of spaces) {
    const creatorWeight = tensor(s.creator === "stem" ? "stem.w" : `${s.creator}.conv.w`)!;
    const norms = rowNorms(creatorWeight);
    const perm = norms.map((_, i) => i).sort((a, b) => norms[b] - norms[a] || a - b);
    perms.set(s.creator, perm);
    const made = s.creator === "stem"
      ? ["stem.w", ...BN("stem")]
      : producers(Number(s.creator.slice(1)));
    for (const m of s.members) made.push(...producers(m));
    for (const name of made) apply(name, 0, perm);
    const read = [...s.members, ...(s.next === null ? [] : [s.next])].flatMap(consumers);
    for (const [name, axis] of read) apply(name, axis, perm);
    if (s.next === null) apply("head.w", 1, perm);
  }
  markUpdated(store);
  return perms;
}

/**
 * Reorders the store by importance during training: the optimizer's slots (momentum, Adam
 * moments: `${tensor}/${slot}`, shaped like their tensor) are permuted with their tensors, so
 * that the next step continues exactly where this one left off for the largest network.
 *
 * @example
 * ```ts
 * import { reorderDuringTraining } from "./reorder.ts";
 * import { createWeightStore } from "./weights.ts";
 * import { createSearchSpace } from "./mod.ts";
 * import { createOptimizer } from "../train/optimizer.ts";
 * import { loadTaskConfig } from "../config/task.ts";
 * const space = createSearchSpace((await loadTaskConfig("mnist")).config);
 * const store = createWeightStore(space, { inputChannels: 1, numClasses: 10 }, 0);
 * const opt = createOptimizer({ kind: "sgd", momentum: 0.9, weightDecay: 0 });
 * console.assert(reorderDuringTraining(store, space, opt).has("stem"));
 * ```
 */
export function reorderDuringTraining(
  store: WeightStore,
  space: SearchSpace,
  optimizer: Pick<Optimizer, "state">,
): Map<string, number[]> {
  const slots = Object.entries(optimizer.state());
  return reorderByImportance(store, space, (name, axis, perm) => {
    const shape = store.tensors.get(name)!.shape;
    for (const [key, data] of slots) {
      if (key.startsWith(`${name}/`)) permuteAxis({ shape, data }, axis, perm);
    }
  });
}
