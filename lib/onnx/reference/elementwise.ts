/**
 * Float64 reference kernels of element-wise ops, casts, quantization and reductions.
 *
 * @module
 */
import { getFloat, getInt, getIntsOpt } from "../attr.ts";
import { dtypeFromCode } from "../dtype.ts";
import type { DType, NodeData } from "../types.ts";
import type { Kernel } from "./conv.ts";
import {
  aroundAxis,
  broadcastIndex,
  broadcastShape,
  make,
  normAxis,
  type RefTensor,
  roundHalfEven,
} from "./tensor.ts";

function unary(f: (v: number, node: NodeData) => number): Kernel {
  return ([x], node) => {
    const y = make(x!.dtype, x!.shape);
    for (let i = 0; i < y.data.length; i++) y.data[i] = f(x!.data[i], node);
    return [y];
  };
}

function erf(x: number): number {
  // Abramowitz-Stegun 7.1.26 is too coarse for checks; use a series/continued-fraction split.
  const t = Math.abs(x);
  if (t < 2.5) {
    let sum = t;
    let term = t;
    for (let n = 1; n < 60; n++) {
      term *= -t * t / n;
      sum += term / (2 * n + 1);
    }
    return Math.sign(x) * (2 / Math.sqrt(Math.PI)) * sum;
  }
  let f = 0;
  for (let n = 60; n >= 1; n--) f = (n / 2) / (t + f);
  return Math.sign(x) * (1 - Math.exp(-t * t) / Math.sqrt(Math.PI) / (t + f));
}

/** Applies `f` to broadcast inputs; the output dtype is `dtype` or the first input's. */
function nary(f: (...vs: number[]) => number, dtype?: DType): Kernel {
  return (ins) => {
    const ts = ins as RefTensor[];
    const shape = broadcastShape(ts.map((t) => t.shape));
    const idx = ts.map((t) => broadcastIndex(t.shape, shape));
    const y = make(dtype ?? ts[0].dtype, shape);
    const args = new Array<number>(ts.length);
    for (let i = 0; i < y.data.length; i++) {
      for (let k = 0; k < ts.length; k++) args[k] = ts[k].data[idx[k][i]];
      y.data[i] = f(...args);
    }
    return [y];
  };
}

function intDiv(a: number, b: number): number {
  return Math.trunc(a / b);
}

const div: Kernel = (ins, node) => {
  const integral = ins[0]!.dtype !== "float32" && ins[0]!.dtype !== "float64";
  return nary(integral ? intDiv : (a, b) => a / b)(ins, node);
};

const where: Kernel = ([c, a, b], node) => {
  const out = nary((cv, av, bv) => (cv ? av : bv))([c, a, b], node)[0];
  return [{ ...out, dtype: a!.dtype }];
};

const clip: Kernel = ([x, lo, hi]) => {
  const min = lo ? lo.data[0] : -Infinity;
  const max = hi ? hi.data[0] : Infinity;
  const y = make(x!.dtype, x!.shape);
  for (let i = 0; i < y.data.length; i++) y.data[i] = Math.min(Math.max(x!.data[i], min), max);
  return [y];
};

function castValue(v: number, to: DType): number {
  switch (to) {
    case "float32":
      return Math.fround(v);
    case "float64":
      return v;
    case "bool":
      return v !== 0 ? 1 : 0;
    case "int8":
      return (Math.trunc(v) << 24) >> 24;
    case "uint8":
      return Math.trunc(v) & 0xff;
    case "int32":
      return Math.trunc(v) | 0;
    case "int64":
      return Math.trunc(v);
  }
}

const cast: Kernel = ([x], node) => {
  const to = dtypeFromCode(getInt(node.attributes, "to", 1))!;
  const y = make(to, x!.shape);
  for (let i = 0; i < y.data.length; i++) y.data[i] = castValue(x!.data[i], to);
  return [y];
};

/** The per-element parameter index of a per-tensor or per-axis scale / zero point. */
function paramIndex(x: RefTensor, param: RefTensor, node: NodeData): (i: number) => number {
  if (param.data.length === 1) return () => 0;
  const axis = normAxis(getInt(node.attributes, "axis", 1), x.shape.length);
  const [, size, inner] = aroundAxis(x.shape, axis);
  return (i) => Math.floor(i / inner) % size;
}

const quantize: Kernel = ([x, scale, zero], node) => {
  const dtype = zero?.dtype ?? "uint8";
  const [lo, hi] = dtype === "int8" ? [-128, 127] : [0, 255];
  const si = paramIndex(x!, scale!, node);
  const y = make(dtype, x!.shape);
  for (let i = 0; i < y.data.length; i++) {
    const z = zero ? zero.data[si(i)] : 0;
    const q = roundHalfEven(x!.data[i] / scale!.data[si(i)]) + z;
    y.data[i] = Math.min(Math.max(q, lo), hi);
  }
  return [y];
};

const dequantize: Kernel = ([x, scale, zero], node) => {
  const si = paramIndex(x!, scale!, node);
  const y = make(scale!.dtype, x!.shape);
  for (let i = 0; i < y.data.length; i++) {
    y.data[i] = (x!.data[i] - (zero ? zero.data[si(i)] : 0)) * scale!.data[si(i)];
  }
  return [y];
};

type Reducer = {
  init: number;
  step: (acc: number, v: number) => number;
  end?: (acc: number, n: number) => number;
};

const REDUCERS: Readonly<Record<string, Reducer>> = {
  ReduceSum: { init: 0, step: (a, v) => a + v },
  ReduceMean: { init: 0, step: (a, v) => a + v, end: (a, n) => a / n },
  ReduceMax: { init: -Infinity, step: Math.max },
  ReduceMin: { init: Infinity, step: Math.min },
  ReduceProd: { init: 1, step: (a, v) => a * v },
  ReduceSumSquare: { init: 0, step: (a, v) => a + v * v },
  ReduceL2: { init: 0, step: (a, v) => a + v * v, end: (a) => Math.sqrt(a) },
};

function reduce(op: string): Kernel {
  const r = REDUCERS[op];
  return ([x, axesIn], node) => {
    const s = x!.shape;
    const keep = getInt(node.attributes, "keepdims", 1) === 1;
    const attrAxes = getIntsOpt(node.attributes, "axes");
    const axes = attrAxes ?? (axesIn ? Array.from(axesIn.data) : []);
    if (axes.length === 0 && getInt(node.attributes, "noop_with_empty_axes", 0) === 1) return [x!];
    const set = new Set(axes.length ? axes.map((a) => normAxis(a, s.length)) : s.map((_, i) => i));
    const outShape = s.map((d, i) => (set.has(i) ? 1 : d));
    const idx = broadcastIndex(outShape, s); // each input element -> its output slot
    const acc = new Float64Array(outShape.reduce((p, d) => p * d, 1)).fill(r.init);
    for (let i = 0; i < x!.data.length; i++) acc[idx[i]] = r.step(acc[idx[i]], x!.data[i]);
    const count = x!.data.length / acc.length;
    if (r.end) { for (let i = 0; i < acc.length; i++) acc[i] = r.end(acc[i], count); }
    const shape = keep ? outShape : s.filter((_, i) => !set.has(i));
    return [{ dtype: x!.dtype, shape, data: acc }];
  };
}

function argExtreme(sign: 1 | -1): Kernel {
  return ([x], node) => {
    const axis = normAxis(getInt(node.attributes, "axis", 0), x!.shape.length);
    const keep = getInt(node.attributes, "keepdims", 1) === 1;
    const last = getInt(node.attributes, "select_last_index", 0) === 1;
    const [outer, size, inner] = aroundAxis(x!.shape, axis);
    const shape = x!.shape.map((d, i) => (i === axis ? 1 : d));
    const y = make("int64", keep ? shape : shape.filter((_, i) => i !== axis));
    for (let o = 0; o < outer; o++) {
      for (let i = 0; i < inner; i++) {
        let best = 0;
        for (let j = 1; j < size; j++) {
          const d = sign *
            (x!.data[(o * size + j) * inner + i] - x!.data[(o * size + best) * inner + i]);
          if (d > 0 || (last && d === 0)) best = j;
        }
        y.data[o * inner + i] = best;
      }
    }
    return [y];
  };
}

function table(): Record<string, Kernel> {
  const k: Record<string, Kernel> = {
    Identity: ([x]) => [x!],
    Relu: unary((v) => Math.max(v, 0)),
    LeakyRelu: unary((v, n) => (v >= 0 ? v : getFloat(n.attributes, "alpha", 0.01) * v)),
    Sigmoid: unary((v) => 1 / (1 + Math.exp(-v))),
    Tanh: unary(Math.tanh),
    Exp: unary(Math.exp),
    Log: unary(Math.log),
    Neg: unary((v) => -v),
    Sqrt: unary(Math.sqrt),
    Abs: unary(Math.abs),
    Reciprocal: unary((v) => 1 / v),
    Floor: unary(Math.floor),
    Ceil: unary(Math.ceil),
    Sign: unary(Math.sign),
    Erf: unary(erf),
    Not: unary((v) => (v ? 0 : 1)),
    Add: nary((a, b) => a + b),
    Sub: nary((a, b) => a - b),
    Mul: nary((a, b) => a * b),
    Div: div,
    Pow: nary((a, b) => a ** b),
    Sum: nary((...vs) => vs.reduce((p, v) => p + v, 0)),
    Max: nary((...vs) => Math.max(...vs)),
    Min: nary((...vs) => Math.min(...vs)),
    Mean: nary((...vs) => vs.reduce((p, v) => p + v, 0) / vs.length),
    Equal: nary((a, b) => (a === b ? 1 : 0), "bool"),
    Greater: nary((a, b) => (a > b ? 1 : 0), "bool"),
    Less: nary((a, b) => (a < b ? 1 : 0), "bool"),
    GreaterOrEqual: nary((a, b) => (a >= b ? 1 : 0), "bool"),
    LessOrEqual: nary((a, b) => (a <= b ? 1 : 0), "bool"),
    And: nary((a, b) => (a && b ? 1 : 0), "bool"),
    Or: nary((a, b) => (a || b ? 1 : 0), "bool"),
    Where: where,
    Clip: clip,
    Cast: cast,
    QuantizeLinear: quantize,
    DequantizeLinear: dequantize,
    ArgMax: argExtreme(1),
    ArgMin: argExtreme(-1),
  };
  for (const op of Object.keys(REDUCERS)) k[op] = reduce(op);
  return k;
}

/** Kernels of this module by op type. */
export const elementwiseKernels: Readonly<Record<string, Kernel>> = table();
