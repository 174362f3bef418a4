/**
 * Float64 reference kernels of data-movement ops: Reshape, Flatten, Transpose, Concat, Slice,
 * Squeeze, Unsqueeze, Expand, Tile, Gather, GatherElements, ScatterElements, Pad, Shape,
 * Constant, ConstantOfShape, OneHot.
 *
 * @module
 */
import { getInt, getInts, getIntsOpt, getString, getTensor } from "../attr.ts";
import { sliceRange } from "../geometry.ts";
import type { Kernel } from "./conv.ts";
import {
  aroundAxis,
  broadcastIndex,
  broadcastShape,
  make,
  normAxis,
  stridesOf,
  toRef,
} from "./tensor.ts";

const ints = (t: { data: Float64Array } | undefined) => (t ? Array.from(t.data) : []);

const reshape: Kernel = ([x, s], node) => {
  const allowZero = getInt(node.attributes, "allowzero", 0) === 1;
  const target = ints(s).map((d, i) => (d === 0 && !allowZero ? x!.shape[i] : d));
  const free = target.indexOf(-1);
  if (free >= 0) {
    const known = target.reduce((p, d, i) => (i === free ? p : p * d), 1);
    target[free] = x!.data.length / known;
  }
  return [{ ...x!, shape: target }];
};

const flatten: Kernel = ([x], node) => {
  const r = x!.shape.length;
  const a = getInt(node.attributes, "axis", 1);
  const axis = a < 0 ? a + r : a;
  const head = x!.shape.slice(0, axis).reduce((p, d) => p * d, 1);
  return [{ ...x!, shape: [head, x!.data.length / head] }];
};

const transpose: Kernel = ([x], node) => {
  const s = x!.shape;
  const perm = getInts(node.attributes, "perm", s.map((_, i) => s.length - 1 - i));
  const shape = perm.map((p) => s[p]);
  const src = stridesOf(s);
  // Walking the output in order, the input offset moves by the permuted strides.
  const y = make(x!.dtype, shape);
  const coord = new Array<number>(shape.length).fill(0);
  let off = 0;
  for (let i = 0; i < y.data.length; i++) {
    y.data[i] = x!.data[off];
    for (let k = shape.length - 1; k >= 0; k--) {
      coord[k]++;
      off += src[perm[k]];
      if (coord[k] < shape[k]) break;
      off -= src[perm[k]] * coord[k];
      coord[k] = 0;
    }
  }
  return [y];
};

const concat: Kernel = (ins, node) => {
  const xs = ins.filter((t) => t !== undefined);
  const axis = normAxis(getInt(node.attributes, "axis", 0), xs[0].shape.length);
  const shape = [...xs[0].shape];
  shape[axis] = xs.reduce((p, t) => p + t.shape[axis], 0);
  const [outer, , inner] = aroundAxis(shape, axis);
  const y = make(xs[0].dtype, shape);
  let at = 0;
  for (let o = 0; o < outer; o++) {
    for (const t of xs) {
      const n = t.shape[axis] * inner;
      y.data.set(t.data.subarray(o * n, (o + 1) * n), at);
      at += n;
    }
  }
  return [y];
};

const slice: Kernel = ([x, starts, ends, axesIn, stepsIn]) => {
  const s = x!.shape;
  const st = ints(starts);
  const axes = axesIn ? ints(axesIn).map((a) => normAxis(a, s.length)) : st.map((_, i) => i);
  const steps = stepsIn ? ints(stepsIn) : st.map(() => 1);
  const ranges = s.map((d) => ({ start: 0, count: d, step: 1 }));
  axes.forEach((a, i) => (ranges[a] = sliceRange(s[a], st[i], ints(ends)[i], steps[i])));
  const shape = ranges.map((r) => r.count);
  const y = make(x!.dtype, shape);
  const src = stridesOf(s);
  const coord = new Array<number>(s.length).fill(0);
  for (let i = 0; i < y.data.length; i++) {
    let off = 0;
    for (let k = 0; k < s.length; k++) {
      off += (ranges[k].start + coord[k] * ranges[k].step) * src[k];
    }
    y.data[i] = x!.data[off];
    for (let k = s.length - 1; k >= 0; k--) {
      if (++coord[k] < shape[k]) break;
      coord[k] = 0;
    }
  }
  return [y];
};

function axesOf(
  attrs: Parameters<Kernel>[1]["attributes"],
  input: { data: Float64Array } | undefined,
) {
  return getIntsOpt(attrs, "axes") ?? ints(input);
}

const squeeze: Kernel = ([x, a], node) => {
  const axes = axesOf(node.attributes, a).map((v) => normAxis(v, x!.shape.length));
  const drop = axes.length ? axes : x!.shape.flatMap((d, i) => (d === 1 ? [i] : []));
  return [{ ...x!, shape: x!.shape.filter((_, i) => !drop.includes(i)) }];
};

const unsqueeze: Kernel = ([x, a], node) => {
  const rank = x!.shape.length + axesOf(node.attributes, a).length;
  const at = new Set(axesOf(node.attributes, a).map((v) => normAxis(v, rank)));
  const rest = [...x!.shape];
  const shape = Array.from({ length: rank }, (_, i) => (at.has(i) ? 1 : rest.shift()!));
  return [{ ...x!, shape }];
};

const expand: Kernel = ([x, s]) => {
  const shape = broadcastShape([x!.shape, ints(s)]);
  const idx = broadcastIndex(x!.shape, shape);
  const y = make(x!.dtype, shape);
  for (let i = 0; i < y.data.length; i++) y.data[i] = x!.data[idx[i]];
  return [y];
};

const tile: Kernel = ([x, r]) => {
  const reps = ints(r);
  const shape = x!.shape.map((d, i) => d * reps[i]);
  const y = make(x!.dtype, shape);
  const src = stridesOf(x!.shape);
  const coord = new Array<number>(shape.length).fill(0);
  for (let i = 0; i < y.data.length; i++) {
    let off = 0;
    for (let k = 0; k < shape.length; k++) off += (coord[k] % x!.shape[k]) * src[k];
    y.data[i] = x!.data[off];
    for (let k = shape.length - 1; k >= 0; k--) {
      if (++coord[k] < shape[k]) break;
      coord[k] = 0;
    }
  }
  return [y];
};

const gather: Kernel = ([x, idx], node) => {
  const axis = normAxis(getInt(node.attributes, "axis", 0), x!.shape.length);
  const [outer, size, inner] = aroundAxis(x!.shape, axis);
  const shape = [...x!.shape.slice(0, axis), ...idx!.shape, ...x!.shape.slice(axis + 1)];
  const y = make(x!.dtype, shape);
  const n = idx!.data.length;
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < n; j++) {
      const k = idx!.data[j] < 0 ? idx!.data[j] + size : idx!.data[j];
      const from = (o * size + k) * inner;
      y.data.set(x!.data.subarray(from, from + inner), (o * n + j) * inner);
    }
  }
  return [y];
};

/** Offset in `shape` of element `i` of `idxShape` with coordinate `axis` replaced by `k`. */
function elementOffset(
  i: number,
  idxShape: readonly number[],
  shape: readonly number[],
  axis: number,
  k: number,
) {
  const st = stridesOf(shape);
  let off = 0;
  let r = i;
  for (let d = idxShape.length - 1; d >= 0; d--) {
    const c = r % idxShape[d];
    r = Math.floor(r / idxShape[d]);
    off += (d === axis ? (k < 0 ? k + shape[d] : k) : c) * st[d];
  }
  return off;
}

const gatherElements: Kernel = ([x, idx], node) => {
  const axis = normAxis(getInt(node.attributes, "axis", 0), x!.shape.length);
  const y = make(x!.dtype, idx!.shape);
  for (let i = 0; i < y.data.length; i++) {
    y.data[i] = x!.data[elementOffset(i, idx!.shape, x!.shape, axis, idx!.data[i])];
  }
  return [y];
};

const scatterElements: Kernel = ([x, idx, upd], node) => {
  const axis = normAxis(getInt(node.attributes, "axis", 0), x!.shape.length);
  const mode = getString(node.attributes, "reduction", "none");
  const y = { ...x!, data: x!.data.slice() };
  for (let i = 0; i < upd!.data.length; i++) {
    const off = elementOffset(i, idx!.shape, x!.shape, axis, idx!.data[i]);
    y.data[off] = mode === "add"
      ? y.data[off] + upd!.data[i]
      : mode === "mul"
      ? y.data[off] * upd!.data[i]
      : upd!.data[i];
  }
  return [y];
};

const pad: Kernel = ([x, p, cv], node) => {
  const mode = getString(node.attributes, "mode", "constant");
  if (mode !== "constant") {
    throw new RangeError(`Pad mode "${mode}" is not in the reference interpreter`);
  }
  const pads = p ? ints(p) : [...getInts(node.attributes, "pads", [])];
  const r = x!.shape.length;
  const shape = x!.shape.map((d, i) => d + pads[i] + pads[i + r]);
  const y = make(x!.dtype, shape, cv ? cv.data[0] : 0);
  const dst = stridesOf(shape);
  const coord = new Array<number>(r).fill(0);
  for (let i = 0; i < x!.data.length; i++) {
    let off = 0;
    let inside = true;
    for (let k = 0; k < r; k++) {
      const c = coord[k] + pads[k];
      if (c < 0 || c >= shape[k]) inside = false;
      off += c * dst[k];
    }
    if (inside) y.data[off] = x!.data[i];
    for (let k = r - 1; k >= 0; k--) {
      if (++coord[k] < x!.shape[k]) break;
      coord[k] = 0;
    }
  }
  return [y];
};

const oneHot: Kernel = ([idx, depth, values], node) => {
  const d = depth!.data[0];
  const rank = idx!.shape.length + 1;
  const axis = normAxis(getInt(node.attributes, "axis", -1), rank);
  const shape = [...idx!.shape];
  shape.splice(axis, 0, d);
  const [outer, , inner] = aroundAxis(shape, axis);
  const y = make(values!.dtype, shape, values!.data[0]);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      let k = idx!.data[o * inner + i];
      if (k < 0) k += d;
      if (k >= 0 && k < d) y.data[(o * d + k) * inner + i] = values!.data[1];
    }
  }
  return [y];
};

/** Kernels of this module by op type. */
export const movementKernels: Readonly<Record<string, Kernel>> = {
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
  ScatterElements: scatterElements,
  Pad: pad,
  Shape: ([x]) => [{ dtype: "int64", shape: [x!.shape.length], data: Float64Array.from(x!.shape) }],
  Constant: (_, node) => [toRef(getTensor(node.attributes, "value")!)],
  ConstantOfShape: ([s], node) => {
    const v = getTensor(node.attributes, "value");
    return [make(v?.dtype ?? "float32", ints(s), v ? Number(v.data[0]) : 0)];
  },
  OneHot: oneHot,
};
