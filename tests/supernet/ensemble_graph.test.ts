// The training-mode subnet graph: float64 gradient checks for every operator of a tiny space,
// parameters named after store tensors with their slices, low-rank trained straight-through.
import assert from "node:assert/strict";
import { checkTrainingGraph } from "../../lib/train/gradcheck.ts";
import type { TensorData } from "../../lib/onnx/types.ts";
import { formatConfigId, largestConfig, parseConfigId } from "../../lib/supernet/mod.ts";
import { readSlice } from "../../lib/supernet/slice.ts";
import { buildSubnetTraining } from "../../lib/supernet/train_graph.ts";
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

function feeds(t: ReturnType<typeof buildSubnetTraining>, n: number, teacher: boolean) {
  const out: Record<string, TensorData> = {};
  for (const p of t.params) {
    out[p.name] = { dtype: "float32", shape: p.shape, data: readSlice(store, p.slice) };
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
  assert.ok(!t.params.some((p) => p.name.startsWith("b1.")), "a skipped block has no weights");
});
