// Whole small networks through buildTrainingGraph: float64 gradient checks of every
// parameter, and ONNX Runtime running the same training graph (loss, gradients, BN stats).
import assert from "node:assert/strict";
import { tensor } from "../../lib/onnx/dtype.ts";
import { GraphBuilder } from "../../lib/onnx/graph.ts";
import * as op from "../../lib/onnx/mod.ts";
import { encodeModel } from "../../lib/onnx/proto/encode.ts";
import { evaluate } from "../../lib/onnx/reference/mod.ts";
import type { GraphData, TensorData } from "../../lib/onnx/types.ts";
import { buildBackbone } from "../../lib/train/backbone.ts";
import { checkTrainingGraph, randomTensor } from "../../lib/train/gradcheck.ts";
import type { LossSpec } from "../../lib/train/loss.ts";
import { openSession } from "../../lib/train/ort.ts";
import { buildTrainingGraph, type TrainingGraph } from "../../lib/train/training_graph.ts";
import { createRng, type Rng } from "../../lib/util/rng.ts";

const f = "float32";

function convBnRelu(x: op.Tensor, name: string, cout: number, k: number, rng: Rng): op.Tensor {
  const g = x.graph;
  const dims = x.rank - 2;
  const w = g.param(
    `${name}.w`,
    randomTensor(rng, [cout, x.dim(1), ...new Array(dims).fill(k)], -0.5, 0.5),
  );
  const b = g.param(`${name}.b`, randomTensor(rng, [cout], -0.1, 0.1));
  const pads = new Array(2 * dims).fill(Math.floor(k / 2));
  const y = op.conv(x, w, b, { pads });
  const bn = op.batchNormalization(y, {
    scale: g.param(`${name}.scale`, randomTensor(rng, [cout], 0.5, 1.5)),
    bias: g.param(`${name}.shift`, randomTensor(rng, [cout], -0.2, 0.2)),
    mean: g.param(`${name}.mean`, tensor(f, [cout], new Array(cout).fill(0))),
    variance: g.param(`${name}.var`, tensor(f, [cout], new Array(cout).fill(1))),
  });
  return op.relu(bn);
}

/** conv-bn-relu-pool-conv-bn-relu-gap-gemm, 2-D (max pool) or 1-D (average pool). */
function smallNet(dims: 1 | 2, rng: Rng): GraphData {
  const g = new GraphBuilder(`net${dims}d`);
  const spatial = dims === 2 ? [6, 6] : [12];
  let x = g.input("input", f, ["N", 2, ...spatial]);
  x = convBnRelu(x, "c1", 3, 3, rng);
  const win = new Array(dims).fill(2);
  x = dims === 2
    ? op.maxPool(x, { kernel: win, strides: win })
    : op.averagePool(x, { kernel: win, strides: win });
  x = convBnRelu(x, "c2", 4, dims === 2 ? 3 : 5, rng);
  const h = op.flatten(op.globalAveragePool(x));
  const w = g.param("fc.w", randomTensor(rng, [3, 4]));
  const b = g.param("fc.b", randomTensor(rng, [3], -0.1, 0.1));
  g.output(op.gemm(h, w, b, { transB: true }), "logits");
  return g.toGraph();
}

function feedsFor(
  t: TrainingGraph,
  forward: GraphData,
  rng: Rng,
  batch: number,
): Record<string, TensorData> {
  const feeds: Record<string, TensorData> = {};
  const inits = new Map(forward.initializers.map((i) => [i.name, i]));
  for (const p of [...t.params, ...t.state]) feeds[p] = inits.get(p)!;
  const input = t.graph.inputs.find((v) => v.name === t.data)!;
  feeds[t.data] = randomTensor(rng, input.shape as number[]);
  feeds[t.labels] = tensor("int64", [batch], Array.from({ length: batch }, (_, i) => i % 3));
  if (t.teacher) feeds[t.teacher] = randomTensor(rng, [batch, 3], -2, 2);
  return feeds;
}

async function checkNet(
  name: string,
  forward: GraphData,
  loss: LossSpec,
  batch: number,
  seed: number,
) {
  const rng = createRng(seed);
  const t = buildTrainingGraph(forward, { loss, batchSize: batch });
  const feeds = feedsFor(t, forward, rng, batch);
  const r = checkTrainingGraph(t, feeds, { perTensor: 12 });
  assert.ok(r.ok, `${name}: ${JSON.stringify(r.failures)} (worst ${r.worstRatio})`);
  // ORT runs the same graph: loss, every gradient and the BN running statistics agree.
  const outs = [t.loss, ...Object.values(t.grads), ...Object.values(t.stateUpdates)];
  const ref = evaluate(t.graph, feeds, { outputs: outs });
  const session = await openSession(
    encodeModel({ ...new GraphBuilder().toModel(), graph: t.graph }),
  );
  const got = await session.run(feeds, outs);
  await session.release();
  for (const o of outs) {
    const b = ref[o].data;
    const scale = Math.max(1, ...Array.from(b, Math.abs));
    (got[o].data as Float32Array).forEach((v, i) => {
      assert.ok(
        Math.abs(v - b[i]) <= 2e-4 * scale,
        `${name}: ${o}[${i}] ORT ${v} vs float64 ${b[i]}`,
      );
    });
  }
  return t;
}

Deno.test("gradcheck: 2-D conv-bn-relu-maxpool-conv-bn-relu-gap-gemm, cross-entropy", async () => {
  const t = await checkNet("net2d", smallNet(2, createRng(1)), { kind: "cross-entropy" }, 4, 2);
  assert.equal(t.params.length, 10);
  assert.equal(Object.keys(t.stateUpdates).length, 4);
});

Deno.test("gradcheck: 1-D conv-bn-relu-avgpool-conv-bn-relu-gap-gemm, label smoothing", async () => {
  await checkNet(
    "net1d",
    smallNet(1, createRng(3)),
    { kind: "cross-entropy", labelSmoothing: 0.1 },
    3,
    4,
  );
});

Deno.test("gradcheck: KL distillation with temperature (teacher logits as input)", async () => {
  const t = await checkNet(
    "kd",
    smallNet(2, createRng(5)),
    { kind: "distillation", temperature: 3, alpha: 0.7 },
    4,
    6,
  );
  assert.equal(t.teacher, "teacher_logits");
});

Deno.test("gradcheck: task backbone (stem, strided and residual blocks), 2-D and 1-D", async () => {
  const blocks = [
    { channels: 4, kernel: 3, stride: 2, optional: false },
    { channels: 4, kernel: 3, stride: 1, optional: true },
  ];
  const two = buildBackbone(
    { kind: "conv2d", stem: { channels: 3, kernel: 3, stride: 1 }, blocks, dropout: 0 },
    [
      1,
      6,
      6,
    ],
    3,
    0,
  );
  await checkNet("backbone2d", two, { kind: "cross-entropy" }, 3, 8);
  const one = buildBackbone(
    { kind: "conv1d", stem: { channels: 3, kernel: 5, stride: 1 }, blocks, dropout: 0 },
    [
      2,
      10,
    ],
    3,
    0,
  );
  await checkNet("backbone1d", one, { kind: "cross-entropy" }, 3, 9);
});
