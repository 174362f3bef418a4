// Training steps per second of the MNIST task backbone at batch 64 through the same training
// artifact: ORT-web with 1 and 2 data-parallel workers, and onnxruntime-node (one thread per
// worker; 1 and 2 workers) when installed (lib/runtime/native.ts has the install command;
// needs --allow-ffi).
// Run: deno bench --allow-read --allow-write --allow-env --allow-sys --allow-ffi bench/train.bench.ts
// Deno's summary prints each variant's time relative to the web x1 baseline.
import { loadTaskConfig } from "../lib/config/task.ts";
import { nativeAvailable } from "../lib/runtime/native.ts";
import { buildArtifacts } from "../lib/train/artifacts.ts";
import { buildBackbone } from "../lib/train/backbone.ts";
import { createEngine, type StepEngine } from "../lib/train/engine.ts";
import type { Param } from "../lib/train/optimizer.ts";
import { createRng } from "../lib/util/rng.ts";

const BATCH = 64;
const { config } = await loadTaskConfig("mnist");
const forward = buildBackbone(config.model, [1, 28, 28], 10, 0);
const rng = createRng(0);
const x = Float32Array.from({ length: BATCH * 784 }, () => rng.normal());
const y = BigInt64Array.from({ length: BATCH }, () => BigInt(rng.int(10)));

async function setup(workers: number, backend: "web" | "native") {
  const a = buildArtifacts(forward, {
    loss: { kind: "cross-entropy" },
    batchSize: BATCH / workers,
  });
  const values: Record<string, Param> = {};
  for (const t of forward.initializers) {
    values[t.name] = { shape: t.shape, data: new Float32Array(t.data as Float32Array) };
  }
  const engine = await createEngine(a.training, a.trainingBytes, {
    workers,
    backend,
    sampleShape: [1, 28, 28],
  });
  for (let i = 0; i < 3; i++) await engine.step(values, values, x, y); // warm-up
  return { engine, values };
}

const variants: [string, number, "web" | "native"][] = [["web x1", 1, "web"], ["web x2", 2, "web"]];
if (nativeAvailable()) variants.push(["native x1", 1, "native"], ["native x2", 2, "native"]);
const engines: StepEngine[] = [];
for (const [name, workers, backend] of variants) {
  const { engine, values } = await setup(workers, backend);
  engines.push(engine);
  Deno.bench({
    name: `train step, mnist backbone, batch ${BATCH}, ${name}`,
    group: "train-step",
    baseline: name === "web x1",
    n: 20,
    warmup: 2,
    fn: async () => {
      await engine.step(values, values, x, y);
    },
  });
}
globalThis.addEventListener("unload", () => engines.forEach((e) => void e.close()));
