/**
 * The worker pool: parallel runs agree with a single session, data-parallel runAll, error
 * propagation from workers, buffer transfer and clean shutdown.
 */
import assert from "node:assert/strict";
import { AdaspringError, ExitCode } from "../../lib/errors.ts";
import { tensor } from "../../lib/onnx/dtype.ts";
import { plainCnn } from "../../lib/onnx/examples.ts";
import { GraphBuilder } from "../../lib/onnx/graph.ts";
import { encodeModel } from "../../lib/onnx/proto/encode.ts";
import { randomFeeds } from "../../lib/runtime/inputs.ts";
import { WorkerPool } from "../../lib/runtime/pool.ts";
import { createSession } from "../../lib/runtime/session.ts";
import { createRng } from "../../lib/util/rng.ts";

Deno.test("a 2-worker pool gives the same outputs as one in-process session", async () => {
  const bytes = encodeModel(plainCnn(createRng(1)));
  const local = await createSession(bytes, { cache: false });
  const pool = WorkerPool.create({ size: 2 });
  try {
    const m = await pool.load(bytes, { warmup: 1 });
    assert.equal(m.sessions.length, 2);
    const batches = Array.from(
      { length: 6 },
      (_, i) => randomFeeds(m.inputs, createRng(10 + i), { N: 2 }),
    );
    const pooled = await Promise.all(batches.map((f) => pool.run(m, f)));
    for (const [i, f] of batches.entries()) {
      assert.deepEqual(pooled[i].logits, (await local.run(f)).logits);
    }
    const [a, b] = await pool.runAll(m, batches.slice(0, 2));
    assert.deepEqual(a.logits, pooled[0].logits);
    assert.deepEqual(b.logits, pooled[1].logits);
    await pool.release(m);
    await assert.rejects(() => pool.run(m, batches[0], { worker: 0 }), /no session/);
  } finally {
    await local.release();
    await pool.close();
  }
});

Deno.test("worker errors reach the caller with the worker's message and exit code", async () => {
  const g = new GraphBuilder("neg");
  g.output(g.add1("Neg", [g.input("x", "float32", [2])]), "y");
  const pool = WorkerPool.create({ size: 1 });
  try {
    await assert.rejects(
      () => pool.load(new Uint8Array([8, 1, 2, 3]), { source: "broken.onnx" }),
      (e: unknown) =>
        e instanceof AdaspringError && e.exitCode === ExitCode.badInput &&
        /broken\.onnx: not a valid ONNX model/.test(e.message),
    );
    const m = await pool.load(encodeModel(g.toModel()), { source: "neg.onnx" });
    // Checked in the caller before anything is sent.
    await assert.rejects(
      () => pool.run(m, { x: tensor("float32", [3], [1, 2, 3]) }),
      /neg\.onnx: input "x" expects shape \[2\], was given \[3\]/,
    );
    // Checked in the worker.
    await assert.rejects(
      () => pool.run(m, { x: tensor("float32", [2], [1, 2]) }, { fetches: ["zz"] }),
      (e: unknown) => e instanceof AdaspringError && /"zz" is not an output/.test(e.message),
    );
    // The worker survives its errors.
    const out = await pool.run(m, { x: tensor("float32", [2], [1, 2]) });
    assert.deepEqual(out.y.data, new Float32Array([-1, -2]));
  } finally {
    await pool.close();
  }
});

Deno.test("transfer moves feed buffers; a closed pool refuses work", async () => {
  const g = new GraphBuilder("id");
  g.output(g.add1("Relu", [g.input("x", "float32", [4])]), "y");
  const pool = WorkerPool.create({ size: 1 });
  const m = await pool.load(encodeModel(g.toModel()));
  const x = tensor("float32", [4], [1, -2, 3, -4]);
  const out = await pool.run(m, { x }, { transfer: true });
  assert.deepEqual(out.y.data, new Float32Array([1, 0, 3, 0]));
  assert.equal(x.data.byteLength, 0, "the transferred buffer is detached");
  const y = tensor("float32", [4], [1, 1, 1, 1]);
  await pool.run(m, { x: y });
  assert.equal(y.data.byteLength, 16, "copied by default");
  await pool.close();
  await pool.close();
  await assert.rejects(() => pool.run(m, { x: y }), /closed/);
  assert.throws(() => WorkerPool.create({ size: 0 }), /at least 1 worker/);
});

Deno.test("an error that is not an AdaspringError reaches the caller as 'worker N: message'", async () => {
  const pool = WorkerPool.create({ size: 2 });
  try {
    await assert.rejects(
      () => pool.faultForTesting(1, "throw", "kaboom in the handler"),
      (e: unknown) =>
        e instanceof Error && !(e instanceof AdaspringError) && e.name === "Error" &&
        e.message === "worker 1: kaboom in the handler",
    );
    // A handled error leaves the worker alive.
    const g = new GraphBuilder("neg");
    g.output(g.add1("Neg", [g.input("x", "float32", [1])]), "y");
    const m = await pool.load(encodeModel(g.toModel()));
    const out = await pool.run(m, { x: tensor("float32", [1], [4]) }, { worker: 1 });
    assert.deepEqual(out.y.data, new Float32Array([-4]));
  } finally {
    await pool.close();
  }
});

Deno.test("a crashed worker rejects its pending and later requests; the others keep working", async () => {
  const g = new GraphBuilder("neg");
  g.output(g.add1("Neg", [g.input("x", "float32", [1])]), "y");
  const pool = WorkerPool.create({ size: 2 });
  try {
    const m = await pool.load(encodeModel(g.toModel()));
    const crashed = (e: unknown) =>
      e instanceof AdaspringError && /^worker 0 crashed: .*uncaught in a test/.test(e.message);
    // The crash request itself is never answered: it is rejected through worker.onerror.
    await assert.rejects(() => pool.faultForTesting(0, "crash", "uncaught in a test"), crashed);
    const x = { x: tensor("float32", [1], [2]) };
    await assert.rejects(() => pool.run(m, x, { worker: 0 }), crashed);
    // Without a chosen worker, runs go to the live one.
    for (let i = 0; i < 3; i++) {
      assert.deepEqual((await pool.run(m, x)).y.data, new Float32Array([-2]));
    }
  } finally {
    await pool.close();
  }
});

Deno.test("close() rejects requests still pending", async () => {
  const pool = WorkerPool.create({ size: 1 });
  const pending = pool.faultForTesting(0, "hang");
  let settled = false;
  pending.then(() => (settled = true), () => (settled = true));
  await new Promise((r) => setTimeout(r, 50));
  assert.equal(settled, false, "a hanging request stays pending until close");
  await pool.close(2_000);
  await assert.rejects(() => pending, /the worker pool was closed/);
});
