/**
 * Backward rules of element-wise ops, softmaxes and reductions. Broadcasting ops sum their
 * gradient back to each operand's shape ({@link unbroadcast}).
 *
 * @module
 */
import { getInt, getInts } from "../../onnx/attr.ts";
import { isStatic, toNumbers } from "../../onnx/dtype.ts";
import type { Tensor } from "../../onnx/graph.ts";
import { div, exp, mul, neg, reduceSum, sub, where } from "../../onnx/ops/math.ts";
import type { Dim } from "../../onnx/types.ts";
import { AdaspringError } from "../../errors.ts";
import { type BackwardRule, type RuleContext, unbroadcast } from "./rule.ts";

/** `dy` where `mask` holds, else 0. */
function gate(mask: Tensor, dy: Tensor): Tensor {
  return where(mask, dy, 0);
}

/** Broadcasts `t` (with reduced axes kept as size 1) to `like`'s shape. */
export function expandLike(t: Tensor, like: Tensor): Tensor {
  const g = t.graph;
  const shape = isStatic(like.shape) ? g.ints(like.shape, "shape") : g.add1("Shape", [like]);
  return g.add1("Expand", [t, shape], {}, { outputTypes: [{ dtype: t.dtype, shape: like.shape }] });
}

/** The reduced axes of a Reduce* node (input for ReduceSum at opset 17, attribute otherwise). */
function reducedAxes(ctx: RuleContext): number[] {
  const x = ctx.x(0);
  let axes: number[] | undefined;
  if (ctx.node.opType === "ReduceSum") {
    const name = ctx.node.inputs[1];
    if (name) {
      const v = ctx.g.constantValue(name);
      if (v === undefined) {
        throw new AdaspringError(`ReduceSum "${ctx.node.name}": axes must be constant`);
      }
      axes = toNumbers(v.data);
    }
  } else {
    axes = getInts(ctx.node.attributes, "axes", []) as number[];
  }
  if (!axes || axes.length === 0) return x.shape.map((_, i) => i);
  return axes.map((a) => (a < 0 ? a + x.rank : a));
}

/** Gradient of a reduction: re-insert reduced axes if dropped, then broadcast back. */
function reduceBackward(ctx: RuleContext, scale: number): Tensor {
  const x = ctx.x(0);
  const axes = reducedAxes(ctx);
  let dy = ctx.dy(0)!;
  if (getInt(ctx.node.attributes, "keepdims", 1) === 0) {
    const kept: Dim[] = x.shape.map((d, i) => (axes.includes(i) ? 1 : d));
    dy = ctx.g.add1("Unsqueeze", [dy, ctx.g.ints(axes, "axes")], {}, {
      outputTypes: [{ dtype: dy.dtype, shape: kept }],
    });
  }
  const full = expandLike(dy, x);
  return scale === 1 ? full : mul(full, scale);
}

function reducedCount(ctx: RuleContext): number {
  const x = ctx.x(0);
  return reducedAxes(ctx).reduce((n, a) => n * x.dim(a), 1);
}

/** Rules of element-wise ops, softmaxes and reductions, by op type. */
export const mathRules: Readonly<Record<string, BackwardRule>> = {
  Identity: { doc: "dx = dy", backward: (c) => [c.dy(0)] },
  Neg: { doc: "dx = -dy", backward: (c) => [neg(c.dy(0)!)] },
  Add: {
    doc: "da = sum-to-shape(dy), db = sum-to-shape(dy)",
    backward: (c) => [unbroadcast(c.dy(0)!, c.x(0)), unbroadcast(c.dy(0)!, c.x(1))],
  },
  Sub: {
    doc: "da = sum-to-shape(dy), db = -sum-to-shape(dy)",
    backward: (c) => [
      c.needs(0) ? unbroadcast(c.dy(0)!, c.x(0)) : undefined,
      c.needs(1) ? neg(unbroadcast(c.dy(0)!, c.x(1))) : undefined,
    ],
  },
  Mul: {
    doc: "da = sum-to-shape(dy * b), db = sum-to-shape(dy * a)",
    backward: (c) => [
      c.needs(0) ? unbroadcast(mul(c.dy(0)!, c.x(1)), c.x(0)) : undefined,
      c.needs(1) ? unbroadcast(mul(c.dy(0)!, c.x(0)), c.x(1)) : undefined,
    ],
  },
  Div: {
    doc: "da = sum-to-shape(dy / b), db = -sum-to-shape(dy * y / b)",
    backward: (c) => [
      c.needs(0) ? unbroadcast(div(c.dy(0)!, c.x(1)), c.x(0)) : undefined,
      c.needs(1) ? neg(unbroadcast(div(mul(c.dy(0)!, c.y(0)), c.x(1)), c.x(1))) : undefined,
    ],
  },
  Sum: {
    doc: "dx_i = sum-to-shape(dy) for every operand",
    backward: (c) =>
      c.node.inputs.map((_, i) => (c.needs(i) ? unbroadcast(c.dy(0)!, c.x(i)) : undefined)),
  },
  Relu: {
    doc: "dx = dy where x > 0, else 0",
    backward: (c) => [gate(c.g.add1("Greater", [c.x(0), c.g.scalar(0, c.x(0).dtype)]), c.dy(0)!)],
  },
  Clip: {
    doc: "dx = dy where min < x < max (ReLU6 = Clip(0, 6)), else 0",
    backward: (c) => {
      const x = c.x(0);
      const [, lo, hi] = c.node.inputs;
      let mask: Tensor | undefined;
      if (lo) mask = c.g.add1("Greater", [x, lo]);
      if (hi) {
        const below = c.g.add1("Less", [x, hi]);
        mask = mask ? c.g.add1("And", [mask, below]) : below;
      }
      return [mask ? gate(mask, c.dy(0)!) : c.dy(0)];
    },
  },
  Exp: { doc: "dx = dy * y", backward: (c) => [mul(c.dy(0)!, c.y(0))] },
  Log: { doc: "dx = dy / x", backward: (c) => [div(c.dy(0)!, c.x(0))] },
  Sqrt: { doc: "dx = dy / (2 y)", backward: (c) => [div(c.dy(0)!, mul(c.y(0), 2))] },
  Sigmoid: {
    doc: "dx = dy * y * (1 - y)",
    backward: (c) => [mul(c.dy(0)!, mul(c.y(0), sub(1, c.y(0))))],
  },
  Tanh: {
    doc: "dx = dy * (1 - y^2)",
    backward: (c) => [mul(c.dy(0)!, sub(1, mul(c.y(0), c.y(0))))],
  },
  Softmax: {
    doc: "dx = y * (dy - sum(dy * y, axis))",
    backward: (c) => {
      const axis = getInt(c.node.attributes, "axis", -1);
      const y = c.y(0);
      return [mul(y, sub(c.dy(0)!, reduceSum(mul(c.dy(0)!, y), [axis])))];
    },
  },
  LogSoftmax: {
    doc: "dx = dy - exp(y) * sum(dy, axis)",
    backward: (c) => {
      const axis = getInt(c.node.attributes, "axis", -1);
      return [sub(c.dy(0)!, mul(exp(c.y(0)), reduceSum(c.dy(0)!, [axis])))];
    },
  },
  ReduceSum: {
    doc: "dx = broadcast(dy) over the reduced axes",
    backward: (c) => [reduceBackward(c, 1)],
  },
  ReduceMean: {
    doc: "dx = broadcast(dy) / count over the reduced axes",
    backward: (c) => [reduceBackward(c, 1 / reducedCount(c))],
  },
  Where: {
    doc: "da = sum-to-shape(dy where cond), db = sum-to-shape(dy where not cond)",
    backward: (c) => {
      const cond = c.x(0);
      const dy = c.dy(0)!;
      return [
        undefined,
        c.needs(1) ? unbroadcast(where(cond, dy, 0), c.x(1)) : undefined,
        c.needs(2) ? unbroadcast(where(cond, 0, dy), c.x(2)) : undefined,
      ];
    },
  },
  Cast: { doc: "dx = dy (between float types)", backward: (c) => [c.dy(0)] },
  Dropout: {
    doc: "dx = dy * mask / (1 - ratio) in training mode (mask output), dx = dy otherwise",
    backward: (c) => {
      if (c.node.outputs.length < 2 || !c.node.outputs[1]) return [c.dy(0)];
      const ratioName = c.node.inputs[1];
      const r = ratioName ? c.g.constantValue(ratioName) : undefined;
      const ratio = r ? Number(r.data[0]) : 0.5;
      return [gate(c.y(1), mul(c.dy(0)!, 1 / (1 - ratio)))];
    },
  },
};
