// One sandwich-rule step on real ORT-web sessions: summed gradients equal the sum of each
// configuration's own gradients, and the optimizer step changes exactly the touched slices.
import assert from "node:assert/strict";
import { createSessionCache } from "../../lib/supernet/ensemble_sessions.ts";
import {
  accumulate,
  createGradientBuffer,
  drawConfig,
  ensembleStep,
  runConfig,
} from "../../lib/supernet/ensemble_step.ts";
import { largestConfig, parseConfigId, smallestConfig } from "../../lib/supernet/mod.ts";
import { addToSlice } from "../../lib/supernet/slice.ts";
import type { LossSpec } from "../../lib/train/loss.ts";
import { createOptimizer } from "../../lib/train/optimizer.ts";
import { createRng } from "../../lib/util/rng.ts";
import { maxAbsDiff } from "./store_fixtures.ts";
import { TINY_INPUT, tinyBatch, tinyEnsembleSpace, tinyStore } from "./ensemble_fixtures.ts";

Deno.test("ensemble step: summed gradients = sum of per-config gradients; only touched slices change", async () => {
  const space = tinyEnsembleSpace();
  const store = tinyStore(space, 1);
  const before = new Map([...store.tensors].map(([k, t]) => [k, new Float32Array(t.data)]));
  const cache = createSessionCache(store, space, {
    inputShape: TINY_INPUT,
    batchSize: 8,
    backend: "web",
    capacity: 2, // smaller than the 3 configurations, so eviction runs too
  });
  const distill = { temperature: 2, alpha: 0.5 };
  const ctx = {
    store,
    cache,
    optimizer: createOptimizer({ kind: "sgd", momentum: 0.9, weightDecay: 0 }),
    buffer: createGradientBuffer(store),
    distill,
  };
  const batch = tinyBatch(8, 2);
  const largest = largestConfig(space);
  const students = [
    { ...smallestConfig(space), int8: false },
    parseConfigId(space, "b0:dw-w.5|b1:fire"),
  ];
  try {
    // Reference: each configuration on its own, on the store before the step.
    const expected = createGradientBuffer(store);
    const ce: LossSpec = { kind: "cross-entropy" };
    const kd: LossSpec = { kind: "distillation", ...distill };
    const teacher = await cache.get(largest, ce);
    const top = await runConfig(teacher, store, batch);
    accumulate(expected, teacher, top);
    const touched = new Map<string, Float32Array>(); // 1 where some configuration reads
    const mark = (params: typeof teacher.built.params) => {
      for (const p of params) {
        if (!touched.has(p.slice.tensor)) {
          touched.set(p.slice.tensor, new Float32Array(before.get(p.slice.tensor)!.length));
        }
        const ones = new Float32Array(p.shape.reduce((a, b) => a * b, 1)).fill(1);
        const mask = {
          ...store,
          tensors: new Map([[p.slice.tensor, {
            shape: store.tensors.get(p.slice.tensor)!.shape,
            data: touched.get(p.slice.tensor)!,
          }]]),
        };
        addToSlice(mask, p.slice, ones);
      }
    };
    mark(teacher.built.params);
    for (const c of students) {
      const s = await cache.get(c, kd);
      accumulate(expected, s, await runConfig(s, store, batch, top.logits));
      mark(s.built.params);
    }

    const r = await ensembleStep(ctx, batch, largest, students, 0.1);
    assert.equal(r.students.length, 2);
    assert.ok(Math.abs(r.largest.loss - top.loss) < 1e-6, "same teacher loss");
    assert.ok(cache.size <= 2 && cache.built >= 4, `evictions rebuilt sessions (${cache.built})`);
    assert.equal(store.revision, 1, "markUpdated once");
    assert.deepEqual([...ctx.buffer.touched].sort(), [...expected.touched].sort());
    for (const name of expected.touched) {
      const got = ctx.buffer.grads.tensors.get(name)!.data;
      const want = expected.grads.tensors.get(name)!.data;
      assert.ok(maxAbsDiff(got, want) < 1e-6, `summed gradient of ${name}`);
    }
    // First SGD step (zero momentum, no decay): w' = w - lr * g exactly where touched.
    let changed = 0, untouchedTensors = 0;
    for (const [name, t] of store.tensors) {
      const w0 = before.get(name)!, mask = touched.get(name);
      if (!mask) untouchedTensors++;
      const g = ctx.buffer.grads.tensors.get(name)!.data;
      for (let i = 0; i < w0.length; i++) {
        if (!mask || mask[i] === 0) {
          assert.equal(t.data[i], w0[i], `${name}[${i}] is read by no configuration`);
        } else {
          assert.ok(Math.abs(t.data[i] - (w0[i] - 0.1 * g[i])) < 1e-6, `${name}[${i}]`);
          if (t.data[i] !== w0[i]) changed++;
        }
      }
    }
    assert.ok(changed > 100, `${changed} weights changed`);
    assert.ok(untouchedTensors > 0, "some operators (lr BN) were not sampled");
    assert.ok(touched.get("b0.pw.w")!.some((v) => v === 0), "pw at w.5 reads half of b0.pw.w");
  } finally {
    await cache.close();
  }
});

Deno.test("drawConfig: deterministic per seed, float, op-balanced covers every operator", () => {
  const space = tinyEnsembleSpace();
  const a = drawConfig(space, createRng(4), "uniform"),
    b = drawConfig(space, createRng(4), "uniform");
  assert.deepEqual(a, b);
  const ops = new Set<string>();
  const rng = createRng(1);
  for (let i = 0; i < 200; i++) {
    const c = drawConfig(space, rng, "op-balanced");
    assert.equal(c.int8, false);
    ops.add(space.blocks[1].choices[c.choices[1]].op);
  }
  assert.deepEqual([...ops].sort(), ["conv", "dw", "fire", "lowRank", "skip"]);
});
