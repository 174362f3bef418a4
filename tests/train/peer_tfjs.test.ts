// The TensorFlow.js peer of the backbone (bench-only): same parameter count as the ONNX graph
// (the mnist task's backbone), same training-mode loss from the same weights (a tiny variant,
// so the pure-JS backend stays fast), and one SGD step lowers the loss on a fixed batch.
import assert from "node:assert/strict";
import { loadTaskConfig } from "../../lib/config/task.ts";
import { buildArtifacts } from "../../lib/train/artifacts.ts";
import { buildBackbone } from "../../lib/train/backbone.ts";
import { createEngine } from "../../lib/train/engine.ts";
import type { Param } from "../../lib/train/optimizer.ts";
import {
  buildTfjsBackbone,
  createTfjsTrainer,
  loadTfjs,
  trainableCount,
} from "../../lib/train/peer_tfjs.ts";
import { defaultParams } from "../../lib/train/training_graph.ts";
import { textures } from "./_data.ts";

const tf = await loadTfjs("cpu");

/** A tiny backbone with every feature: stride 2 (explicit padding), residual block. */
const tiny = {
  kind: "conv2d" as const,
  stem: { channels: 4, kernel: 3, stride: 1 },
  blocks: [
    { channels: 8, kernel: 3, stride: 2, optional: false },
    { channels: 8, kernel: 3, stride: 1, optional: true },
  ],
  dropout: 0,
};

function count(forward: ReturnType<typeof buildBackbone>, names: readonly string[]): number {
  const set = new Set(names);
  return forward.initializers.filter((t) => set.has(t.name))
    .reduce((s, t) => s + t.shape.reduce((p, d) => p * d, 1), 0);
}

Deno.test("tfjs peer: the mnist backbone has the ONNX graph's parameter count", async () => {
  const { config } = await loadTaskConfig("mnist");
  const forward = buildBackbone(config.model, [1, 28, 28], 10, 0);
  const model = buildTfjsBackbone(tf, config.model, [1, 28, 28], 10, forward);
  assert.equal(trainableCount(model), count(forward, defaultParams(forward)));
  assert.deepEqual(model.outputs[0].shape, [null, 10]);
  model.dispose();
});

Deno.test("tfjs peer: same loss as the ONNX training graph; one step lowers it", async () => {
  const batch = 16;
  const forward = buildBackbone(tiny, [1, 8, 8], 4, 1);
  const s = textures(batch, 7);
  const a = buildArtifacts(forward, { loss: { kind: "cross-entropy" }, batchSize: batch });
  const engine = await createEngine(a.training, a.trainingBytes, {
    workers: 1,
    backend: "web",
    sampleShape: [1, 8, 8],
  });
  const values: Record<string, Param> = {};
  for (const t of forward.initializers) {
    values[t.name] = { shape: [...t.shape], data: new Float32Array(t.data as Float32Array) };
  }
  const onnx = await engine.step(values, values, s.x, BigInt64Array.from(s.y, BigInt));
  await engine.close();

  const model = buildTfjsBackbone(tf, tiny, [1, 8, 8], 4, forward);
  assert.equal(trainableCount(model), count(forward, a.training.params));
  const trainer = createTfjsTrainer(tf, model, { lr: 0.1, momentum: 0.9, inputShape: [1, 8, 8] });
  const before = await trainer.loss(s.x, s.y);
  assert.ok(
    Math.abs(before - onnx.loss) <= 1e-4 * Math.max(1, onnx.loss),
    `tfjs loss ${before} vs ONNX ${onnx.loss}`,
  );
  const stepLoss = await trainer.step(s.x, s.y);
  assert.ok(Math.abs(stepLoss - before) <= 1e-4 * Math.max(1, before));
  const after = await trainer.loss(s.x, s.y);
  assert.ok(after < before, `loss ${before} -> ${after}`);
  trainer.dispose();
  model.dispose();
});
