/**
 * Typed helpers for data-movement ops: reshape, flatten, transpose, concat, slice, squeeze,
 * unsqueeze, expand, gather, pad.
 *
 * @example
 * ```ts
 * import { GraphBuilder } from "../graph.ts";
 * import { concat, flatten, slice } from "./shape.ts";
 * const g = new GraphBuilder();
 * const x = g.input("x", "float32", [1, 8, 4, 4]);
 * const y = flatten(concat([slice(x, [0], [4], [1]), x], 1));
 * console.assert(y.shape.join() === "1,192");
 * ```
 *
 * @module
 */
import { attr, definedAttrs } from "../attr.ts";
import type { Tensor } from "../graph.ts";
import type { Named } from "./nn.ts";

/** Reshape to `shape` (`0` copies the input dim, `-1` is inferred). */
export function reshape(x: Tensor, shape: readonly number[], o: Named = {}): Tensor {
  return x.graph.add1("Reshape", [x, x.graph.ints(shape, "shape")], {}, { name: o.name });
}

/** Flatten to 2-D at `axis` (default 1). */
export function flatten(x: Tensor, axis = 1, o: Named = {}): Tensor {
  return x.graph.add1("Flatten", [x], { axis: attr.int(axis) }, { name: o.name });
}

/** Transpose by `perm` (default: reverse the axes). */
export function transpose(x: Tensor, perm?: readonly number[], o: Named = {}): Tensor {
  const attrs = definedAttrs({ perm: perm && attr.ints(perm) });
  return x.graph.add1("Transpose", [x], attrs, { name: o.name });
}

/** Concat along `axis`. */
export function concat(xs: readonly Tensor[], axis: number, o: Named = {}): Tensor {
  return xs[0].graph.add1("Concat", xs, { axis: attr.int(axis) }, { name: o.name });
}

/** Slice `[starts, ends)` on `axes` with `steps` (defaults: all leading axes, step 1). */
export function slice(
  x: Tensor,
  starts: readonly number[],
  ends: readonly number[],
  axes?: readonly number[],
  steps?: readonly number[],
  o: Named = {},
): Tensor {
  const g = x.graph;
  const ins = [x, g.ints(starts, "starts"), g.ints(ends, "ends")];
  if (axes || steps) ins.push(g.ints(axes ?? starts.map((_, i) => i), "axes"));
  if (steps) ins.push(g.ints(steps, "steps"));
  return g.add1("Slice", ins, {}, { name: o.name });
}

/** Squeeze `axes` (size-1 dims). */
export function squeeze(x: Tensor, axes: readonly number[], o: Named = {}): Tensor {
  return x.graph.add1("Squeeze", [x, x.graph.ints(axes, "axes")], {}, { name: o.name });
}

/** Unsqueeze: insert size-1 dims at `axes` (of the output). */
export function unsqueeze(x: Tensor, axes: readonly number[], o: Named = {}): Tensor {
  return x.graph.add1("Unsqueeze", [x, x.graph.ints(axes, "axes")], {}, { name: o.name });
}

/** Expand (broadcast) to `shape`. */
export function expand(x: Tensor, shape: readonly number[], o: Named = {}): Tensor {
  return x.graph.add1("Expand", [x, x.graph.ints(shape, "shape")], {}, { name: o.name });
}

/** Gather along `axis` with int64 `indices`. */
export function gather(x: Tensor, indices: Tensor, axis = 0, o: Named = {}): Tensor {
  return x.graph.add1("Gather", [x, indices], { axis: attr.int(axis) }, { name: o.name });
}

/** Constant zero padding: `pads` = begins for every axis, then ends. */
export function pad(x: Tensor, pads: readonly number[], o: Named = {}): Tensor {
  return x.graph.add1("Pad", [x, x.graph.ints(pads, "pads")], {}, { name: o.name });
}
