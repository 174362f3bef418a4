// Feature matching in training graphs (the supernet's block-wise feature distillation): the
// extra loss term's gradients against float64 finite differences, and ORT on the same graph.
import assert from "node:assert/strict";
import { GraphBuilder } from "../../lib/onnx/graph.ts";
import * as op from "../../lib/onnx/mod.ts";
import { encodeModel } from "../../lib/onnx/proto/encode.ts";
import { evaluate } from "../../lib/onnx/reference/mod.ts";
import type { TensorData } from "../../lib/onnx/types.ts";
import { checkTrainingGraph, randomTensor } from "../../lib/train/gradcheck.ts";
import { openSession } from "../../lib/train/ort.ts";
import { buildTrainingGraph } from "../../lib/train/training_graph.ts";
import { createRng } from "../../lib/util/rng.ts";

/** conv (named feature "feat") - relu - gap - gemm, 2 classes. */
function net() {
  const rng = createRng(11);
  const g = new GraphBuilder("fm");
  const x = g.input("input", "float32", ["N", 2, 5, 5]);
  const w = g.param("c.w", randomTensor(rng, [3, 2, 3, 3], -0.5, 0.5));
  const feat = op.relu(op.conv(x, w, undefined, { pads: [1, 1, 1, 1] }), { name: "feat" });
  const h = op.flatten(op.globalAveragePool(feat));
  const fw = g.param("fc.w", randomTensor(rng, [2, 3]));
  g.output(op.gemm(h, fw, undefined, { transB: true }), "logits");
  return g.toGraph();
}

Deno.test("feature targets: an MSE term per matched tensor, gradients checked, ORT agrees", async () => {
  const forward = net();
  const batch = 3;
  const t = buildTrainingGraph(forward, {
    loss: { kind: "distillation", temperature: 2, alpha: 0.5 },
    batchSize: batch,
    featureTargets: [{ output: "feat", weight: 0.7 }],
  });
  assert.deepEqual(t.featureTargets, { feat: "feat__target" });
  const rng = createRng(12);
  const inits = new Map(forward.initializers.map((i) => [i.name, i]));
  const feeds: Record<string, TensorData> = {};
  for (const p of t.params) feeds[p] = inits.get(p)!;
  feeds.input = randomTensor(rng, [batch, 2, 5, 5]);
  feeds.labels = { dtype: "int64", shape: [batch], data: BigInt64Array.from([0n, 1n, 1n]) };
  feeds.teacher_logits = randomTensor(rng, [batch, 2], -2, 2);
  feeds.feat__target = randomTensor(rng, [batch, 3, 5, 5], 0, 1);
  const r = checkTrainingGraph(t, feeds, { perTensor: 12 });
  assert.ok(r.ok, `${JSON.stringify(r.failures)} (worst ${r.worstRatio})`);

  // The term is really there: the loss minus the same graph without targets is 0.7 * MSE.
  const plain = buildTrainingGraph(forward, {
    loss: { kind: "distillation", temperature: 2, alpha: 0.5 },
    batchSize: batch,
  });
  const withTerm = evaluate(t.graph, feeds, { outputs: [t.loss, "feat"] });
  const without = evaluate(plain.graph, feeds, { outputs: [plain.loss] });
  const f = withTerm.feat.data, target = feeds.feat__target.data as Float32Array;
  let mse = 0;
  for (let i = 0; i < f.length; i++) mse += (f[i] - target[i]) ** 2 / f.length;
  const diff = withTerm[t.loss].data[0] - without[plain.loss].data[0];
  assert.ok(Math.abs(diff - 0.7 * mse) < 1e-6 * (0.7 * mse), `${diff} vs ${0.7 * mse}`);

  const outs = [t.loss, ...Object.values(t.grads)];
  const session = await openSession(
    encodeModel({ ...new GraphBuilder().toModel(), graph: t.graph }),
  );
  const got = await session.run(feeds, outs);
  await session.release();
  const ref = evaluate(t.graph, feeds, { outputs: outs });
  for (const o of outs) {
    const b = ref[o].data;
    const scale = Math.max(1, ...Array.from(b, Math.abs));
    (got[o].data as Float32Array).forEach((v, i) =>
      assert.ok(Math.abs(v - b[i]) <= 2e-4 * scale, `${o}[${i}] ORT ${v} vs float64 ${b[i]}`)
    );
  }
});

Deno.test("feature targets: an unknown tensor name is refused", () => {
  assert.throws(
    () =>
      buildTrainingGraph(net(), {
        loss: { kind: "cross-entropy" },
        batchSize: 2,
        featureTargets: [{ output: "nope", weight: 1 }],
      }),
    /no tensor "nope"/,
  );
});
