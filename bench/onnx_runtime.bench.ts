/**
 * `deno bench` view of the runtime: the two reference CNNs at batch 1 and 64 on web (baseline)
 * and native (when installed and --allow-ffi is granted), session creation, and a 2-worker
 * pool against 1. The same measurements, in one run with a report, come from
 * `deno task adaspring model bench-suite`.
 *
 * Run: `node_modules/.bin/deno bench --allow-read --allow-write --allow-env --allow-sys
 * --allow-run=git --allow-ffi bench/onnx_runtime.bench.ts`
 *
 * @module
 */
import { plainCnn, separableCnn } from "../lib/onnx/examples.ts";
import { encodeModel } from "../lib/onnx/proto/encode.ts";
import { randomFeeds } from "../lib/runtime/inputs.ts";
import { nativeAvailable } from "../lib/runtime/native.ts";
import { WorkerPool } from "../lib/runtime/pool.ts";
import { createSession } from "../lib/runtime/session.ts";
import type { BackendName, Session } from "../lib/runtime/types.ts";
import { initWeb } from "../lib/runtime/web.ts";
import { createRng } from "../lib/util/rng.ts";

const rng = createRng(0);
const models = {
  "plain-cnn": encodeModel(plainCnn(rng.fork("plain"))),
  "separable-cnn": encodeModel(separableCnn(rng.fork("separable"))),
};
const native = nativeAvailable();
await initWeb();

const sessions = new Map<string, Session>();
async function session(model: keyof typeof models, backend: BackendName): Promise<Session> {
  const key = `${model}/${backend}`;
  let s = sessions.get(key);
  if (!s) {
    s = await createSession(models[model], { backend, warmup: 3, warmupDims: { N: 64 } });
    sessions.set(key, s);
  }
  return s;
}

for (const model of Object.keys(models) as (keyof typeof models)[]) {
  for (const batch of [1, 64]) {
    const feeds = randomFeeds(
      [{ name: "input", dtype: "float32", shape: ["N", 3, 32, 32] }],
      createRng(1),
      {
        N: batch,
      },
    );
    for (const backend of ["web", "native"] as BackendName[]) {
      Deno.bench({
        name: `${model} batch ${batch} ${backend}`,
        group: `${model} batch ${batch}`,
        baseline: backend === "web",
        ignore: backend === "native" && !native,
        async fn() {
          await (await session(model, backend)).run(feeds);
        },
      });
    }
  }
}

Deno.bench({
  name: "create a web session (not cached)",
  group: "session creation",
  async fn() {
    await (await createSession(models["plain-cnn"], { cache: false })).release();
  },
});

Deno.bench({
  name: "create a web session (cache hit)",
  group: "session creation",
  async fn() {
    await (await createSession(models["plain-cnn"])).release();
  },
});

const poolFeeds = randomFeeds(
  [{ name: "input", dtype: "float32", shape: ["N", 3, 32, 32] }],
  createRng(2),
  {
    N: 16,
  },
);
for (const size of [1, 2]) {
  const pool = WorkerPool.create({ size });
  const pooled = await pool.load(models["plain-cnn"], { warmup: 3, warmupDims: { N: 16 } });
  Deno.bench({
    name: `${size} worker(s): 8 batches of 16`,
    group: "worker pool",
    baseline: size === 1,
    async fn() {
      await Promise.all(Array.from({ length: 8 }, () => pool.run(pooled, poolFeeds)));
    },
  });
  // Workers keep the process alive; close them once the benches are done.
  globalThis.addEventListener("unload", () => void pool.close());
}
