/**
 * Shape rules of data-movement ops (reshape, transpose, concat, slice, gather, pad, ...) and
 * of the reductions.
 *
 * @module
 */
import { getInt, getInts, getIntsOpt, getTensor } from "../attr.ts";
import { formatShape } from "../dtype.ts";
import { sliceRange } from "../geometry.ts";
import type { Dim, Shape } from "../types.ts";
import {
  axisOf,
  broadcast,
  constInts,
  type InferContext,
  input,
  num,
  shapeError,
  type ShapeRule,
} from "./common.ts";

function unknown(ctx: InferContext, dtypeFrom = 0) {
  return [{ dtype: input(ctx, dtypeFrom).dtype, shape: undefined }];
}

/** Resolves a Reshape target, cancelling symbolic dims so `[N,C,H,W] -> [0,-1]` stays `[N,CHW]`. */
function reshapeTarget(ctx: InferContext, x: Shape, target: number[]): Shape {
  const allowZero = getInt(ctx.node.attributes, "allowzero", 0) === 1;
  const out: Dim[] = target.map((t, i) => (t === 0 && !allowZero ? x[i] : t));
  const free = out.indexOf(-1);
  if (free < 0) return out;
  let inKnown = 1;
  const inSym: string[] = [];
  for (const d of x) typeof d === "number" ? (inKnown *= d) : inSym.push(d);
  let outKnown = 1;
  out.forEach((d, i) => {
    if (i === free) return;
    if (typeof d === "number") outKnown *= d;
    else {
      const k = inSym.indexOf(d);
      if (k < 0) throw shapeError(ctx, `cannot resolve -1 in [${target}] with symbolic dims`);
      inSym.splice(k, 1);
    }
  });
  if (outKnown === 0 || inKnown % outKnown !== 0) {
    throw shapeError(ctx, `cannot reshape ${formatShape(x)} to [${target}]`);
  }
  const q = inKnown / outKnown;
  if (inSym.length === 0) out[free] = q;
  else if (inSym.length === 1 && q === 1) out[free] = inSym[0];
  else throw shapeError(ctx, `cannot resolve -1 in [${target}] with symbolic dims`);
  return out;
}

const reshape: ShapeRule = (ctx) => {
  const x = input(ctx, 0);
  const target = constInts(ctx, 1);
  if (x.shape === undefined || target === undefined) return unknown(ctx);
  const shape = reshapeTarget(ctx, x.shape, target);
  const known = [x.shape, shape].map((s) => s.every((d) => typeof d === "number"));
  if (known[0] && known[1]) {
    const a = (x.shape as number[]).reduce((p, d) => p * d, 1);
    const b = (shape as number[]).reduce((p, d) => p * d, 1);
    if (a !== b) throw shapeError(ctx, `cannot reshape ${formatShape(x.shape)} to [${target}]`);
  }
  return [{ dtype: x.dtype, shape }];
};

function product(ctx: InferContext, dims: Shape): Dim {
  if (dims.length === 1) return dims[0];
  return dims.reduce<number>((p, d) => p * num(ctx, d, "a flattened dimension"), 1);
}

const flatten: ShapeRule = (ctx) => {
  const x = input(ctx, 0);
  if (x.shape === undefined) return unknown(ctx);
  const r = x.shape.length;
  const a = getInt(ctx.node.attributes, "axis", 1);
  const axis = a < 0 ? a + r : a;
  if (axis < 0 || axis > r) throw shapeError(ctx, `axis ${a} is out of range for rank ${r}`);
  const head = axis === 0 ? 1 : product(ctx, x.shape.slice(0, axis));
  const tail = axis === r ? 1 : product(ctx, x.shape.slice(axis));
  return [{ dtype: x.dtype, shape: [head, tail] }];
};

const transpose: ShapeRule = (ctx) => {
  const x = input(ctx, 0);
  if (x.shape === undefined) return unknown(ctx);
  const s = x.shape;
  const perm = getInts(ctx.node.attributes, "perm", s.map((_, i) => s.length - 1 - i));
  if ([...perm].sort((a, b) => a - b).some((p, i) => p !== i) || perm.length !== s.length) {
    throw shapeError(ctx, `perm [${perm}] is not a permutation of ${s.length} axes`);
  }
  return [{ dtype: x.dtype, shape: perm.map((p) => s[p]) }];
};

const concat: ShapeRule = (ctx) => {
  const shapes = ctx.inputs.map((_, i) => input(ctx, i).shape);
  if (shapes.some((s) => s === undefined)) return unknown(ctx);
  const ss = shapes as Shape[];
  const axis = axisOf(ctx, getInt(ctx.node.attributes, "axis", 0), ss[0].length);
  const out = [...ss[0]];
  let total = 0;
  for (const s of ss) {
    if (s.length !== out.length || s.some((d, i) => i !== axis && d !== out[i])) {
      throw shapeError(ctx, `shapes differ outside axis ${axis}`);
    }
    total += num(ctx, s[axis], `concatenated dimension`);
  }
  out[axis] = total;
  return [{ dtype: input(ctx, 0).dtype, shape: out }];
};

const slice: ShapeRule = (ctx) => {
  const x = input(ctx, 0);
  const starts = constInts(ctx, 1);
  const ends = constInts(ctx, 2);
  const axes = ctx.inputs[3] ? constInts(ctx, 3) : starts?.map((_, i) => i);
  const steps = ctx.inputs[4] ? constInts(ctx, 4) : starts?.map(() => 1);
  if (!x.shape || !starts || !ends || !axes || !steps) return unknown(ctx);
  const out = [...x.shape];
  axes.forEach((a, i) => {
    const axis = axisOf(ctx, a, out.length);
    const dim = num(ctx, out[axis], `sliced dimension ${axis}`);
    out[axis] = sliceRange(dim, starts[i], ends[i], steps[i]).count;
  });
  return [{ dtype: x.dtype, shape: out }];
};

/** Axes from the attribute (older opsets) or from constant input 1 (newer opsets). */
function axesOf(ctx: InferContext): number[] | undefined | "dynamic" {
  const fromAttr = getIntsOpt(ctx.node.attributes, "axes");
  if (fromAttr !== undefined) return [...fromAttr];
  if (!ctx.node.inputs[1]) return undefined;
  return constInts(ctx, 1) ?? "dynamic";
}

const squeeze: ShapeRule = (ctx) => {
  const x = input(ctx, 0);
  const axes = axesOf(ctx);
  if (x.shape === undefined || axes === "dynamic") return unknown(ctx);
  const s = x.shape;
  const drop = axes === undefined
    ? s.map((d, i) => (d === 1 ? i : -1)).filter((i) => i >= 0)
    : axes.map((a) => axisOf(ctx, a, s.length));
  for (const a of drop) if (s[a] !== 1) throw shapeError(ctx, `axis ${a} has size ${s[a]}, not 1`);
  return [{ dtype: x.dtype, shape: s.filter((_, i) => !drop.includes(i)) }];
};

const unsqueeze: ShapeRule = (ctx) => {
  const x = input(ctx, 0);
  const axes = axesOf(ctx);
  if (x.shape === undefined || axes === "dynamic") return unknown(ctx);
  if (axes === undefined) throw shapeError(ctx, "axes are required");
  const rank = x.shape.length + axes.length;
  const at = new Set(axes.map((a) => axisOf(ctx, a, rank)));
  const rest = [...x.shape];
  const out: Dim[] = [];
  for (let i = 0; i < rank; i++) out.push(at.has(i) ? 1 : rest.shift()!);
  return [{ dtype: x.dtype, shape: out }];
};

const expand: ShapeRule = (ctx) => {
  const x = input(ctx, 0);
  const target = constInts(ctx, 1);
  if (x.shape === undefined || target === undefined) return unknown(ctx);
  return [{ dtype: x.dtype, shape: broadcast(ctx, [x.shape, target]) }];
};

const tile: ShapeRule = (ctx) => {
  const x = input(ctx, 0);
  const reps = constInts(ctx, 1);
  if (x.shape === undefined || reps === undefined) return unknown(ctx);
  return [{ dtype: x.dtype, shape: x.shape.map((d, i) => num(ctx, d, "tiled dim") * reps[i]) }];
};

const gather: ShapeRule = (ctx) => {
  const x = input(ctx, 0);
  const idx = input(ctx, 1).shape;
  if (x.shape === undefined || idx === undefined) return unknown(ctx);
  const axis = axisOf(ctx, getInt(ctx.node.attributes, "axis", 0), x.shape.length);
  return [{
    dtype: x.dtype,
    shape: [...x.shape.slice(0, axis), ...idx, ...x.shape.slice(axis + 1)],
  }];
};

const gatherElements: ShapeRule = (ctx) => [{
  dtype: input(ctx, 0).dtype,
  shape: input(ctx, 1).shape,
}];

const pad: ShapeRule = (ctx) => {
  const x = input(ctx, 0);
  const pads = ctx.node.inputs[1]
    ? constInts(ctx, 1)
    : [...getInts(ctx.node.attributes, "pads", [])];
  if (x.shape === undefined || pads === undefined) return unknown(ctx);
  const r = x.shape.length;
  if (pads.length !== 2 * r) throw shapeError(ctx, `pads [${pads}] must have ${2 * r} entries`);
  return [{
    dtype: x.dtype,
    shape: x.shape.map((d, i) => num(ctx, d, "padded dim") + pads[i] + pads[i + r]),
  }];
};

const shapeOp: ShapeRule = (ctx) => {
  const s = input(ctx, 0).shape;
  return [{ dtype: "int64", shape: s === undefined ? undefined : [s.length] }];
};

const oneHot: ShapeRule = (ctx) => {
  const idx = input(ctx, 0).shape;
  const depth = constInts(ctx, 1);
  const values = input(ctx, 2);
  if (idx === undefined || depth === undefined) return [{ dtype: values.dtype, shape: undefined }];
  const rank = idx.length + 1;
  const axis = axisOf(ctx, getInt(ctx.node.attributes, "axis", -1), rank);
  const out: Dim[] = [...idx];
  out.splice(axis, 0, depth[0]);
  return [{ dtype: values.dtype, shape: out }];
};

const constantOfShape: ShapeRule = (ctx) => {
  const target = constInts(ctx, 0);
  const value = getTensor(ctx.node.attributes, "value");
  return [{ dtype: value?.dtype ?? "float32", shape: target }];
};

function reduce(dtype?: "int64"): ShapeRule {
  return (ctx) => {
    const x = input(ctx, 0);
    const axes = dtype ? [getInt(ctx.node.attributes, "axis", 0)] : axesOf(ctx);
    if (x.shape === undefined || axes === "dynamic") {
      return [{ dtype: dtype ?? x.dtype, shape: undefined }];
    }
    const s = x.shape;
    const keep = getInt(ctx.node.attributes, "keepdims", 1) === 1;
    const noop = getInt(ctx.node.attributes, "noop_with_empty_axes", 0) === 1;
    if ((axes === undefined || axes.length === 0) && noop) return [{ dtype: x.dtype, shape: s }];
    const all = axes === undefined || axes.length === 0;
    const set = new Set(all ? s.map((_, i) => i) : axes.map((a) => axisOf(ctx, a, s.length)));
    const out: Dim[] = [];
    s.forEach((d, i) => {
      if (!set.has(i)) out.push(d);
      else if (keep) out.push(1);
    });
    return [{ dtype: dtype ?? x.dtype, shape: out }];
  };
}

/** Rules of this module by op type. */
export const tensorRules: Readonly<Record<string, ShapeRule>> = {
  Reshape: reshape,
  Flatten: flatten,
  Transpose: transpose,
  Concat: concat,
  Slice: slice,
  Squeeze: squeeze,
  Unsqueeze: unsqueeze,
  Expand: expand,
  Tile: tile,
  Gather: gather,
  GatherElements: gatherElements,
  ScatterElements: (ctx) => [{ dtype: input(ctx, 0).dtype, shape: input(ctx, 0).shape }],
  ScatterND: (ctx) => [{ dtype: input(ctx, 0).dtype, shape: input(ctx, 0).shape }],
  Pad: pad,
  Shape: shapeOp,
  Size: () => [{ dtype: "int64", shape: [] }],
  OneHot: oneHot,
  ConstantOfShape: constantOfShape,
  ReduceSum: reduce(),
  ReduceMean: reduce(),
  ReduceMax: reduce(),
  ReduceMin: reduce(),
  ReduceProd: reduce(),
  ReduceL2: reduce(),
  ReduceSumSquare: reduce(),
  ArgMax: reduce("int64"),
  ArgMin: reduce("int64"),
};
