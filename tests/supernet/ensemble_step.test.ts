// One sandwich-rule step on real ORT-web sessions: summed gradients equal the sum of each
// configuration's own gradients, and the optimizer step changes exactly the touched slices.
import assert from "node:assert/strict";
import { createSessionCache } from "../../lib/supernet/ensemble_sessions.ts";
import {
  accumulate,
  balancedChoiceProbabilities,
  blockFamily,
  createGradientBuffer,
  drawConfig,
  ensembleStep,
  leadingChannels,
  runConfig,
} from "../../lib/supernet/ensemble_step.ts";
import { largestConfig, parseConfigId, smallestConfig } from "../../lib/supernet/mod.ts";
import { addToSlice, readSlice } from "../../lib/supernet/slice.ts";
import { projectionFeeds } from "../../lib/supernet/train_graph.ts";
import { evaluate } from "../../lib/onnx/reference/mod.ts";
import type { TensorData } from "../../lib/onnx/types.ts";
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

Deno.test("ensemble step, mean reduction: each weight's gradient is divided by the configurations reading it", async () => {
  const space = tinyEnsembleSpace();
  const store = tinyStore(space, 1);
  const before = new Map([...store.tensors].map(([k, t]) => [k, new Float32Array(t.data)]));
  const cache = createSessionCache(store, space, {
    inputShape: TINY_INPUT,
    batchSize: 8,
    backend: "web",
  });
  const distill = { temperature: 2, alpha: 0.5 };
  const batch = tinyBatch(8, 3);
  const largest = largestConfig(space);
  const students = [
    { ...smallestConfig(space), int8: false },
    parseConfigId(space, "b0:conv-w.5|b1:conv"),
    parseConfigId(space, "b0:dw-w.5|b1:fire"),
  ];
  try {
    // Reference: summed gradients and, per weight, how many configurations read it.
    const sum = createGradientBuffer(store), counts = createGradientBuffer(store);
    const add = (
      s: Awaited<ReturnType<typeof cache.get>>,
      run: Awaited<ReturnType<typeof runConfig>>,
    ) => {
      accumulate(sum, s, run);
      for (const p of s.built.params) {
        addToSlice(counts.grads, p.slice, new Float32Array(run.grads[p.name].length).fill(1));
      }
    };
    const teacher = await cache.get(largest, { kind: "cross-entropy" });
    const top = await runConfig(teacher, store, batch);
    add(teacher, top);
    for (const c of students) {
      const s = await cache.get(c, { kind: "distillation", ...distill });
      add(s, await runConfig(s, store, batch, top.logits));
    }
    const ctx = {
      store,
      cache,
      optimizer: createOptimizer({ kind: "sgd", momentum: 0.9, weightDecay: 0 }),
      buffer: createGradientBuffer(store, "mean"),
      distill,
    };
    await ensembleStep(ctx, batch, largest, students, 0.1);
    const seen = new Set<number>();
    for (const name of sum.touched) {
      const w0 = before.get(name)!, w1 = store.tensors.get(name)!.data;
      const g = sum.grads.tensors.get(name)!.data, n = counts.grads.tensors.get(name)!.data;
      for (let i = 0; i < w0.length; i++) {
        const want = n[i] === 0 ? w0[i] : w0[i] - 0.1 * g[i] / n[i];
        assert.ok(Math.abs(w1[i] - want) < 1e-6, `${name}[${i}] (${n[i]} readers)`);
        seen.add(n[i]);
      }
    }
    // Shared weights (stem, head, leading conv channels) have 3-4 readers; fire has one.
    assert.ok(seen.has(1) && [...seen].some((n) => n >= 3), `reader counts ${[...seen]}`);
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

Deno.test("balanced sampling levels the expected trainings per weight family, counting the sandwich", () => {
  const space = tinyEnsembleSpace();
  const largest = largestConfig(space), smallest = smallestConfig(space);
  for (const random of [1, 2, 4, 9]) {
    const p = balancedChoiceProbabilities(space, random);
    space.blocks.forEach((b, i) => {
      assert.ok(Math.abs(p[i].reduce((a, x) => a + x, 0) - 1) < 1e-12, `block ${i} sums to 1`);
      // Expected configurations per step training each family: sandwich + random * p.
      const load = new Map<string, number>();
      b.choices.forEach((c, j) => {
        const f = blockFamily(c.op);
        load.set(f, (load.get(f) ?? 0) + random * p[i][j]);
      });
      for (const c of [largest, smallest]) {
        const f = blockFamily(b.choices[c.choices[i]].op);
        load.set(f, load.get(f)! + 1);
      }
      const sampled = [...load].filter(([f]) =>
        b.choices.some((c, j) => blockFamily(c.op) === f && p[i][j] > 0)
      );
      const level = Math.max(...sampled.map(([, v]) => v));
      for (const [f, v] of load) {
        // Sampled families sit at one level; a family left out is already above it.
        if (sampled.some(([g]) => g === f)) assert.ok(Math.abs(v - level) < 1e-9, `${f} ${v}`);
        else assert.ok(v >= level - 1e-9, `${f} left out at ${v} < ${level}`);
      }
      // Within a family the choices share its probability equally.
      for (const f of new Set(b.choices.map((c) => blockFamily(c.op)))) {
        const ps = b.choices.flatMap((c, j) => blockFamily(c.op) === f ? [p[i][j]] : []);
        assert.ok(ps.every((x) => Math.abs(x - ps[0]) < 1e-12), `${f} uniform inside`);
      }
    });
  }
  // Draws follow the probabilities (block 1, 4 random configurations per step).
  const p = balancedChoiceProbabilities(space, 4);
  const counts = new Array<number>(space.blocks[1].choices.length).fill(0);
  const rng = createRng(5);
  const n = 4000;
  for (let k = 0; k < n; k++) counts[drawConfig(space, rng, "balanced", k, 4).choices[1]]++;
  counts.forEach((c, j) => assert.ok(Math.abs(c / n - p[1][j]) < 0.03, `choice ${j}: ${c / n}`));
});

Deno.test("drawConfig corners: even slots use one operator and one width in every block", () => {
  const space = tinyEnsembleSpace();
  const rng = createRng(2);
  const cornerOps = new Set<string>();
  let mixed = 0;
  for (let i = 0; i < 100; i++) {
    const corner = drawConfig(space, rng, "corners", 0);
    const picked = corner.choices.map((j, b) => space.blocks[b].choices[j]);
    const ops = new Set(picked.filter((c) => c.op !== "skip").map((c) => c.op));
    const widths = new Set(picked.flatMap((c) => c.width === null ? [] : [c.width]));
    assert.equal(ops.size, 1, `one operator: ${[...ops]}`);
    assert.ok(widths.size <= 1, "one width");
    cornerOps.add([...ops][0]);
    const mix = drawConfig(space, rng, "corners", 1);
    const mixOps = new Set(mix.choices.map((j, b) => space.blocks[b].choices[j].op));
    if (mixOps.size > 1) mixed++;
  }
  assert.deepEqual([...cornerOps].sort(), ["conv", "dw", "fire", "lowRank"]);
  assert.ok(mixed > 50, `odd slots draw op-balanced mixes (${mixed}/100 mixed)`);
});

Deno.test("sharded session (2 workers) = mean of each half run alone; logits in batch order", async () => {
  const space = tinyEnsembleSpace();
  const store = tinyStore(space, 3);
  const opts = { inputShape: TINY_INPUT, backend: "web" as const };
  const pooled = createSessionCache(store, space, { ...opts, batchSize: 8, workers: 2 });
  const single = createSessionCache(store, space, { ...opts, batchSize: 4 });
  try {
    const batch = tinyBatch(8, 5);
    const half = (k: number) => ({
      x: batch.x.subarray(k * 4 * 36, (k + 1) * 4 * 36),
      y: batch.y.subarray(k * 4, (k + 1) * 4),
      inputShape: TINY_INPUT,
    });
    const config = parseConfigId(space, "b0:dw-w.5|b1:fire");
    const ce: LossSpec = { kind: "cross-entropy" };
    const kd: LossSpec = { kind: "distillation", temperature: 2, alpha: 0.5 };
    const teacherLogits = Float32Array.from({ length: 8 * 3 }, (_, i) => Math.sin(i));
    for (const loss of [ce, kd]) {
      const t = loss.kind === "distillation" ? teacherLogits : undefined;
      const s2 = await pooled.get(config, loss);
      assert.equal(s2.shards, 2);
      const got = await runConfig(s2, store, batch, t);
      const s1 = await single.get(config, loss);
      const parts = [0, 1].map((k) =>
        runConfig(s1, store, half(k), t?.subarray(k * 12, (k + 1) * 12))
      );
      const [a, b] = await Promise.all(parts);
      assert.ok(Math.abs(got.loss - (a.loss + b.loss) / 2) < 1e-6, `${loss.kind} loss`);
      assert.equal(got.correct, a.correct + b.correct);
      assert.ok(maxAbsDiff(got.logits, Float32Array.from([...a.logits, ...b.logits])) < 1e-6);
      for (const name of Object.keys(a.grads)) {
        const mean = a.grads[name].map((v, i) => (v + b.grads[name][i]) / 2);
        assert.ok(maxAbsDiff(got.grads[name], mean) < 1e-6, `${loss.kind} gradient ${name}`);
      }
    }
  } finally {
    await pooled.close();
    await single.close();
  }
});

Deno.test("sharded session cache: a batch that does not split over the workers is refused", () => {
  const space = tinyEnsembleSpace();
  assert.throws(
    () =>
      createSessionCache(tinyStore(space, 1), space, {
        inputShape: TINY_INPUT,
        batchSize: 7,
        backend: "web",
        workers: 2,
      }),
    /batch of 7 does not split evenly over 2 workers/,
  );
});

Deno.test("feature distillation step: students get the teacher's leading channels, on 1 and 2 workers alike", async () => {
  const space = tinyEnsembleSpace();
  const batch = tinyBatch(8, 3);
  const students = [
    parseConfigId(space, "b0:dw-w.5|b1:fire"),
    parseConfigId(space, "b0:fire-w1|b1:skip"),
  ];
  const losses: number[][] = [];
  for (const [workers, fd] of [[1, 0], [1, 1], [2, 1]]) {
    const store = tinyStore(space, 1);
    const cache = createSessionCache(store, space, {
      inputShape: TINY_INPUT,
      batchSize: 8,
      backend: "web",
      workers,
    });
    try {
      const r = await ensembleStep(
        {
          store,
          cache,
          optimizer: createOptimizer({ kind: "sgd", momentum: 0.9, weightDecay: 0 }),
          buffer: createGradientBuffer(store),
          distill: { temperature: 2, alpha: 0.5 },
          featureDistill: fd,
        },
        batch,
        largestConfig(space),
        students,
        0.1,
      );
      if (fd > 0) assert.deepEqual([...r.largest.features.keys()], [0, 1]);
      else assert.equal(r.largest.features.size, 0);
      losses.push(r.students.map((s) => s.loss));
    } finally {
      await cache.close();
    }
  }
  // The feature term only adds (a mean squared error): each student's loss grows with it.
  for (let i = 0; i < students.length; i++) {
    assert.ok(losses[1][i] > losses[0][i] + 1e-4, `${losses[1][i]} vs ${losses[0][i]}`);
  }
  // Sharding splits the batch, so BN statistics differ per worker: the losses are close, not equal.
  for (let i = 0; i < students.length; i++) assert.ok(Number.isFinite(losses[2][i]));
});

Deno.test("leadingChannels keeps each sample's first channels", () => {
  // batch 2, 3 channels, 2 positions: sample j channel c position p = 100 j + 10 c + p
  const data = Float32Array.from({ length: 12 }, (_, i) => {
    const j = Math.floor(i / 6), c = Math.floor((i % 6) / 2), p = i % 2;
    return 100 * j + 10 * c + p;
  });
  assert.deepEqual([...leadingChannels({ channels: 3, data }, 2, 2, 0, 2)], [
    0,
    1,
    10,
    11,
    100,
    101,
    110,
    111,
  ]);
  assert.deepEqual([...leadingChannels({ channels: 3, data }, 2, 1, 1, 2)], [100, 101]);
  assert.deepEqual([...leadingChannels({ channels: 3, data }, 2, 3, 1, 2)], [
    100,
    101,
    110,
    111,
    120,
    121,
  ]);
});

Deno.test("projected low-rank sessions: runConfig feeds P from the store; ORT loss = the float64 graph's", async () => {
  const space = tinyEnsembleSpace();
  const store = tinyStore(space, 2);
  const config = parseConfigId(space, "b0:lr.5-w.5|b1:skip");
  const ce: LossSpec = { kind: "cross-entropy" };
  const batch = tinyBatch(8, 6);
  const losses: Record<string, number> = {};
  for (const lowRank of ["straight-through", "projected"] as const) {
    const cache = createSessionCache(store, space, {
      inputShape: TINY_INPUT,
      batchSize: 8,
      backend: "web",
      lowRank,
    });
    try {
      const s = await cache.get(config, ce);
      assert.equal(s.built.projections.length, lowRank === "projected" ? 1 : 0);
      const r = await runConfig(s, store, batch);
      const t = s.built.training;
      const feeds: Record<string, TensorData> = {
        ...s.stateFeeds,
        ...projectionFeeds(store, s.built.projections),
        input: { dtype: "float32", shape: [8, ...TINY_INPUT], data: batch.x },
        labels: { dtype: "int64", shape: [8], data: batch.y },
      };
      for (const p of s.built.params) {
        feeds[p.name] = { dtype: "float32", shape: p.shape, data: readSlice(store, p.slice) };
      }
      const reference = evaluate(t.graph, feeds)[t.loss].data[0];
      assert.ok(
        Math.abs(r.loss - reference) < 1e-4,
        `${lowRank}: ORT ${r.loss}, float64 ${reference}`,
      );
      losses[lowRank] = r.loss;
    } finally {
      await cache.close();
    }
  }
  assert.ok(
    Math.abs(losses["projected"] - losses["straight-through"]) > 1e-5,
    "the rank cut changes the loss",
  );
});
