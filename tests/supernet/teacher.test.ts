// The fixed teacher: its logits are the exported model's, a model of another task is refused,
// and an ensemble step with a teacher distils the students from exactly its logits.
import assert from "node:assert/strict";
import { AdaspringError } from "../../lib/errors.ts";
import { GraphBuilder } from "../../lib/onnx/graph.ts";
import { encodeModel } from "../../lib/onnx/proto/encode.ts";
import { createSessionCache } from "../../lib/supernet/ensemble_sessions.ts";
import {
  createGradientBuffer,
  type EnsembleContext,
  ensembleStep,
  runConfig,
} from "../../lib/supernet/ensemble_step.ts";
import { exportSubnet } from "../../lib/supernet/export.ts";
import { largestConfig, parseConfigId, smallestConfig } from "../../lib/supernet/mod.ts";
import { openTeacher } from "../../lib/supernet/teacher.ts";
import type { WeightStore } from "../../lib/supernet/weights.ts";
import { createSession } from "../../lib/runtime/session.ts";
import { createOptimizer } from "../../lib/train/optimizer.ts";
import { copyStore } from "../../lib/supernet/ensemble_checkpoint.ts";
import { TINY_INPUT, tinyBatch, tinyEnsembleSpace, tinyStore } from "./ensemble_fixtures.ts";

Deno.test("openTeacher: the exported model's logits, batch by batch; its identity is the bytes' hash", async () => {
  const space = tinyEnsembleSpace();
  const store = tinyStore(space, 3);
  const e = exportSubnet(store, space, largestConfig(space), { inputShape: TINY_INPUT });
  const teacher = await openTeacher(e.bytes, TINY_INPUT, 3, "tiny.onnx");
  const session = await createSession(e.bytes, { cache: false });
  try {
    const { x } = tinyBatch(5, 1);
    const got = await teacher.run(x, 5);
    const want = (await session.run({
      input: { dtype: "float32", shape: [5, ...TINY_INPUT], data: x },
    })).logits.data as Float32Array;
    assert.deepEqual([...got], [...want]);
    assert.match(teacher.identity, /^[0-9a-f]{64}$/);
    const other = exportSubnet(tinyStore(space, 4), space, largestConfig(space), {
      inputShape: TINY_INPUT,
    });
    const t2 = await openTeacher(other.bytes, TINY_INPUT, 3, "other.onnx");
    assert.notEqual(t2.identity, teacher.identity);
    await t2.close();
  } finally {
    await teacher.close();
    await session.release();
  }
});

Deno.test("openTeacher: a model with another class count is refused, naming the model", async () => {
  const space = tinyEnsembleSpace();
  const e = exportSubnet(tinyStore(space, 3), space, largestConfig(space), {
    inputShape: TINY_INPUT,
  });
  await assert.rejects(
    () => openTeacher(e.bytes, TINY_INPUT, 10, "three-classes.onnx"),
    (err: unknown) =>
      err instanceof AdaspringError && /three-classes\.onnx gave 3 logits/.test(err.message) &&
      /10 classes/.test(err.message),
  );
});

/** One step from a copy of `store` with `teacher` (or in-place); returns the stepped store. */
async function step(
  store: WeightStore,
  teacher?: EnsembleContext["teacher"],
): Promise<{ store: WeightStore; losses: number[] }> {
  const space = tinyEnsembleSpace();
  const s = copyStore(store, "copy");
  const cache = createSessionCache(s, space, {
    inputShape: TINY_INPUT,
    batchSize: 8,
    backend: "web",
    capacity: 4,
  });
  try {
    const ctx: EnsembleContext = {
      store: s,
      cache,
      optimizer: createOptimizer({ kind: "sgd", momentum: 0.9, weightDecay: 0 }),
      buffer: createGradientBuffer(s),
      distill: { temperature: 1, alpha: 1 },
      ...(teacher ? { teacher } : {}),
    };
    const students = [
      { ...smallestConfig(space), int8: false },
      parseConfigId(space, "b0:dw-w.5|b1:fire"),
    ];
    const r = await ensembleStep(ctx, tinyBatch(8, 2), largestConfig(space), students, 0.1);
    return { store: s, losses: [r.largest.loss, ...r.students.map((x) => x.loss)] };
  } finally {
    await cache.close();
  }
}

Deno.test("ensemble step with a fixed teacher: students distil from the teacher's logits on the batch", async () => {
  const space = tinyEnsembleSpace();
  const store = tinyStore(space, 1);
  const batch = tinyBatch(8, 2);
  const inPlace = await step(store);
  // The largest's training-mode logits on the batch, before the step: the in-place target.
  const cache = createSessionCache(store, space, {
    inputShape: TINY_INPUT,
    batchSize: 8,
    backend: "web",
  });
  let captured: Float32Array;
  try {
    const s = await cache.get(largestConfig(space), { kind: "cross-entropy" });
    captured = (await runConfig(s, store, batch)).logits;
  } finally {
    await cache.close();
  }
  // A teacher answering those logits reproduces the in-place step exactly...
  const seen: { x: Float32Array; count: number }[] = [];
  const same = await step(store, (x, count) => {
    seen.push({ x: new Float32Array(x), count });
    return Promise.resolve(captured);
  });
  assert.equal(seen.length, 1, "one teacher run per step");
  assert.equal(seen[0].count, 8);
  assert.deepEqual([...seen[0].x], [...batch.x]);
  assert.deepEqual(same.losses, inPlace.losses);
  for (const [name, t] of inPlace.store.tensors) {
    assert.deepEqual([...same.store.tensors.get(name)!.data], [...t.data], name);
  }
  // ...and a different teacher changes the students' losses and the step (pure distillation).
  const uniform = await step(store, (_x, count) => Promise.resolve(new Float32Array(count * 3)));
  assert.equal(uniform.losses[0], inPlace.losses[0], "the largest still learns the labels");
  assert.notEqual(uniform.losses[1], inPlace.losses[1]);
  const head = "head.w";
  assert.notDeepEqual(
    [...uniform.store.tensors.get(head)!.data],
    [...inPlace.store.tensors.get(head)!.data],
  );
});

Deno.test("openTeacher: a model without a logits output is refused, naming its outputs", async () => {
  const g = new GraphBuilder("no-logits");
  g.output(g.add1("Relu", [g.input("input", "float32", [1, ...TINY_INPUT])]), "y");
  await assert.rejects(
    () => openTeacher(encodeModel(g.toModel()), TINY_INPUT, 3, "relu.onnx"),
    (err: unknown) =>
      err instanceof AdaspringError && /no output named "logits" \(it has y\)/.test(err.message),
  );
});
