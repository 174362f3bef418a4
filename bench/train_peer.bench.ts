// Training step of the mnist task backbone at batch 64: the ONNX training artifact on
// ORT-web (1 worker; the baseline) against the same architecture in TensorFlow.js (CPU
// backend, SGD momentum on both). tfjs's pure-JS kernels take minutes per step here, so it
// runs once. `adaspring train-bench` adds 2 workers and onnxruntime-node and writes a report.
// Run: deno bench --allow-read --allow-write --allow-env --allow-sys bench/train_peer.bench.ts
import { loadTaskConfig } from "../lib/config/task.ts";
import { buildArtifacts } from "../lib/train/artifacts.ts";
import { buildBackbone } from "../lib/train/backbone.ts";
import { createEngine } from "../lib/train/engine.ts";
import { createOptimizer, type Param } from "../lib/train/optimizer.ts";
import { createRng } from "../lib/util/rng.ts";

const BATCH = 64;
const { config } = await loadTaskConfig("mnist");
const forward = buildBackbone(config.model, [1, 28, 28], 10, 0);
const rng = createRng(0);
const x = Float32Array.from({ length: BATCH * 784 }, () => rng.normal());
const y = BigInt64Array.from({ length: BATCH }, () => BigInt(rng.int(10)));

const a = buildArtifacts(forward, { loss: { kind: "cross-entropy" }, batchSize: BATCH });
const values: Record<string, Param> = {};
for (const t of forward.initializers) {
  values[t.name] = { shape: [...t.shape], data: new Float32Array(t.data as Float32Array) };
}
const engine = await createEngine(a.training, a.trainingBytes, {
  workers: 1,
  backend: "web",
  sampleShape: [1, 28, 28],
});
const sgd = createOptimizer({ kind: "sgd", momentum: 0.9 });

// Loaded dynamically: TensorFlow.js is a bench-only dependency.
const { buildTfjsBackbone, createTfjsTrainer, loadTfjs } = await import(
  "../lib/train/peer_tfjs.ts"
);
const tf = await loadTfjs("cpu");
const model = buildTfjsBackbone(tf, config.model, [1, 28, 28], 10, forward);
const tfjs = createTfjsTrainer(tf, model, { lr: 0.01, momentum: 0.9, inputShape: [1, 28, 28] });
const labels = Int32Array.from(y, Number);

Deno.bench({
  name: `train step, mnist backbone, batch ${BATCH}, onnxruntime-web x1`,
  group: "train-peer",
  baseline: true,
  n: 10,
  warmup: 3,
  fn: async () => {
    const r = await engine.step(values, values, x, y);
    sgd.step(values, r.grads, 0.01);
  },
});
Deno.bench({
  name: `train step, mnist backbone, batch ${BATCH}, tensorflow.js cpu`,
  group: "train-peer",
  n: 1,
  warmup: 0,
  fn: async () => {
    await tfjs.step(x, labels);
  },
});
globalThis.addEventListener("unload", () => void engine.close());
