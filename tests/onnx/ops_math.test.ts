/**
 * Element-wise, reduction, data-movement and quantization ops: ONNX Runtime (web) output and
 * shape vs the float64 reference and the builder's shape inference.
 */
import assert from "node:assert/strict";
import { tensor } from "../../lib/onnx/dtype.ts";
import { GraphBuilder, type Tensor } from "../../lib/onnx/graph.ts";
import * as m from "../../lib/onnx/ops/math.ts";
import { dequantizeLinear, quantizeLinear } from "../../lib/onnx/ops/quant.ts";
import * as s from "../../lib/onnx/ops/shape.ts";
import type { TensorData } from "../../lib/onnx/types.ts";
import { createRng, type Rng } from "../../lib/util/rng.ts";
import { checkAgainstReference, randInts, randn } from "./helpers.ts";

interface Case {
  readonly name: string;
  readonly inputs: Record<string, number[]>;
  readonly positive?: boolean;
  readonly build: (g: GraphBuilder, x: Record<string, Tensor>) => Tensor[];
  readonly feeds?: (rng: Rng) => Record<string, TensorData>;
}

function run(c: Case) {
  Deno.test(`${c.name} matches the reference`, async () => {
    const rng = createRng(11).fork(c.name);
    const g = new GraphBuilder("ops");
    const xs: Record<string, Tensor> = {};
    const feeds: Record<string, TensorData> = c.feeds?.(rng) ?? {};
    for (const [name, shape] of Object.entries(c.inputs)) {
      const given = feeds[name];
      xs[name] = g.input(name, given?.dtype ?? "float32", shape);
      feeds[name] ??= randn(rng, shape, c.positive);
    }
    c.build(g, xs).forEach((t, i) => g.output(t, `out${i}`));
    await checkAgainstReference(g, feeds);
  });
}

const CASES: Case[] = [
  {
    name: "Relu / Neg / Exp",
    inputs: { x: [3, 4] },
    build: (_, { x }) => [m.relu(x), m.neg(x), m.exp(x)],
  },
  {
    name: "Clip both bounds, lower only",
    inputs: { x: [2, 5] },
    build: (_, { x }) => [m.clip(x, -0.5, 0.7), m.clip(x, 0)],
  },
  {
    // Clip(0, 6): inputs ~ N(0, 5) so that both bounds bite.
    name: "Relu6",
    inputs: { x: [3, 8] },
    feeds: (rng) => ({ x: randn(rng, [3, 8], false, 5) }),
    build: (_, { x }) => [m.relu6(x)],
  },
  {
    name: "Log / Sqrt / Pow",
    inputs: { x: [4, 3] },
    positive: true,
    build: (_, { x }) => [m.log(x), m.sqrt(x), m.pow(x, 1.5)],
  },
  { name: "Sigmoid / Tanh", inputs: { x: [6] }, build: (_, { x }) => [m.sigmoid(x), m.tanh(x)] },
  {
    name: "Add / Sub / Mul / Div broadcasting",
    inputs: { a: [2, 3, 4], b: [3, 1], c: [4] },
    build: (
      _,
      { a, b, c },
    ) => [m.add(a, b), m.sub(c, a), m.mul(a, c), m.div(a, m.add(m.mul(b, b), 1))],
  },
  {
    name: "Sum / Where / Equal / Greater",
    inputs: { a: [2, 3], b: [2, 3] },
    build: (
      _,
      { a, b },
    ) => [m.sum([a, b, a]), m.where(m.greater(a, b), a, b), m.cast(m.equal(a, a), "float32")],
  },
  {
    name: "Softmax / LogSoftmax",
    inputs: { x: [3, 7] },
    build: (_, { x }) => [m.softmax(x), m.logSoftmax(x, 0)],
  },
  {
    name: "ReduceSum / ReduceMean / ReduceMax",
    inputs: { x: [2, 3, 4] },
    build: (_, { x }) => [
      m.reduceSum(x, [0, 2]),
      m.reduceSum(x, []),
      m.reduceMean(x, [1], { keepDims: false }),
      m.reduceMax(x, [-1]),
    ],
  },
  {
    name: "ArgMax",
    inputs: { x: [4, 6] },
    build: (_, { x }) => [m.argMax(x, 1, { keepDims: false }), m.argMax(x, 0)],
  },
  {
    name: "Concat / Slice",
    inputs: { a: [2, 3, 4], b: [2, 2, 4] },
    build: (_, { a, b }) => [
      s.concat([a, b, a], 1),
      s.slice(a, [1, -3], [3, 100], [1, 2]),
      s.slice(a, [-1], [-100], [2], [-2]),
    ],
  },
  {
    name: "Reshape / Flatten / Transpose",
    inputs: { x: [2, 3, 4, 5] },
    build: (
      _,
      { x },
    ) => [s.reshape(x, [0, -1, 5]), s.flatten(x), s.flatten(x, 3), s.transpose(x, [0, 2, 3, 1])],
  },
  {
    name: "Squeeze / Unsqueeze / Expand",
    inputs: { x: [3, 1, 4] },
    build: (_, { x }) => [s.squeeze(x, [1]), s.unsqueeze(x, [0, 4]), s.expand(x, [2, 3, 5, 4])],
  },
  {
    name: "Pad (constant zero)",
    inputs: { x: [2, 3, 4] },
    build: (_, { x }) => [s.pad(x, [0, 1, 2, 0, 2, 1])],
  },
  {
    name: "Gather rows",
    inputs: { x: [5, 3], i: [4] },
    feeds: (rng) => ({ i: randInts(rng, "int64", [4], 5) }),
    build: (_, { x, i }) => [s.gather(x, i, 0)],
  },
  {
    name: "OneHot / ScatterElements add",
    inputs: { labels: [5] },
    feeds: (rng) => ({ labels: randInts(rng, "int64", [5], 4) }),
    build: (g, { labels }) => {
      const values = g.constant(tensor("float32", [2], [0, 1]));
      const oneHot = g.add1("OneHot", [labels, g.constant(tensor("int64", [], [4])), values], {
        axis: { kind: "int", value: -1 },
      });
      const zeros = g.constant(tensor("float32", [5, 4], new Array(20).fill(0)));
      const idx = s.unsqueeze(labels, [1]);
      const upd = g.constant(tensor("float32", [5, 1], [1, 2, 3, 4, 5]));
      const scattered = g.add1("ScatterElements", [zeros, idx, upd], {
        axis: { kind: "int", value: 1 },
        reduction: { kind: "string", value: "add" },
      });
      return [oneHot, scattered];
    },
  },
];

for (const c of CASES) run(c);

Deno.test("QuantizeLinear / DequantizeLinear per tensor (int8, uint8) and per channel", async () => {
  const rng = createRng(12);
  const g = new GraphBuilder("qdq");
  const x = g.input("x", "float32", [2, 3, 4]);
  const scale = g.constant(tensor("float32", [], [0.02]));
  const zInt8 = g.constant(tensor("int8", [], [3]));
  const zUint8 = g.constant(tensor("uint8", [], [128]));
  const q8 = quantizeLinear(x, scale, zInt8);
  assert.equal(q8.dtype, "int8");
  const qu8 = quantizeLinear(x, scale, zUint8);
  const chScale = g.constant(tensor("float32", [3], [0.01, 0.03, 0.05]));
  const chZero = g.constant(tensor("int8", [3], [0, -2, 5]));
  const qc = quantizeLinear(x, chScale, chZero, { axis: 1 });
  g.output(q8, "q8");
  g.output(qu8, "qu8");
  g.output(dequantizeLinear(q8, scale, zInt8), "dq8");
  g.output(dequantizeLinear(qc, chScale, chZero, { axis: 1 }), "dqc");
  // Values beyond the int8 range check saturation.
  await checkAgainstReference(g, { x: randn(rng, [2, 3, 4], false, 2) });
});
