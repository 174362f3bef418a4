// The training-mode subnet graph: float64 gradient checks for every operator of a tiny space,
// parameters named after store tensors with their slices, low-rank trained straight-through or
// through its rank-r projection.
import assert from "node:assert/strict";
import { checkTrainingGraph } from "../../lib/train/gradcheck.ts";
import type { TensorData } from "../../lib/onnx/types.ts";
import { formatConfigId, largestConfig, parseConfigId } from "../../lib/supernet/mod.ts";
import { addToSlice, readSlice } from "../../lib/supernet/slice.ts";
import { buildSubnetTraining, projectionFeeds } from "../../lib/supernet/train_graph.ts";
import { evaluate } from "../../lib/onnx/reference/mod.ts";
import { lowRankFactors, lowRankProduct } from "../../lib/supernet/svd.ts";
import { copyStore } from "../../lib/supernet/ensemble_checkpoint.ts";
import type { WeightStore } from "../../lib/supernet/weights.ts";
import { createRng } from "../../lib/util/rng.ts";
import { TINY_INPUT, tinyBatch, tinyEnsembleSpace, tinyStore } from "./ensemble_fixtures.ts";

const space = tinyEnsembleSpace();
const store = tinyStore(space, 3);
const CONFIGS = [
  formatConfigId(space, largestConfig(space)),
  "b0:dw-w.5|b1:fire",
  "b0:fire-w1|b1:lr.5",
  "b0:lr.5-w.5|b1:skip",
];

function feeds(
  t: ReturnType<typeof buildSubnetTraining>,
  n: number,
  teacher: boolean,
  from: WeightStore = store,
) {
  const out: Record<string, TensorData> = { ...projectionFeeds(from, t.projections) };
  for (const p of t.params) {
    out[p.name] = { dtype: "float32", shape: p.shape, data: readSlice(from, p.slice) };
  }
  for (const s of t.training.state) {
    const shape = t.training.graph.inputs.find((v) => v.name === s)!.shape as number[];
    const data = new Float32Array(shape[0]).fill(s.endsWith(".var") ? 1 : 0);
    out[s] = { dtype: "float32", shape, data };
  }
  const b = tinyBatch(n, 5);
  out.input = { dtype: "float32", shape: [n, ...TINY_INPUT], data: b.x };
  out.labels = { dtype: "int64", shape: [n], data: b.y };
  if (teacher) {
    const rng = createRng(9);
    const data = Float32Array.from({ length: n * 3 }, () => 2 * rng.normal());
    out.teacher_logits = { dtype: "float32", shape: [n, 3], data };
  }
  return out;
}

for (const id of CONFIGS) {
  for (const distill of [false, true]) {
    Deno.test(`training graph of ${id} (${distill ? "distillation" : "cross-entropy"}): gradients match float64 finite differences`, () => {
      const config = parseConfigId(space, id);
      const t = buildSubnetTraining(store, space, config, {
        inputShape: TINY_INPUT,
        batchSize: 4,
        loss: distill
          ? { kind: "distillation", temperature: 2, alpha: 0.7 }
          : { kind: "cross-entropy" },
      });
      const r = checkTrainingGraph(t.training, feeds(t, 4, distill), { perTensor: 12 });
      assert.ok(r.ok, `${JSON.stringify(r.failures)} worst ${r.worstRatio}`);
      assert.ok(r.checked >= t.params.length);
    });
  }
}

for (const id of ["b0:fire-w1|b1:lr.5", "b0:lr.5-w.5|b1:skip"]) {
  Deno.test(`projected low-rank training graph of ${id}: gradients match float64 finite differences`, () => {
    const t = buildSubnetTraining(store, space, parseConfigId(space, id), {
      inputShape: TINY_INPUT,
      batchSize: 4,
      loss: { kind: "distillation", temperature: 2, alpha: 0.7 },
      lowRank: "projected",
    });
    assert.equal(t.projections.length, 1);
    const r = checkTrainingGraph(t.training, feeds(t, 4, true), { perTensor: 12 });
    assert.ok(r.ok, `${JSON.stringify(r.failures)} worst ${r.worstRatio}`);
  });
}

Deno.test("training graph: parameters are store tensors with their slices; low-rank reads the conv weight", () => {
  const t = buildSubnetTraining(store, space, parseConfigId(space, "b0:lr.5-w.5|b1:skip"), {
    inputShape: TINY_INPUT,
    batchSize: 2,
    loss: { kind: "cross-entropy" },
  });
  const byName = new Map(t.params.map((p) => [p.name, p]));
  for (const p of t.params) assert.ok(store.tensors.has(p.name), p.name);
  assert.deepEqual(byName.get("b0.conv.w")!.slice.rows, [0, 2]);
  assert.deepEqual(byName.get("b0.conv.w")!.slice.cols, [0, 4]);
  assert.deepEqual(byName.get("b0.conv.w")!.shape, [2, 4, 3, 3]);
  assert.ok(byName.has("b0.lr.bn.gamma") && !byName.has("b0.conv.bn.gamma"));
  assert.deepEqual(byName.get("head.w")!.shape, [3, 2]);
  assert.equal(t.training.grads["b0.conv.w"], "b0.conv.w__grad");
  assert.equal(t.projections.length, 0, "straight-through by default: no projection input");
  assert.ok(!t.params.some((p) => p.name.startsWith("b1.")), "a skipped block has no weights");
});

Deno.test("low-rank training graph runs the rank-r operator: = the conv on svd_r(W) with the lr block's BN", () => {
  // b0 at width .5 reads a 2 x (4*3*3) slice of b0.conv.w; rank .5 keeps 1 of 2 directions.
  const lowRank = buildSubnetTraining(store, space, parseConfigId(space, "b0:lr.5-w.5|b1:skip"), {
    inputShape: TINY_INPUT,
    batchSize: 4,
    loss: { kind: "cross-entropy" },
    lowRank: "projected",
  });
  assert.deepEqual(lowRank.projections.map((p) => [p.name, p.rank]), [["b0.conv.w.proj", 1]]);
  assert.ok(lowRank.training.constants.includes("b0.conv.w.proj"));
  assert.equal(
    lowRank.training.grads["b0.conv.w.proj"],
    undefined,
    "the projection is not trained",
  );
  // The same network written as a plain conv with the lr block's BN, on its full weight and on
  // the weight replaced by its rank-1 SVD.
  const withLrBn = () => {
    const twin = copyStore(store, "twin");
    for (const k of ["gamma", "beta"]) {
      twin.tensors.get(`b0.conv.bn.${k}`)!.data.set(store.tensors.get(`b0.lr.bn.${k}`)!.data);
    }
    return twin;
  };
  const fullTwin = withLrBn(), rankTwin = withLrBn();
  const slice = lowRank.params.find((p) => p.name === "b0.conv.w")!.slice;
  const w = readSlice(store, slice);
  const approx = lowRankProduct(lowRankFactors(w, 2, 36, 1), 2, 36, 1);
  addToSlice(rankTwin, slice, Float32Array.from(approx, (v, i) => v - w[i]));
  const conv = buildSubnetTraining(store, space, parseConfigId(space, "b0:conv-w.5|b1:skip"), {
    inputShape: TINY_INPUT,
    batchSize: 4,
    loss: { kind: "cross-entropy" },
  });
  assert.equal(conv.projections.length, 0);
  const a = evaluate(lowRank.training.graph, feeds(lowRank, 4, false)).logits.data;
  const b = evaluate(conv.training.graph, feeds(conv, 4, false, rankTwin)).logits.data;
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
  assert.ok(worst < 1e-4, `logits differ by ${worst}`);
  // And not the full-rank conv: the rank-1 cut changes the output.
  const full = evaluate(conv.training.graph, feeds(conv, 4, false, fullTwin)).logits.data;
  assert.ok(a.some((v, i) => Math.abs(v - full[i]) > 1e-3), "rank 1 differs from full rank");
});

Deno.test("feature distillation graph: block outputs exposed by the teacher, matched by the student; gradients checked", () => {
  const teacher = buildSubnetTraining(store, space, largestConfig(space), {
    inputShape: TINY_INPUT,
    batchSize: 4,
    loss: { kind: "cross-entropy" },
    features: { expose: true },
  });
  const outputs = teacher.training.graph.outputs.map((o) => o.name);
  assert.deepEqual(teacher.blocks.map((b) => b.block), [0, 1]);
  for (const b of teacher.blocks) assert.ok(outputs.includes(b.name), b.name);
  assert.equal(teacher.featureTargets.size, 0);

  const config = parseConfigId(space, "b0:dw-w.5|b1:skip");
  const t = buildSubnetTraining(store, space, config, {
    inputShape: TINY_INPUT,
    batchSize: 4,
    loss: { kind: "distillation", temperature: 2, alpha: 0.7 },
    features: { weight: 0.5 },
  });
  // the skipped block has no output to match; b0 at width .5 has half the teacher's channels
  assert.deepEqual([...t.featureTargets.keys()], [0]);
  assert.equal(t.blocks[0].channels * 2, teacher.blocks[0].channels);
  const f = feeds(t, 4, true);
  const target = t.training.graph.inputs.find((v) => v.name === t.featureTargets.get(0))!;
  const shape = [4, ...(target.shape as number[]).slice(1)];
  const rng = createRng(4);
  const n = shape.reduce((a, b) => a * b, 1);
  f[target.name] = {
    dtype: "float32",
    shape,
    data: Float32Array.from({ length: n }, () => rng.normal()),
  };
  const r = checkTrainingGraph(t.training, f, { perTensor: 12 });
  assert.ok(r.ok, `${JSON.stringify(r.failures)} worst ${r.worstRatio}`);
});
