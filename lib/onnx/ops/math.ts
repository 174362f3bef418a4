/**
 * Typed helpers for element-wise ops, softmax and reductions (opset 17: ReduceSum takes its
 * axes as an input, the other reductions as an attribute; these helpers hide the difference).
 *
 * @example
 * ```ts
 * import { GraphBuilder } from "../graph.ts";
 * import { add, relu, reduceMean } from "./math.ts";
 * const g = new GraphBuilder();
 * const x = g.input("x", "float32", [2, 3]);
 * const y = reduceMean(relu(add(x, x)), [1], { keepDims: false });
 * console.assert(y.shape.join() === "2");
 * ```
 *
 * @module
 */
import { attr, definedAttrs } from "../attr.ts";
import { onnxTypeCode } from "../dtype.ts";
import type { Tensor } from "../graph.ts";
import type { DType } from "../types.ts";
import type { Named } from "./nn.ts";

/** A tensor, or a number turned into a scalar constant of the other operand's dtype. */
export type Operand = Tensor | number;

function unary(op: string) {
  return (x: Tensor, o: Named = {}): Tensor => x.graph.add1(op, [x], {}, { name: o.name });
}

function binary(op: string) {
  return (a: Operand, b: Operand, o: Named = {}): Tensor => {
    const ref = typeof a === "number" ? b as Tensor : a;
    const g = ref.graph;
    const ta = typeof a === "number" ? g.scalar(a, ref.dtype) : a;
    const tb = typeof b === "number" ? g.scalar(b, ref.dtype) : b;
    return g.add1(op, [ta, tb], {}, { name: o.name });
  };
}

/** Identity. */
export const identity = unary("Identity");
/** Relu. */
export const relu = unary("Relu");
/** Sigmoid. */
export const sigmoid = unary("Sigmoid");
/** Tanh. */
export const tanh = unary("Tanh");
/** Exp. */
export const exp = unary("Exp");
/** Natural log. */
export const log = unary("Log");
/** Negation. */
export const neg = unary("Neg");
/** Square root. */
export const sqrt = unary("Sqrt");
/** Absolute value. */
export const abs = unary("Abs");
/** 1 / x. */
export const reciprocal = unary("Reciprocal");
/** Logical not of a bool tensor. */
export const not = unary("Not");

/** Broadcasting a + b. */
export const add = binary("Add");
/** Broadcasting a - b. */
export const sub = binary("Sub");
/** Broadcasting a * b. */
export const mul = binary("Mul");
/** Broadcasting a / b. */
export const div = binary("Div");
/** Broadcasting a ** b. */
export const pow = binary("Pow");
/** Broadcasting a == b (bool). */
export const equal = binary("Equal");
/** Broadcasting a > b (bool). */
export const greater = binary("Greater");
/** Broadcasting a < b (bool). */
export const less = binary("Less");

/** Element-wise sum of any number of broadcasting tensors (gradient accumulation). */
export function sum(xs: readonly Tensor[], o: Named = {}): Tensor {
  return xs[0].graph.add1("Sum", xs, {}, { name: o.name });
}

/** `cond ? a : b`, broadcasting. */
export function where(cond: Tensor, a: Operand, b: Operand, o: Named = {}): Tensor {
  const ref = typeof a === "number" ? b as Tensor : a;
  const g = cond.graph;
  const ta = typeof a === "number" ? g.scalar(a, ref.dtype) : a;
  const tb = typeof b === "number" ? g.scalar(b, ref.dtype) : b;
  return g.add1("Where", [cond, ta, tb], {}, { name: o.name });
}

/** Clip to `[min, max]`; either bound may be omitted. */
export function clip(x: Tensor, min?: number, max?: number, o: Named = {}): Tensor {
  const g = x.graph;
  const lo = min === undefined ? undefined : g.scalar(min, x.dtype, "clip_min");
  const hi = max === undefined ? undefined : g.scalar(max, x.dtype, "clip_max");
  return g.add1("Clip", hi ? [x, lo, hi] : lo ? [x, lo] : [x], {}, { name: o.name });
}

/** Relu6 (MobileNet's activation) as Clip(0, 6). */
export function relu6(x: Tensor, o: Named = {}): Tensor {
  return clip(x, 0, 6, o);
}

/** Cast to another dtype. */
export function cast(x: Tensor, to: DType, o: Named = {}): Tensor {
  return x.graph.add1("Cast", [x], { to: attr.int(onnxTypeCode(to)) }, { name: o.name });
}

/** Softmax over `axis` (default -1). */
export function softmax(x: Tensor, axis = -1, o: Named = {}): Tensor {
  return x.graph.add1("Softmax", [x], { axis: attr.int(axis) }, { name: o.name });
}

/** LogSoftmax over `axis` (default -1). */
export function logSoftmax(x: Tensor, axis = -1, o: Named = {}): Tensor {
  return x.graph.add1("LogSoftmax", [x], { axis: attr.int(axis) }, { name: o.name });
}

/** Options of the reductions. */
export interface ReduceOptions extends Named {
  /** Keep reduced axes as size 1 (default true, as in ONNX). */
  readonly keepDims?: boolean;
}

function keep(o: ReduceOptions) {
  return o.keepDims === false ? attr.int(0) : undefined;
}

/** ReduceSum over `axes` (all axes when empty). */
export function reduceSum(x: Tensor, axes: readonly number[], o: ReduceOptions = {}): Tensor {
  const g = x.graph;
  const ins = axes.length ? [x, g.ints(axes, "axes")] : [x];
  return g.add1("ReduceSum", ins, definedAttrs({ keepdims: keep(o) }), { name: o.name });
}

function reduceAttr(op: string) {
  return (x: Tensor, axes: readonly number[], o: ReduceOptions = {}): Tensor => {
    const attrs = definedAttrs({
      axes: axes.length ? attr.ints(axes) : undefined,
      keepdims: keep(o),
    });
    return x.graph.add1(op, [x], attrs, { name: o.name });
  };
}

/** ReduceMean over `axes` (all axes when empty). */
export const reduceMean = reduceAttr("ReduceMean");
/** ReduceMax over `axes` (all axes when empty). */
export const reduceMax = reduceAttr("ReduceMax");

/** ArgMax along `axis` (int64). */
export function argMax(x: Tensor, axis: number, o: ReduceOptions = {}): Tensor {
  const attrs = definedAttrs({ axis: attr.int(axis), keepdims: keep(o) });
  return x.graph.add1("ArgMax", [x], attrs, { name: o.name });
}
