/**
 * The shape of a backward rule, and small graph helpers the rules share (summing a
 * broadcast gradient back to an input's shape, reshaping to an input's shape, scalars).
 *
 * @module
 */
import type { GraphBuilder, Tensor } from "../../onnx/graph.ts";
import type { NodeData, Shape } from "../../onnx/types.ts";
import { isStatic } from "../../onnx/dtype.ts";

/** What a backward rule sees: the forward node, its values, and the gradients of its outputs. */
export interface RuleContext {
  /** The graph being extended with the backward pass. */
  readonly g: GraphBuilder;
  /** The forward node. */
  readonly node: NodeData;
  /** Handle of forward input `i`. */
  x(i: number): Tensor;
  /** Handle of forward output `i`. */
  y(i: number): Tensor;
  /** Gradient of the loss w.r.t. output `i`, or `undefined` when no path reaches the loss. */
  dy(i: number): Tensor | undefined;
  /** True when input `i` needs a gradient (it depends on a trained parameter). */
  needs(i: number): boolean;
}

/** Gradients w.r.t. the node's inputs, by input position (`undefined`: none). */
export type InputGrads = readonly (Tensor | undefined)[];

/** One row of the rule table: a one-line description and the rule itself. */
export interface BackwardRule {
  /** What the rule emits, in one line (shown by `docs` and error messages). */
  readonly doc: string;
  /** Emits the backward nodes for one forward node. */
  readonly backward: (ctx: RuleContext) => InputGrads;
}

/** True when two shapes are the same, dim by dim (symbolic dims compare by name). */
export function sameShape(a: Shape, b: Shape): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/**
 * Reshapes `t` to `like`'s shape: through a constant when `like` is static, else through
 * `Shape(like)` (with the output type given, since the builder cannot infer it).
 */
export function reshapeLike(t: Tensor, like: Tensor): Tensor {
  if (sameShape(t.shape, like.shape)) return t;
  const g = t.graph;
  if (isStatic(like.shape)) return g.add1("Reshape", [t, g.ints(like.shape, "shape")]);
  const shape = g.add1("Shape", [like]);
  return g.add1("Reshape", [t, shape], {}, {
    outputTypes: [{ dtype: t.dtype, shape: like.shape }],
  });
}

/**
 * Sums a gradient of broadcast shape back to the shape of the operand it came from
 * (numpy broadcasting: leading axes and size-1 axes were stretched).
 */
export function unbroadcast(grad: Tensor, like: Tensor): Tensor {
  if (sameShape(grad.shape, like.shape)) return grad;
  const g = grad.graph;
  const lead = grad.rank - like.rank;
  const axes: number[] = [];
  for (let i = 0; i < grad.rank; i++) {
    if (i < lead) axes.push(i);
    else if (like.shape[i - lead] === 1 && grad.shape[i] !== 1) axes.push(i);
  }
  const summed = axes.length ? g.add1("ReduceSum", [grad, g.ints(axes, "axes")]) : grad;
  return reshapeLike(summed, like);
}

/** Zero-filled gradient shaped like `like` (for parameters the loss does not depend on). */
export function zerosLike(like: Tensor): Tensor {
  const g = like.graph;
  const zero = g.scalar(0, like.dtype, "zero");
  const shape = isStatic(like.shape) ? g.ints(like.shape, "shape") : g.add1("Shape", [like]);
  return g.add1("Expand", [zero, shape], {}, {
    outputTypes: [{ dtype: like.dtype, shape: like.shape }],
  });
}
