// Distillation through the engine: per-batch teacher logits (split over data-parallel workers
// like the batch) give the float64 reference gradients, training towards a fixed teacher
// lowers the KL term, and missing or misshapen teacher logits are clear errors.
import assert from "node:assert/strict";
import { evaluate } from "../../lib/onnx/reference/mod.ts";
import type { GraphData, TensorData } from "../../lib/onnx/types.ts";
import { buildArtifacts } from "../../lib/train/artifacts.ts";
import { createEngine } from "../../lib/train/engine.ts";
import { createOptimizer, type Param } from "../../lib/train/optimizer.ts";
import type { LossSpec } from "../../lib/train/loss.ts";
import { createRng } from "../../lib/util/rng.ts";
import { textures } from "./_data.ts";
import { linearNet } from "./_nets.ts";

const BATCH = 8;
const CLASSES = 4;
const SAMPLE = [1, 8, 8];
const distill: LossSpec = { kind: "distillation", temperature: 2, alpha: 0.7 };

function values(forward: GraphData): Record<string, Param> {
  return Object.fromEntries(forward.initializers.map((t) => [
    t.name,
    { shape: [...t.shape], data: new Float32Array(t.data as Float32Array) },
  ]));
}

/** A fixed batch: texture images, their labels and teacher logits drawn at random. */
function batch(seed: number) {
  const s = textures(BATCH, seed);
  const rng = createRng(seed).fork("teacher");
  const teacher = Float32Array.from({ length: BATCH * CLASSES }, () => 2 * rng.normal());
  return { x: s.x, y: BigInt64Array.from(s.y, (v) => BigInt(v)), teacher };
}

for (const workers of [1, 2]) {
  Deno.test(`distillation: engine gradients match float64 (workers ${workers})`, async () => {
    const forward = linearNet(); // no BN: the data-parallel average is the full-batch gradient
    const full = buildArtifacts(forward, { loss: distill, batchSize: BATCH });
    const share = buildArtifacts(forward, { loss: distill, batchSize: BATCH / workers });
    const { x, y, teacher } = batch(11);
    const p = values(forward);
    const feeds: Record<string, TensorData> = {};
    for (const name of full.training.params) {
      feeds[name] = { dtype: "float32", shape: p[name].shape, data: p[name].data };
    }
    feeds[full.training.data] = { dtype: "float32", shape: [BATCH, ...SAMPLE], data: x };
    feeds[full.training.labels] = { dtype: "int64", shape: [BATCH], data: y };
    feeds[full.training.teacher!] = { dtype: "float32", shape: [BATCH, CLASSES], data: teacher };
    const t = full.training;
    const ref = evaluate(t.graph, feeds, { outputs: [t.loss, ...Object.values(t.grads)] });

    const engine = await createEngine(share.training, share.trainingBytes, {
      workers,
      backend: "web",
      sampleShape: SAMPLE,
    });
    try {
      const r = await engine.step(p, {}, x, y, { teacherLogits: teacher });
      assert.ok(
        Math.abs(r.loss - ref[t.loss].data[0]) <= 1e-5 * Math.max(1, Math.abs(r.loss)),
        `loss ${r.loss} vs float64 ${ref[t.loss].data[0]}`,
      );
      for (const [name, out] of Object.entries(t.grads)) {
        const want = ref[out].data;
        const scale = Math.max(1e-3, ...Array.from(want, Math.abs));
        r.grads[name].forEach((v, i) =>
          assert.ok(
            Math.abs(v - want[i]) <= 2e-4 * scale,
            `${name}[${i}]: engine ${v} vs float64 ${want[i]}`,
          )
        );
      }
      // The teacher matters: other teacher logits give another gradient.
      const other = await engine.step(p, {}, x, y, { teacherLogits: teacher.map((v) => -v) });
      assert.ok(Math.abs(other.loss - r.loss) > 1e-3);
    } finally {
      await engine.close();
    }
  });
}

Deno.test("distillation: training towards a fixed teacher lowers the KL term", async () => {
  const forward = linearNet();
  // alpha = 1: the loss is T^2 KL(teacher || student) alone.
  const a = buildArtifacts(forward, {
    loss: { kind: "distillation", temperature: 2, alpha: 1 },
    batchSize: BATCH / 2,
  });
  const engine = await createEngine(a.training, a.trainingBytes, {
    workers: 2,
    backend: "web",
    sampleShape: SAMPLE,
  });
  const batches = [batch(21), batch(22)];
  const p = values(forward);
  const opt = createOptimizer({ kind: "sgd", momentum: 0.9 });
  const klOf = async () => {
    let sum = 0;
    for (const b of batches) {
      sum += (await engine.step(p, {}, b.x, b.y, { teacherLogits: b.teacher })).loss;
    }
    return sum / batches.length;
  };
  try {
    const before = await klOf();
    for (let s = 0; s < 40; s++) {
      const b = batches[s % 2];
      const r = await engine.step(p, {}, b.x, b.y, { teacherLogits: b.teacher });
      opt.step(p, r.grads, 0.05);
    }
    const after = await klOf();
    assert.ok(before > 0.5, `initial KL term ${before}`);
    assert.ok(after < 0.5 * before, `KL term ${before} -> ${after}`);
  } finally {
    await engine.close();
  }
});

Deno.test("distillation: missing, misshapen or unexpected teacher logits are clear errors", async () => {
  const forward = linearNet();
  const { x, y, teacher } = batch(31);
  const kd = buildArtifacts(forward, { loss: distill, batchSize: BATCH });
  const ce = buildArtifacts(forward, { loss: { kind: "cross-entropy" }, batchSize: BATCH });
  const o = { workers: 1, backend: "web" as const, sampleShape: SAMPLE };
  const e1 = await createEngine(kd.training, kd.trainingBytes, o);
  const e2 = await createEngine(ce.training, ce.trainingBytes, o);
  const p = values(forward);
  try {
    await assert.rejects(() => e1.step(p, {}, x, y), /pass \{teacherLogits\}/);
    await assert.rejects(
      () => e1.step(p, {}, x, y, { teacherLogits: teacher.subarray(1) }),
      /expected 8 x 4/,
    );
    await assert.rejects(
      () => e2.step(p, {}, x, y, { teacherLogits: teacher }),
      /no distillation loss/,
    );
    // Backward compatible: a cross-entropy graph steps without extras.
    assert.ok(Number.isFinite((await e2.step(p, {}, x, y)).loss));
  } finally {
    await e1.close();
    await e2.close();
  }
});
