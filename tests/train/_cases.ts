// Small op cases shared by the gradient-check and ORT-agreement tests. Each case builds a
// graph whose inputs are all differentiated (weights are inputs, not initializers).
import { tensor } from "../../lib/onnx/dtype.ts";
import type { GraphBuilder, Tensor } from "../../lib/onnx/graph.ts";
import * as op from "../../lib/onnx/mod.ts";
import type { GradCheckOptions } from "../../lib/train/gradcheck.ts";

export interface OpCase {
  readonly name: string;
  /** Builds the op on fresh inputs; returns the value to probe. */
  readonly build: (g: GraphBuilder) => Tensor;
  /** Inputs not to differentiate (e.g. labels), with their fixed values. */
  readonly fixed?: Readonly<Record<string, op.TensorData>>;
  /** Gradient-check tolerances when the defaults do not fit (say why at the case). */
  readonly check?: GradCheckOptions;
  /** Input value range (default [-1, 1)). */
  readonly range?: readonly [number, number];
}

const f = "float32";

function convCase(
  name: string,
  x: number[],
  w: number[],
  o: op.ConvOptions = {},
  bias = true,
): OpCase {
  return {
    name,
    build: (g) => {
      const xs = g.input("x", f, x);
      const ws = g.input("w", f, w);
      const b = bias ? g.input("b", f, [w[0]]) : undefined;
      return op.conv(xs, ws, b, o);
    },
  };
}

export const OP_CASES: readonly OpCase[] = [
  convCase("conv 3x3 pad 1", [2, 3, 5, 5], [4, 3, 3, 3], { pads: [1, 1, 1, 1] }),
  convCase("conv 3x3 stride 2 pad 1", [2, 3, 6, 5], [4, 3, 3, 3], {
    strides: [2, 2],
    pads: [1, 1, 1, 1],
  }),
  convCase("conv 3x3 stride 2 no pad (remainder)", [1, 2, 6, 6], [3, 2, 3, 3], { strides: [2, 2] }),
  convCase("conv 2x3 kernel, asymmetric pads, dilation 2 on H", [1, 2, 9, 8], [3, 2, 2, 3], {
    pads: [1, 0, 0, 2],
    dilations: [2, 1],
  }),
  convCase("conv grouped (2 groups)", [2, 4, 5, 5], [6, 2, 3, 3], { pads: [1, 1, 1, 1], group: 2 }),
  convCase("conv depthwise", [2, 3, 5, 5], [3, 1, 3, 3], { pads: [1, 1, 1, 1], group: 3 }),
  convCase("conv depthwise stride 2", [2, 3, 6, 6], [6, 1, 3, 3], {
    strides: [2, 2],
    pads: [1, 1, 1, 1],
    group: 3,
  }),
  convCase("conv 1x1", [2, 3, 4, 4], [5, 3, 1, 1], {}, false),
  convCase("conv 1x1 stride 2", [2, 3, 5, 5], [5, 3, 1, 1], { strides: [2, 2] }),
  convCase("conv1d k5 pad 2", [2, 3, 11], [4, 3, 5], { pads: [2, 2] }),
  convCase("conv1d k3 stride 2", [2, 2, 10], [3, 2, 3], { strides: [2], pads: [1, 1] }),
  convCase("conv1d depthwise", [2, 4, 9], [4, 1, 3], { pads: [1, 1], group: 4 }),
  {
    name: "gemm transB with bias",
    build: (g) =>
      op.gemm(g.input("a", f, [3, 4]), g.input("b", f, [5, 4]), g.input("c", f, [5]), {
        transB: true,
      }),
  },
  {
    name: "gemm transA alpha beta",
    build: (g) =>
      op.gemm(g.input("a", f, [4, 3]), g.input("b", f, [4, 2]), g.input("c", f, [3, 2]), {
        transA: true,
        alpha: 0.5,
        beta: 2,
      }),
  },
  {
    name: "gemm transA transB",
    build: (g) =>
      op.gemm(g.input("a", f, [4, 3]), g.input("b", f, [2, 4]), undefined, {
        transA: true,
        transB: true,
      }),
  },
  {
    name: "matmul batched broadcast",
    build: (g) => op.matMul(g.input("a", f, [2, 3, 4]), g.input("b", f, [4, 5])),
  },
  {
    name: "add broadcast",
    build: (g) => op.add(g.input("a", f, [2, 3, 4]), g.input("b", f, [3, 1])),
  },
  {
    name: "sub broadcast",
    build: (g) => op.sub(g.input("a", f, [2, 1, 4]), g.input("b", f, [3, 4])),
  },
  {
    name: "mul broadcast",
    build: (g) => op.mul(g.input("a", f, [2, 3, 4]), g.input("b", f, [1, 3, 1])),
  },
  {
    name: "div",
    build: (g) => op.div(g.input("a", f, [2, 3]), g.input("b", f, [2, 3])),
    range: [0.5, 2],
  },
  { name: "relu", build: (g) => op.relu(g.input("x", f, [3, 7])) },
  { name: "relu6 (clip 0..6)", build: (g) => op.relu6(g.input("x", f, [4, 9])), range: [-2, 8] },
  { name: "tanh", build: (g) => op.tanh(g.input("x", f, [2, 5])) },
  { name: "sigmoid", build: (g) => op.sigmoid(g.input("x", f, [2, 5])) },
  { name: "exp", build: (g) => op.exp(g.input("x", f, [2, 5])) },
  { name: "softmax", build: (g) => op.softmax(g.input("x", f, [3, 5]), 1) },
  { name: "log-softmax", build: (g) => op.logSoftmax(g.input("x", f, [3, 5]), 1) },
  {
    name: "batchnorm training mode",
    build: (g) => {
      const x = g.input("x", f, [4, 3, 3, 2]);
      const p = {
        scale: g.input("scale", f, [3]),
        bias: g.input("bias", f, [3]),
        mean: g.constant(tensor(f, [3], [0, 0, 0])),
        variance: g.constant(tensor(f, [3], [1, 1, 1])),
      };
      return op.batchNormalizationTraining(x, p)[0];
    },
  },
  {
    name: "batchnorm inference mode",
    build: (g) => {
      const x = g.input("x", f, [2, 3, 4]);
      const p = {
        scale: g.input("scale", f, [3]),
        bias: g.input("bias", f, [3]),
        mean: g.constant(tensor(f, [3], [0.1, -0.2, 0.3])),
        variance: g.constant(tensor(f, [3], [0.5, 1.5, 2])),
      };
      return op.batchNormalization(x, p);
    },
  },
  {
    name: "maxpool 2x2",
    build: (g) => op.maxPool(g.input("x", f, [2, 3, 6, 6]), { kernel: [2, 2], strides: [2, 2] }),
  },
  {
    name: "maxpool 3x3 stride 2 pad 1",
    build: (g) =>
      op.maxPool(g.input("x", f, [1, 2, 7, 7]), {
        kernel: [3, 3],
        strides: [2, 2],
        pads: [1, 1, 1, 1],
      }),
  },
  {
    name: "maxpool 1d",
    build: (g) => op.maxPool(g.input("x", f, [2, 3, 9]), { kernel: [3], strides: [2] }),
  },
  {
    name: "averagepool 2x2",
    build: (g) =>
      op.averagePool(g.input("x", f, [2, 3, 6, 6]), { kernel: [2, 2], strides: [2, 2] }),
  },
  {
    name: "averagepool 3x3 pad 1 exclude pad",
    build: (g) =>
      op.averagePool(g.input("x", f, [1, 2, 7, 6]), {
        kernel: [3, 3],
        strides: [2, 2],
        pads: [1, 1, 1, 1],
      }),
  },
  {
    name: "averagepool 3x3 pad 1 include pad",
    build: (g) =>
      op.averagePool(g.input("x", f, [1, 2, 6, 6]), {
        kernel: [3, 3],
        strides: [1, 1],
        pads: [1, 1, 1, 1],
        countIncludePad: true,
      }),
  },
  {
    name: "averagepool 1d",
    build: (g) => op.averagePool(g.input("x", f, [2, 2, 8]), { kernel: [2], strides: [2] }),
  },
  {
    name: "global average pool",
    build: (g) => op.globalAveragePool(g.input("x", f, [2, 3, 4, 5])),
  },
  {
    name: "global average pool 1d",
    build: (g) => op.globalAveragePool(g.input("x", f, [2, 3, 7])),
  },
  { name: "reshape", build: (g) => op.reshape(g.input("x", f, [2, 3, 4]), [6, 4]) },
  { name: "flatten", build: (g) => op.flatten(g.input("x", f, [2, 3, 2, 2])) },
  { name: "transpose", build: (g) => op.transpose(g.input("x", f, [2, 3, 4]), [2, 0, 1]) },
  {
    name: "concat axis 1",
    build: (g) =>
      op.concat([
        g.input("a", f, [2, 3, 2]),
        g.input("b", f, [2, 1, 2]),
        g.input("c", f, [2, 2, 2]),
      ], 1),
  },
  { name: "slice", build: (g) => op.slice(g.input("x", f, [3, 8, 4]), [1, -3], [7, 100], [1, 2]) },
  {
    name: "reduce mean keepdims 0",
    build: (g) => op.reduceMean(g.input("x", f, [2, 3, 4]), [1], { keepDims: false }),
  },
  {
    name: "reduce sum all",
    build: (g) => op.reduceSum(g.input("x", f, [2, 3]), [], { keepDims: false }),
  },
  { name: "neg", build: (g) => op.neg(g.input("x", f, [2, 3])) },
  { name: "identity", build: (g) => op.identity(g.input("x", f, [2, 3])) },
  { name: "sqrt", build: (g) => op.sqrt(g.input("x", f, [2, 3])), range: [0.5, 2] },
  { name: "log", build: (g) => op.log(g.input("x", f, [2, 3])), range: [0.5, 2] },
  {
    name: "sum of three (broadcast)",
    build: (g) => op.sum([g.input("a", f, [2, 3]), g.input("b", f, [3]), g.input("c", f, [2, 1])]),
  },
  {
    name: "where",
    build: (g) => {
      const a = g.input("a", f, [2, 3]);
      const b = g.input("b", f, [3]);
      return op.where(op.greater(a, 0), a, b);
    },
  },
  {
    // The reference rounds a float32 Cast's output, so a 1e-6 step drowns in rounding; Cast is
    // linear, so a large step has no truncation error.
    name: "cast float32 -> float32",
    build: (g) => op.cast(g.input("x", f, [2, 3]), "float32"),
    check: { eps: 1e-2, rtol: 1e-4, atol: 1e-5 },
  },
  { name: "expand", build: (g) => op.expand(g.input("x", f, [3, 1]), [2, 3, 4]) },
  { name: "squeeze", build: (g) => op.squeeze(g.input("x", f, [2, 1, 3]), [1]) },
  { name: "unsqueeze", build: (g) => op.unsqueeze(g.input("x", f, [2, 3]), [0, 2]) },
  { name: "pad", build: (g) => op.pad(g.input("x", f, [2, 3, 4]), [0, 1, 2, 0, 2, 1]) },
  {
    name: "softmax cross-entropy loss",
    build: (g) =>
      op.softmaxCrossEntropyLoss(g.input("x", f, [4, 5]), g.input("labels", "int64", [4]))[0],
    fixed: { labels: tensor("int64", [4], [0, 3, 4, 1]) },
  },
  {
    name: "softmax cross-entropy sum (with log-prob use)",
    build: (g) => {
      const [loss, logp] = op.softmaxCrossEntropyLoss(
        g.input("x", f, [3, 4]),
        g.input("labels", "int64", [3]),
        {
          reduction: "sum",
        },
      );
      return op.add(loss, op.reduceSum(op.mul(logp, logp), [], { keepDims: false }));
    },
    fixed: { labels: tensor("int64", [3], [2, 0, 3]) },
  },
];
