// Checkpoint format round trip, corruption detection, and the optimizer and schedules.
import assert from "node:assert/strict";
import { type Checkpoint, decodeCheckpoint, encodeCheckpoint } from "../../lib/train/checkpoint.ts";
import { createOptimizer } from "../../lib/train/optimizer.ts";
import { learningRate } from "../../lib/train/schedule.ts";
import { createRng } from "../../lib/util/rng.ts";

function sample(): Checkpoint {
  const rng = createRng(4);
  rng.next();
  return {
    architectureHash: "abc",
    configHash: "def",
    step: 12,
    epoch: 3,
    rng: rng.state(),
    params: { "conv.w": { shape: [2, 1, 3], data: new Float32Array([1, 2, 3, 4, 5, 6]) } },
    state: { "bn.mean": { shape: [2], data: new Float32Array([0.5, -0.5]) } },
    optimizer: {
      kind: "sgd",
      steps: 12,
      slots: { "conv.w/momentum": new Float32Array(6).fill(0.25) },
    },
    metrics: { bestValAccuracy: 0.9 },
  };
}

Deno.test("checkpoint: round trip keeps every field", () => {
  const c = sample();
  const d = decodeCheckpoint(encodeCheckpoint(c), "x.ckpt");
  assert.equal(d.epoch, 3);
  assert.equal(d.step, 12);
  assert.deepEqual(d.rng, c.rng);
  assert.deepEqual([...d.params["conv.w"].data], [1, 2, 3, 4, 5, 6]);
  assert.deepEqual(d.params["conv.w"].shape, [2, 1, 3]);
  assert.deepEqual([...d.state["bn.mean"].data], [0.5, -0.5]);
  assert.deepEqual([...d.optimizer.slots["conv.w/momentum"]], new Array(6).fill(0.25));
  assert.equal(d.metrics.bestValAccuracy, 0.9);
});

Deno.test("checkpoint: corruption and truncation are clear errors naming the file", () => {
  const bytes = encodeCheckpoint(sample());
  const flipped = bytes.slice();
  flipped[flipped.length - 3] ^= 0xff;
  assert.throws(
    () => decodeCheckpoint(flipped, "run/last.ckpt"),
    /run\/last\.ckpt: corrupt payload/,
  );
  assert.throws(() => decodeCheckpoint(bytes.subarray(0, bytes.length - 4), "c"), /truncated/);
  assert.throws(
    () => decodeCheckpoint(new TextEncoder().encode("hello world, not one"), "c"),
    /bad magic/,
  );
  const future = bytes.slice();
  new DataView(future.buffer).setUint32(8, 99, true);
  assert.throws(() => decodeCheckpoint(future, "c"), /version 99/);
});

Deno.test("optimizer: SGD momentum and Adam follow their update rules", () => {
  const sgd = createOptimizer({ kind: "sgd", momentum: 0.5, weightDecay: 0.1 });
  const p = { w: { shape: [1, 1], data: new Float32Array([1]) } };
  sgd.step(p, { w: new Float32Array([2]) }, 0.1); // v = 2 + 0.1*1 = 2.1; w = 1 - 0.21
  assert.ok(Math.abs(p.w.data[0] - 0.79) < 1e-6);
  sgd.step(p, { w: new Float32Array([0]) }, 0.1); // v = 1.05 + 0.079; w -= 0.1129
  assert.ok(Math.abs(p.w.data[0] - (0.79 - 0.1129)) < 1e-6);
  const adam = createOptimizer({ kind: "adam" });
  const q = { b: { shape: [1], data: new Float32Array([0]) } };
  adam.step(q, { b: new Float32Array([3]) }, 0.01); // first Adam step moves by ~lr * sign(g)
  assert.ok(Math.abs(q.b.data[0] + 0.01) < 1e-6);
  const restored = createOptimizer({ kind: "adam" });
  restored.restore(adam.state(), adam.steps);
  assert.equal(restored.steps, 1);
});

Deno.test("schedules: warm-up, cosine, step, constant", () => {
  const s = { base: 1, totalSteps: 110, warmupSteps: 10 };
  assert.equal(learningRate({ ...s, kind: "cosine" }, 0), 0.1);
  assert.equal(learningRate({ ...s, kind: "cosine" }, 10), 1);
  assert.ok(Math.abs(learningRate({ ...s, kind: "cosine" }, 60) - 0.5) < 1e-12);
  assert.equal(learningRate({ ...s, kind: "step" }, 59), 1);
  assert.equal(learningRate({ ...s, kind: "step" }, 60), 0.1);
  assert.equal(learningRate({ ...s, kind: "step" }, 85), 0.01);
  assert.equal(learningRate({ ...s, kind: "constant" }, 100), 1);
});
