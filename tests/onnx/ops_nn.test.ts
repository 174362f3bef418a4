/**
 * Neural-network ops: ONNX Runtime (web) output and shape vs the float64 reference and the
 * builder's shape inference.
 */
import assert from "node:assert/strict";
import { GraphBuilder, type Tensor } from "../../lib/onnx/graph.ts";
import {
  averagePool,
  batchNormalization,
  batchNormalizationTraining,
  conv,
  type ConvOptions,
  convTranspose,
  gemm,
  type GemmOptions,
  globalAveragePool,
  matMul,
  maxPool,
  softmaxCrossEntropyLoss,
} from "../../lib/onnx/ops/nn.ts";
import { createRng } from "../../lib/util/rng.ts";
import { checkAgainstReference, randInts, randn, randParam } from "./helpers.ts";

function convCase(
  name: string,
  x: number[],
  w: number[],
  o: ConvOptions,
  bias = true,
) {
  Deno.test(`Conv ${name} matches the reference`, async () => {
    const rng = createRng(1).fork(name);
    const g = new GraphBuilder(name);
    const xi = g.input("x", "float32", x);
    const wt = randParam(g, rng, "w", w);
    const b = bias ? randParam(g, rng, "b", [w[0]]) : undefined;
    g.output(conv(xi, wt, b, o), "y");
    await checkAgainstReference(g, { x: randn(rng, x) });
  });
}

convCase("2-D plain", [2, 3, 7, 7], [4, 3, 3, 3], {});
convCase("2-D padded strided", [2, 3, 9, 8], [5, 3, 3, 3], { pads: [1, 1, 1, 1], strides: [2, 2] });
convCase("2-D asymmetric pads, dilated", [1, 2, 10, 9], [3, 2, 3, 2], {
  pads: [0, 1, 2, 0],
  dilations: [2, 1],
});
convCase("2-D grouped", [2, 4, 6, 6], [6, 2, 3, 3], { group: 2, pads: [1, 1, 1, 1] });
convCase("2-D depthwise", [2, 8, 8, 8], [8, 1, 3, 3], {
  group: 8,
  pads: [1, 1, 1, 1],
  strides: [2, 2],
});
convCase("2-D pointwise no bias", [3, 6, 5, 5], [4, 6, 1, 1], {}, false);
convCase("2-D SAME_UPPER", [1, 3, 7, 7], [2, 3, 3, 3], { autoPad: "SAME_UPPER", strides: [2, 2] });
convCase("1-D", [2, 3, 20], [4, 3, 5], { pads: [2, 2] });
convCase("1-D strided depthwise", [2, 4, 17], [4, 1, 3], { strides: [2], group: 4 });

Deno.test("ConvTranspose grouped strided matches the reference", async () => {
  const rng = createRng(2);
  const g = new GraphBuilder("convT");
  const x = g.input("x", "float32", [2, 4, 5, 5]);
  const w = randParam(g, rng, "w", [4, 3, 3, 3]);
  const b = randParam(g, rng, "b", [6]);
  g.output(
    convTranspose(x, w, b, {
      strides: [2, 2],
      pads: [1, 1, 1, 1],
      group: 2,
      outputPadding: [1, 1],
    }),
    "y",
  );
  assert.deepEqual(g.tensor("y").shape, [2, 6, 10, 10]);
  await checkAgainstReference(g, { x: randn(rng, [2, 4, 5, 5]) });
});

function gemmCase(name: string, a: number[], b: number[], c: number[] | undefined, o: GemmOptions) {
  Deno.test(`Gemm ${name} matches the reference`, async () => {
    const rng = createRng(3).fork(name);
    const g = new GraphBuilder(name);
    const ai = g.input("a", "float32", a);
    const bi = randParam(g, rng, "b", b);
    const ci = c ? randParam(g, rng, "c", c) : undefined;
    g.output(gemm(ai, bi, ci, o), "y");
    await checkAgainstReference(g, { a: randn(rng, a) });
  });
}

gemmCase("plain with bias row", [3, 5], [5, 4], [4], {});
gemmCase("transB alpha beta", [3, 5], [4, 5], [3, 4], { transB: true, alpha: 0.5, beta: 2 });
gemmCase("transA no bias", [5, 3], [5, 4], undefined, { transA: true });

Deno.test("MatMul batched, broadcast and 1-D match the reference", async () => {
  const rng = createRng(4);
  const g = new GraphBuilder("matmul");
  const a = g.input("a", "float32", [2, 3, 4, 5]);
  const b = g.input("b", "float32", [3, 5, 2]);
  const v = g.input("v", "float32", [5]);
  g.output(matMul(a, b), "ab");
  g.output(matMul(v, b), "vb");
  g.output(matMul(a, v), "av");
  await checkAgainstReference(g, {
    a: randn(rng, [2, 3, 4, 5]),
    b: randn(rng, [3, 5, 2]),
    v: randn(rng, [5]),
  });
});

function bnParams(g: GraphBuilder, rng: ReturnType<typeof createRng>, c: number) {
  return {
    scale: randParam(g, rng, "scale", [c]),
    bias: randParam(g, rng, "bias", [c]),
    mean: randParam(g, rng, "mean", [c]),
    variance: randParam(g, rng, "var", [c], true),
  };
}

Deno.test("BatchNormalization inference mode matches the reference", async () => {
  const rng = createRng(5);
  const g = new GraphBuilder("bn");
  const x = g.input("x", "float32", [3, 4, 5, 5]);
  g.output(batchNormalization(x, bnParams(g, rng, 4), { epsilon: 1e-3 }), "y");
  await checkAgainstReference(g, { x: randn(rng, [3, 4, 5, 5]) });
});

Deno.test("BatchNormalization training mode: output and running statistics", async () => {
  const rng = createRng(6);
  const g = new GraphBuilder("bn_train");
  const x = g.input("x", "float32", [4, 3, 6, 6]);
  const [y, m, v] = batchNormalizationTraining(x, bnParams(g, rng, 3), { momentum: 0.8 });
  g.output(y, "y");
  g.output(m, "running_mean");
  g.output(v, "running_var");
  await checkAgainstReference(g, { x: randn(rng, [4, 3, 6, 6], false, 2) }, { rtol: 2e-4 });
});

Deno.test("BatchNormalization on 1-D feature maps matches the reference", async () => {
  const rng = createRng(7);
  const g = new GraphBuilder("bn1d");
  const x = g.input("x", "float32", [2, 3, 11]);
  g.output(batchNormalization(x, bnParams(g, rng, 3)), "y");
  await checkAgainstReference(g, { x: randn(rng, [2, 3, 11]) });
});

function poolCase(name: string, shape: number[], build: (x: Tensor) => Tensor[]) {
  Deno.test(`${name} matches the reference`, async () => {
    const rng = createRng(8).fork(name);
    const g = new GraphBuilder("pool");
    const x = g.input("x", "float32", shape);
    build(x).forEach((t, i) => g.output(t, `y${i}`));
    await checkAgainstReference(g, { x: randn(rng, shape) });
  });
}

poolCase(
  "MaxPool 2x2 stride 2 with indices",
  [2, 3, 8, 8],
  (x) => maxPool(x, { kernel: [2, 2], strides: [2, 2], withIndices: true }),
);
poolCase("MaxPool 3x3 padded ceil mode", [1, 2, 9, 9], (x) => [
  maxPool(x, { kernel: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1], ceilMode: true }),
]);
poolCase("MaxPool 1-D", [2, 3, 15], (x) => [maxPool(x, { kernel: [3], strides: [2] })]);
poolCase("AveragePool padded, pads excluded", [2, 3, 7, 7], (x) => [
  averagePool(x, { kernel: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1] }),
]);
poolCase("AveragePool padded, pads included", [2, 3, 7, 7], (x) => [
  averagePool(x, { kernel: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1], countIncludePad: true }),
]);
poolCase("GlobalAveragePool 2-D and 1-D", [2, 5, 4, 3], (x) => [globalAveragePool(x)]);

Deno.test("SoftmaxCrossEntropyLoss mean and none match the reference", async () => {
  const rng = createRng(9);
  const g = new GraphBuilder("sce");
  const s = g.input("scores", "float32", [6, 5]);
  const l = g.input("labels", "int64", [6]);
  const [loss, logProb] = softmaxCrossEntropyLoss(s, l);
  g.output(loss, "loss");
  g.output(logProb, "log_prob");
  const [each] = softmaxCrossEntropyLoss(s, l, { reduction: "none" });
  g.output(each, "each");
  assert.deepEqual(g.tensor("loss").shape, []);
  await checkAgainstReference(g, {
    scores: randn(rng, [6, 5]),
    labels: randInts(rng, "int64", [6], 5),
  });
});
