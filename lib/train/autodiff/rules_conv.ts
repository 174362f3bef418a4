/**
 * Backward rules of Conv (1-D and 2-D, strided, padded, dilated, grouped, depthwise), using
 * the variants measured fastest on ORT-web (notes/onnx-runtime-in-deno.md):
 *
 * - input gradient, stride 1: a Conv with the flipped, group-transposed kernel (beats
 *   ConvTranspose about 1.7x); strided: ConvTranspose with `output_padding` for the remainder;
 * - weight gradient, 1x1 stride 1: a batched MatMul of dy and x, summed over the batch;
 *   otherwise one Conv that treats the batch as channels (stride and dilation swap roles).
 *
 * @module
 */
import { attr, getInt } from "../../onnx/attr.ts";
import { forwardWindow, type Window } from "../../onnx/geometry.ts";
import type { Tensor } from "../../onnx/graph.ts";
import { reduceSum } from "../../onnx/ops/math.ts";
import { matMul } from "../../onnx/ops/nn.ts";
import { reshape, slice, transpose } from "../../onnx/ops/shape.ts";
import type { BackwardRule, RuleContext } from "./rule.ts";

/** The resolved window of a Conv node (explicit pads, whatever `auto_pad` said). */
export function convWindow(c: RuleContext): Window {
  const x = c.x(0);
  const w = c.x(1);
  const kernel = w.shape.slice(2).map((_, i) => w.dim(i + 2));
  const spatial = x.shape.slice(2).map((_, i) => x.dim(i + 2));
  return forwardWindow(c.node.attributes, kernel, spatial);
}

function range(n: number, from = 0): number[] {
  return Array.from({ length: n }, (_, i) => i + from);
}

/** W [M, C/g, k...] -> [C, M/g, k...] with every kernel flipped in space. */
function flippedTransposed(w: Tensor, group: number): Tensor {
  const r = w.rank - 2;
  const [m, cg] = [w.dim(0), w.dim(1)];
  const ks = range(r).map((i) => w.dim(i + 2));
  let t: Tensor;
  if (group === 1) t = transpose(w, [1, 0, ...range(r, 2)]);
  else {
    const split = reshape(w, [group, m / group, cg, ...ks]);
    t = reshape(transpose(split, [0, 2, 1, ...range(r, 3)]), [cg * group, m / group, ...ks]);
  }
  const axes = range(r, 2);
  return slice(t, axes.map(() => -1), ks.map((k) => -(k + 1)), axes, axes.map(() => -1));
}

function inputGrad(c: RuleContext, win: Window, group: number): Tensor {
  const dy = c.dy(0)!;
  const x = c.x(0);
  const w = c.x(1);
  const r = win.kernel.length;
  const span = win.kernel.map((k, i) => win.dilations[i] * (k - 1));
  const flipPads = [...span, ...span].map((s, i) => s - win.pads[i]);
  if (win.strides.every((s) => s === 1) && flipPads.every((p) => p >= 0)) {
    return c.g.add1("Conv", [dy, flippedTransposed(w, group)], {
      pads: attr.ints(flipPads),
      dilations: attr.ints(win.dilations),
      group: attr.int(group),
      kernel_shape: attr.ints(win.kernel),
    });
  }
  const outPad = range(r).map((i) =>
    (x.dim(i + 2) + win.pads[i] + win.pads[i + r] - span[i] - 1) % win.strides[i]
  );
  return c.g.add1("ConvTranspose", [dy, w], {
    strides: attr.ints(win.strides),
    pads: attr.ints(win.pads),
    dilations: attr.ints(win.dilations),
    group: attr.int(group),
    kernel_shape: attr.ints(win.kernel),
    output_padding: attr.ints(outPad),
  });
}

function weightGrad(c: RuleContext, win: Window, group: number): Tensor {
  const dy = c.dy(0)!;
  const x = c.x(0);
  const w = c.x(1);
  const r = win.kernel.length;
  const [m, cg] = [w.dim(0), w.dim(1)];
  const pointwise = win.kernel.every((k) => k === 1) && win.strides.every((s) => s === 1) &&
    win.pads.every((p) => p === 0) && group === 1;
  if (pointwise) {
    // dW[m, c] = sum over batch and positions of dy[n, m, p] * x[n, c, p]: a batched MatMul.
    const dy3 = reshape(dy, [0, m, -1]);
    const xt = transpose(reshape(x, [0, cg, -1]), [0, 2, 1]);
    return reshape(reduceSum(matMul(dy3, xt), [0], { keepDims: false }), w.shape as number[]);
  }
  // Batch as channels: xT [C/g, g*N, ...S] convolved with dyT [M, N, ...So] in g groups gives
  // [C/g, M, k'...] with k' >= k (a remainder the forward stride skipped); keep the first k.
  const spatial = range(r).map((i) => x.dim(i + 2));
  const xT = group === 1 ? transpose(x, [1, 0, ...range(r, 2)]) : reshape(
    transpose(reshape(x, [0, group, cg, ...spatial]), [2, 1, 0, ...range(r, 3)]),
    [cg, -1, ...spatial],
  );
  const dyT = transpose(dy, [1, 0, ...range(r, 2)]);
  const full = c.g.add1("Conv", [xT, dyT], {
    pads: attr.ints(win.pads),
    strides: attr.ints(win.dilations),
    dilations: attr.ints(win.strides),
    group: attr.int(group),
    kernel_shape: attr.ints(range(r).map((i) => dyT.dim(i + 2))),
  });
  const axes = range(r, 2);
  const fits = axes.every((a, i) => full.dim(a) === win.kernel[i]);
  const cut = fits ? full : slice(full, axes.map(() => 0), win.kernel, axes);
  return transpose(cut, [1, 0, ...axes]);
}

/** The Conv rule. */
export const convRule: BackwardRule = {
  doc: "dx = Conv(dy, flip(W^T)) at stride 1 else ConvTranspose(dy, W); " +
    "dW = MatMul(dy, x^T) for 1x1 else Conv(x^T, dy^T); db = sum(dy)",
  backward: (c) => {
    const win = convWindow(c);
    const group = getInt(c.node.attributes, "group", 1);
    const dy = c.dy(0)!;
    const spatialAxes = range(dy.rank - 2, 2);
    return [
      c.needs(0) ? inputGrad(c, win, group) : undefined,
      c.needs(1) ? weightGrad(c, win, group) : undefined,
      c.node.inputs[2] && c.needs(2)
        ? reduceSum(dy, [0, ...spatialAxes], { keepDims: false })
        : undefined,
    ];
  },
};
