/**
 * openOrtSession end to end, over the real onnxruntime-web wrapped in a counting binding:
 * the model-hash session cache shares one ORT session between identical requests (and only
 * those), and warm-up runs happen as many times as asked, before the session is returned.
 */
import assert from "node:assert/strict";
import * as ort from "onnxruntime-web";
import type { InferenceSession } from "onnxruntime-common";
import { tensor } from "../../lib/onnx/dtype.ts";
import { GraphBuilder } from "../../lib/onnx/graph.ts";
import { encodeModel } from "../../lib/onnx/proto/encode.ts";
import type { TensorData } from "../../lib/onnx/types.ts";
import { openOrtSession, type OrtBinding, ortCache } from "../../lib/runtime/ort_session.ts";
import { benchModelFile } from "../../lib/runtime/bench.ts";
import { timeRuns } from "../../lib/runtime/stats.ts";
import type { Session, SessionOptions } from "../../lib/runtime/types.ts";
import { initWeb } from "../../lib/runtime/web.ts";
import { writeModelFile } from "../../lib/onnx/file.ts";

/** onnxruntime-web, counting the ORT sessions it creates, releases and runs. */
function countingBinding() {
  const counts = { created: 0, released: 0, runs: 0 };
  const live: InferenceSession[] = [];
  const binding: OrtBinding = {
    InferenceSession: {
      async create(bytes, options) {
        const s = await ort.InferenceSession.create(bytes, options);
        counts.created++;
        live.push(s);
        const run = s.run.bind(s);
        const release = s.release.bind(s);
        Object.assign(s, {
          run: (...args: Parameters<typeof s.run>) => {
            counts.runs++;
            return run(...args);
          },
          release: () => {
            counts.released++;
            return release();
          },
        });
        return s;
      },
    },
    Tensor: ort.Tensor as unknown as OrtBinding["Tensor"],
  };
  return { binding, counts, live };
}

/** y = x * k: models that differ by `k` have different bytes. */
function scaleModel(k: number): Uint8Array {
  const g = new GraphBuilder(`scale${k}`);
  const x = g.input("x", "float32", ["N", 2]);
  g.output(g.add1("Mul", [x, g.scalar(k, "float32")]), "y");
  return encodeModel(g.toModel());
}

const WASM = { executionProviders: ["wasm"], graphOptimizationLevel: "all" } as const;
const x = (): Record<string, TensorData> => ({ x: tensor("float32", [1, 2], [1, 2]) });

Deno.test("cached sessions: identical bytes and options share one ORT session; different bytes or options do not", async () => {
  await initWeb(); // single-threaded ORT-web, as web.ts configures it
  const { binding, counts, live } = countingBinding();
  const cache = ortCache(0); // keep no idle session: the last release frees it
  const open = (bytes: Uint8Array, options: SessionOptions = {}, ortOptions: object = WASM) =>
    openOrtSession("web", binding, cache, bytes, options, ortOptions);

  const a = await open(scaleModel(2), { source: "a.onnx" });
  // Identical bytes (a fresh copy, not the same array) and identical ORT options: a hit.
  // Adaspring-level options that do not reach ORT (source, warmup) do not split the cache.
  const b = await open(scaleModel(2), { source: "b.onnx" });
  assert.equal(counts.created, 1, "the second request reuses the first ORT session");
  assert.equal(live.length, 1);
  assert.equal(cache.size, 1);
  assert.deepEqual((await a.run(x())).y.data, new Float32Array([2, 4]));
  assert.deepEqual((await b.run(x())).y.data, new Float32Array([2, 4]));

  const c = await open(scaleModel(3));
  assert.equal(counts.created, 2, "different bytes get their own ORT session");
  assert.deepEqual((await c.run(x())).y.data, new Float32Array([3, 6]));

  const d = await open(scaleModel(2), {}, { ...WASM, graphOptimizationLevel: "basic" });
  assert.equal(counts.created, 3, "different session options get their own ORT session");
  assert.equal(cache.size, 3);

  const e = await open(scaleModel(2), { cache: false });
  assert.equal(counts.created, 4, "cache: false always creates a private session");
  await e.release();
  assert.equal(counts.released, 1, "a private session is freed by its release");

  // The shared session lives until its last holder lets go.
  await a.release();
  assert.equal(counts.released, 1, "b still holds the shared session");
  assert.deepEqual((await b.run(x())).y.data, new Float32Array([2, 4]));
  await b.release();
  assert.equal(counts.released, 2, "the last release frees the shared session");
  await a.release(); // idempotent: no second reference is given back
  assert.equal(counts.released, 2);
  await c.release();
  await d.release();
  assert.equal(counts.released, 4);
  assert.equal(cache.size, 0);
});

Deno.test("warm-up: N runs on zero inputs before the session is returned; none by default", async () => {
  await initWeb();
  const { binding, counts } = countingBinding();
  const cache = ortCache();
  const open = (options: SessionOptions) =>
    openOrtSession("web", binding, cache, scaleModel(5), options, WASM);

  const cold = await open({ cache: false });
  assert.equal(counts.runs, 0, "warmup defaults to 0");
  const warm = await open({ cache: false, warmup: 3, warmupDims: { N: 4 } });
  assert.equal(counts.runs, 3, "three warm-up runs, done before openOrtSession returned");
  await warm.run(x());
  assert.equal(counts.runs, 4);
  // A cache hit warms up again (the options are per request).
  const first = await open({ warmup: 1 });
  const hit = await open({ warmup: 2 });
  assert.equal(counts.created, 3, "the second cached request was a hit");
  assert.equal(counts.runs, 7);
  for (const s of [cold, warm, first, hit]) await s.release();
  await cache.clear();
});

Deno.test("timeRuns runs warm-up untimed; model bench warms up 5 times by default", async () => {
  let runs = 0;
  const stub: Session = {
    backend: "web",
    inputs: [],
    outputs: [],
    inputNames: [],
    outputNames: [],
    run: () => {
      runs++;
      return Promise.resolve({});
    },
    release: () => Promise.resolve(),
  };
  const timings = await timeRuns(stub, {}, { warmup: 4, repeat: 3 });
  assert.equal(runs, 7, "4 warm-up runs + 3 timed");
  assert.equal(timings.length, 3, "only the timed runs are reported");

  const dir = await Deno.makeTempDir();
  try {
    const g = new GraphBuilder("neg");
    g.output(g.add1("Neg", [g.input("x", "float32", [1, 2])]), "y");
    await writeModelFile(`${dir}/m.onnx`, g.toModel());
    assert.equal((await benchModelFile(`${dir}/m.onnx`, { repeat: 1 })).warmup, 5);
    assert.equal((await benchModelFile(`${dir}/m.onnx`, { repeat: 1, warmup: 0 })).warmup, 0);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
