/**
 * Backward rules of the dense, normalisation, pooling and loss ops.
 *
 * @module
 */
import { attr, getFloat, getInt, getInts, getString } from "../../onnx/attr.ts";
import { tensor } from "../../onnx/dtype.ts";
import { forwardWindow } from "../../onnx/geometry.ts";
import type { Tensor } from "../../onnx/graph.ts";
import { add, div, exp, mul, reduceMean, reduceSum, sqrt, sub } from "../../onnx/ops/math.ts";
import { gemm, matMul } from "../../onnx/ops/nn.ts";
import { reshape, transpose } from "../../onnx/ops/shape.ts";
import { AdaspringError } from "../../errors.ts";
import { type BackwardRule, reshapeLike, unbroadcast } from "./rule.ts";
import { expandLike } from "./rules_math.ts";

function range(n: number, from = 0): number[] {
  return Array.from({ length: n }, (_, i) => i + from);
}

/** Swaps the last two axes. */
function swapLast(t: Tensor): Tensor {
  const r = t.rank;
  return transpose(t, [...range(r - 2), r - 1, r - 2]);
}

const gemmRule: BackwardRule = {
  doc:
    "dA = alpha dY B'^T, dB = alpha A'^T dY (transposes folded into Gemm flags), dC = beta sum(dY)",
  backward: (c) => {
    const [a, b] = [c.x(0), c.x(1)];
    const dy = c.dy(0)!;
    const ta = getInt(c.node.attributes, "transA", 0) === 1;
    const tb = getInt(c.node.attributes, "transB", 0) === 1;
    const alpha = getFloat(c.node.attributes, "alpha", 1);
    const beta = getFloat(c.node.attributes, "beta", 1);
    const o = { alpha: alpha === 1 ? undefined : alpha };
    const da = !c.needs(0)
      ? undefined
      : ta
      ? gemm(b, dy, undefined, { ...o, transA: tb, transB: true })
      : gemm(dy, b, undefined, { ...o, transB: !tb });
    const db = !c.needs(1)
      ? undefined
      : tb
      ? gemm(dy, a, undefined, { ...o, transA: true, transB: ta })
      : gemm(a, dy, undefined, { ...o, transA: !ta });
    const dc = c.node.inputs[2] && c.needs(2)
      ? unbroadcast(beta === 1 ? dy : mul(dy, beta), c.x(2))
      : undefined;
    return [da, db, dc];
  },
};

const matMulRule: BackwardRule = {
  doc: "dA = sum-to-shape(dY B^T), dB = sum-to-shape(A^T dY) (batched, rank >= 2)",
  backward: (c) => {
    const [a, b] = [c.x(0), c.x(1)];
    if (a.rank < 2 || b.rank < 2) {
      throw new AdaspringError(`MatMul "${c.node.name}": backward needs operands of rank >= 2`);
    }
    const dy = c.dy(0)!;
    return [
      c.needs(0) ? unbroadcast(matMul(dy, swapLast(b)), a) : undefined,
      c.needs(1) ? unbroadcast(matMul(swapLast(a), dy), b) : undefined,
    ];
  },
};

/** Per-channel vector [C] as [1, C, 1, ...] to broadcast against an NC... tensor of rank r. */
function channelView(v: Tensor, rank: number): Tensor {
  return reshape(v, [1, -1, ...new Array(rank - 2).fill(1)]);
}

const batchNormRule: BackwardRule = {
  doc: "training: dx = g/sd (dy - mean(dy) - xhat mean(dy xhat)); inference: dx = g/sd dy; " +
    "dscale = sum(dy xhat), dbias = sum(dy)",
  backward: (c) => {
    const x = c.x(0);
    const dy = c.dy(0)!;
    const eps = getFloat(c.node.attributes, "epsilon", 1e-5);
    const training = getInt(c.node.attributes, "training_mode", 0) === 1;
    const axes = [0, ...range(x.rank - 2, 2)];
    let mean: Tensor, variance: Tensor;
    if (training) {
      // Recompute the batch statistics ORT used (biased variance, as ONNX specifies).
      mean = reduceMean(x, axes);
      const xc0 = sub(x, mean);
      variance = reduceMean(mul(xc0, xc0), axes);
    } else {
      mean = channelView(c.x(3), x.rank);
      variance = channelView(c.x(4), x.rank);
    }
    const invStd = div(1, sqrt(add(variance, eps)));
    const xhat = mul(sub(x, mean), invStd);
    const gamma = channelView(c.x(1), x.rank);
    let dx: Tensor | undefined;
    if (c.needs(0)) {
      const scaled = mul(gamma, invStd);
      dx = training
        ? mul(
          scaled,
          sub(sub(dy, reduceMean(dy, axes)), mul(xhat, reduceMean(mul(dy, xhat), axes))),
        )
        : mul(dy, scaled);
    }
    const flat = { keepDims: false };
    return [
      dx,
      c.needs(1) ? reduceSum(mul(dy, xhat), axes, flat) : undefined,
      c.needs(2) ? reduceSum(dy, axes, flat) : undefined,
    ];
  },
};

const maxPoolRule: BackwardRule = {
  doc: "dx = ScatterElements(zeros, argmax indices, dy, reduction=add)",
  backward: (c) => {
    const x = c.x(0);
    const g = c.g;
    let indices: Tensor;
    if (c.node.outputs[1]) indices = c.y(1);
    else {
      // The forward node kept no indices: recompute them with the same window.
      indices = g.add("MaxPool", [x], c.node.attributes, { outputs: 2 })[1];
    }
    const n = x.shape.reduce<number>((p, d) => p * (d as number), 1);
    const zeros = g.add1("ConstantOfShape", [g.ints([n], "shape")], {
      value: attr.tensor(tensor(x.dtype, [1], [0])),
    });
    const scattered = g.add1("ScatterElements", [
      zeros,
      reshape(indices, [-1]),
      reshape(c.dy(0)!, [-1]),
    ], { axis: attr.int(0), reduction: attr.string("add") });
    return [reshapeLike(scattered, x)];
  },
};

const averagePoolRule: BackwardRule = {
  doc: "dx = ConvTranspose(dy / count, ones kernel, group = C)",
  backward: (c) => {
    const x = c.x(0);
    const g = c.g;
    const kernel = getInts(c.node.attributes, "kernel_shape", []);
    const spatial = x.shape.slice(2).map((_, i) => x.dim(i + 2));
    const ceil = getInt(c.node.attributes, "ceil_mode", 0) === 1;
    const win = forwardWindow(c.node.attributes, kernel, spatial, ceil);
    const includePad = getInt(c.node.attributes, "count_include_pad", 0) === 1;
    const r = kernel.length;
    const inv = inverseCounts(win.out, win.kernel, win.strides, win.pads, spatial, includePad);
    const scaled = mul(c.dy(0)!, g.constant(tensor(x.dtype, [1, 1, ...win.out], inv), "inv_count"));
    const channels = x.dim(1);
    const k = kernel.reduce((p, v) => p * v, 1);
    const ones = g.constant(
      tensor(x.dtype, [channels, 1, ...kernel], new Array(channels * k).fill(1)),
    );
    const pads = [...win.pads];
    const outPad = range(r).map((i) => {
      let op = spatial[i] + pads[i] + pads[i + r] - kernel[i] - win.strides[i] * (win.out[i] - 1);
      if (op < 0) { // ceil mode: the last window ran past the end pad; crop more at the end
        pads[i + r] -= op;
        op = 0;
      }
      return op;
    });
    return [g.add1("ConvTranspose", [scaled, ones], {
      strides: attr.ints(win.strides),
      pads: attr.ints(pads),
      group: attr.int(channels),
      kernel_shape: attr.ints(kernel),
      output_padding: attr.ints(outPad),
    })];
  },
};

/** 1 / (elements each pooling window averaged), per output position. */
function inverseCounts(
  out: readonly number[],
  kernel: readonly number[],
  strides: readonly number[],
  pads: readonly number[],
  spatial: readonly number[],
  includePad: boolean,
): number[] {
  const r = out.length;
  const perAxis = range(r).map((i) =>
    range(out[i]).map((o) => {
      const lo = o * strides[i] - pads[i];
      const hi = lo + kernel[i];
      const a = includePad ? Math.max(lo, -pads[i]) : Math.max(lo, 0);
      const b = includePad ? Math.min(hi, spatial[i] + pads[i + r]) : Math.min(hi, spatial[i]);
      return b - a;
    })
  );
  let counts = [1];
  for (const axis of perAxis) counts = counts.flatMap((p) => axis.map((v) => p * v));
  return counts.map((n) => 1 / n);
}

const globalAveragePoolRule: BackwardRule = {
  doc: "dx = broadcast(dy) / (spatial size)",
  backward: (c) => {
    const x = c.x(0);
    const area = x.shape.slice(2).reduce<number>((p, d) => p * (d as number), 1);
    return [mul(expandLike(c.dy(0)!, x), 1 / area)];
  },
};

const softmaxCrossEntropyRule: BackwardRule = {
  doc: "dscores = (softmax(scores) - onehot(labels)) * dloss / (N for mean) (+ log-prob path)",
  backward: (c) => {
    const g = c.g;
    const scores = c.x(0);
    if (c.node.inputs[2] || c.node.attributes.ignore_index) {
      throw new AdaspringError(
        `SoftmaxCrossEntropyLoss "${c.node.name}": backward supports no class weights and no ` +
          `ignore_index`,
      );
    }
    const reduction = getString(c.node.attributes, "reduction", "mean");
    const logProb = c.node.outputs[1]
      ? c.y(1)
      : g.add1("LogSoftmax", [scores], { axis: attr.int(1) });
    const classes = scores.dim(1);
    const onehot = g.add1("OneHot", [
      c.x(1),
      g.ints([classes], "depth"),
      g.constant(tensor(scores.dtype, [2], [0, 1]), "onehot_values"),
    ], { axis: attr.int(1) });
    let grad: Tensor | undefined;
    const dLoss = c.dy(0);
    if (dLoss) {
      const count = c.x(1).shape.reduce<number>((p, d) => p * (d as number), 1);
      let dl = reduction === "mean" ? div(dLoss, count) : dLoss;
      if (reduction === "none") dl = g.add1("Unsqueeze", [dl, g.ints([1], "axes")]);
      grad = mul(sub(exp(logProb), onehot), dl);
    }
    const dLogProb = c.dy(1);
    if (dLogProb) {
      const viaLogSoftmax = sub(dLogProb, mul(exp(logProb), reduceSum(dLogProb, [1])));
      grad = grad ? add(grad, viaLogSoftmax) : viaLogSoftmax;
    }
    return [grad, undefined, undefined];
  },
};

/** Rules of the dense, normalisation, pooling and loss ops, by op type. */
export const nnRules: Readonly<Record<string, BackwardRule>> = {
  Gemm: gemmRule,
  MatMul: matMulRule,
  BatchNormalization: batchNormRule,
  MaxPool: maxPoolRule,
  AveragePool: averagePoolRule,
  GlobalAveragePool: globalAveragePoolRule,
  SoftmaxCrossEntropyLoss: softmaxCrossEntropyRule,
};
