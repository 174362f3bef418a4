/**
 * Sessions on the web backend: correct outputs, feed validation, bad files, unknown backends,
 * the session cache, and (when installed) agreement between web and native.
 */
import assert from "node:assert/strict";
import { AdaspringError, ExitCode } from "../../lib/errors.ts";
import { tensor } from "../../lib/onnx/dtype.ts";
import type { TensorData } from "../../lib/onnx/types.ts";
import { plainCnn, separableCnn } from "../../lib/onnx/examples.ts";
import { writeModelFile } from "../../lib/onnx/file.ts";
import { GraphBuilder } from "../../lib/onnx/graph.ts";
import { encodeModel } from "../../lib/onnx/proto/encode.ts";
import { evaluate } from "../../lib/onnx/reference/mod.ts";
import { SessionCache } from "../../lib/runtime/cache.ts";
import { randomFeeds } from "../../lib/runtime/inputs.ts";
import { loadNative, NATIVE_INSTALL_COMMAND, nativeAvailable } from "../../lib/runtime/native.ts";
import { createSession, loadSession } from "../../lib/runtime/session.ts";
import { createRng } from "../../lib/util/rng.ts";
import { assertClose } from "../onnx/helpers.ts";

const isBadInput = (pattern: RegExp) => (e: unknown) =>
  e instanceof AdaspringError && e.exitCode === ExitCode.badInput && pattern.test(e.message);

function twoInputModel() {
  const g = new GraphBuilder("two");
  const a = g.input("a", "float32", ["N", 3]);
  const b = g.input("b", "float32", ["N", 3]);
  g.output(g.add1("Add", [a, b]), "sum");
  return encodeModel(g.toModel());
}

Deno.test("web session runs the reference CNN and matches the float64 interpreter", async () => {
  const model = plainCnn(createRng(1));
  const s = await createSession(encodeModel(model), { warmup: 2, cache: false });
  const feeds = randomFeeds(s.inputs, createRng(2), { N: 3 });
  const out = await s.run(feeds);
  assert.deepEqual(out.logits.shape, [3, 10]);
  assertClose(out.logits.data, evaluate(model.graph, feeds).logits.data, "logits", 1e-3, 1e-4);
  assert.deepEqual(s.inputNames, ["input"]);
  assert.deepEqual(s.outputNames, ["logits"]);
  await s.release();
  await assert.rejects(() => s.run(feeds), /released/);
});

Deno.test("wrong shapes, dtypes and names are bad input naming the input", async () => {
  const s = await createSession(twoInputModel(), { source: "two.onnx" });
  const f = (shape: number[]) => tensor("float32", shape, new Array(shape[0] * shape[1]).fill(1));
  await assert.rejects(
    () => s.run({ a: f([2, 4]), b: f([2, 3]) }),
    isBadInput(/two\.onnx: input "a" expects shape \[N,3\], was given \[2,4\]/),
  );
  await assert.rejects(
    () => s.run({ a: tensor("int64", [1, 3], [1, 2, 3]), b: f([1, 3]) }),
    isBadInput(/input "a" expects dtype float32, was given int64/),
  );
  await assert.rejects(() => s.run({ a: f([1, 3]) }), isBadInput(/input "b" is missing/));
  await assert.rejects(
    () => s.run({ a: f([1, 3]), b: f([1, 3]), c: f([1, 3]) }),
    isBadInput(/"c" is not an input of the model/),
  );
  await assert.rejects(
    () => s.run({ a: f([1, 3]), b: f([2, 3]) }),
    isBadInput(/dimension "N" is 1 in input "a" but 2 in input "b"/),
  );
  await assert.rejects(
    () => s.run({ a: f([1, 3]), b: f([1, 3]) }, ["nope"]),
    isBadInput(/"nope" is not an output/),
  );
  assert.deepEqual(
    (await s.run({ a: f([2, 3]), b: f([2, 3]) })).sum.data,
    new Float32Array(6).fill(2),
  );
  await s.release();
});

Deno.test("missing and corrupt model files are bad input naming the file", async () => {
  const dir = await Deno.makeTempDir();
  await assert.rejects(
    () => loadSession(`${dir}/absent.onnx`),
    isBadInput(/absent\.onnx: model file not found/),
  );
  const bytes = encodeModel(plainCnn(createRng(3)));
  await Deno.writeFile(`${dir}/cut.onnx`, bytes.subarray(0, bytes.length / 2));
  await assert.rejects(
    () => loadSession(`${dir}/cut.onnx`),
    isBadInput(/cut\.onnx: not a valid ONNX model/),
  );
  await Deno.writeTextFile(`${dir}/text.onnx`, "hello, I am not protobuf\n");
  await assert.rejects(
    () => loadSession(`${dir}/text.onnx`),
    isBadInput(/text\.onnx: not a valid ONNX model/),
  );
  await Deno.remove(dir, { recursive: true });
});

Deno.test("a model ORT rejects is bad input with the runtime's reason", async () => {
  const g = new GraphBuilder("bad");
  const x = g.input("x", "float32", [2]);
  g.output(g.add1("NoSuchOp", [x], {}, { outputTypes: [{ dtype: "float32", shape: [2] }] }), "y");
  await assert.rejects(
    () => createSession(encodeModel(g.toModel()), { source: "bad.onnx", cache: false }),
    isBadInput(/bad\.onnx: ONNX Runtime \(web\) cannot load the model: .*NoSuchOp/),
  );
});

Deno.test("an unknown backend name is bad input listing the backends", async () => {
  await assert.rejects(
    () => createSession(twoInputModel(), { backend: "tpu" }),
    isBadInput(/unknown backend "tpu"; choose one of: web, native/),
  );
});

Deno.test("loadSession reads a file written by writeModelFile", async () => {
  const dir = await Deno.makeTempDir();
  await writeModelFile(`${dir}/m.onnx`, separableCnn(createRng(4)));
  const s = await loadSession(`${dir}/m.onnx`);
  const out = await s.run(randomFeeds(s.inputs, createRng(5), { N: 2 }));
  assert.deepEqual(out.logits.shape, [2, 10]);
  await s.release();
  await Deno.remove(dir, { recursive: true });
});

Deno.test("session cache shares by key, keeps idle sessions up to capacity", async () => {
  const disposed: string[] = [];
  const cache = new SessionCache<string>(1, (s) => {
    disposed.push(s);
    return Promise.resolve();
  });
  let n = 0;
  const make = () => Promise.resolve(`s${++n}`);
  assert.equal(await cache.acquire("a", make), "s1");
  assert.equal(await cache.acquire("a", make), "s1");
  assert.equal(await cache.acquire("b", make), "s2");
  await cache.release("a");
  await cache.release("a");
  assert.deepEqual(disposed, [], "one idle session fits");
  await cache.release("b");
  assert.deepEqual(disposed, ["s1"], "the least recently used idle one goes");
  await assert.rejects(() => cache.acquire("c", () => Promise.reject(new Error("boom"))), /boom/);
  assert.equal(await cache.acquire("c", make), "s3", "a failed creation does not stick");
  await cache.clear();
  assert.equal(cache.size, 1, "busy sessions survive clear()");
});

Deno.test("the native backend's absence is explained with the install command", () => {
  const old = Deno.env.get("ADASPRING_NATIVE_DIR");
  const empty = Deno.makeTempDirSync();
  Deno.env.set("ADASPRING_NATIVE_DIR", empty);
  try {
    assert.throws(
      () => loadNative(),
      (e: unknown) =>
        e instanceof AdaspringError && e.exitCode === ExitCode.missingDependency &&
        e.message.includes(NATIVE_INSTALL_COMMAND),
    );
  } finally {
    if (old === undefined) Deno.env.delete("ADASPRING_NATIVE_DIR");
    else Deno.env.set("ADASPRING_NATIVE_DIR", old);
    Deno.removeSync(empty);
  }
  assert.equal(
    NATIVE_INSTALL_COMMAND,
    "ONNXRUNTIME_NODE_INSTALL=skip npm install --prefix .native onnxruntime-node@1.30.0",
  );
});

Deno.test({
  name: "web and native backends agree on both reference CNNs",
  ignore: !nativeAvailable(),
  async fn() {
    for (const model of [plainCnn(createRng(6)), separableCnn(createRng(7))]) {
      const bytes = encodeModel(model);
      const web = await createSession(bytes, { backend: "web", cache: false });
      const native = await createSession(bytes, { backend: "native", cache: false });
      const feeds = randomFeeds(web.inputs, createRng(8), { N: 4 });
      const a = await web.run(feeds);
      const b = await native.run(feeds);
      assert.deepEqual(a.logits.shape, b.logits.shape);
      assertClose(
        a.logits.data,
        Array.from(b.logits.data as Float32Array),
        model.graph.name,
        1e-3,
        1e-4,
      );
      await web.release();
      await native.release();
    }
  },
});

Deno.test("web sessions used concurrently in one thread: no failure, no hang, sequential outputs", async () => {
  // onnxruntime-web's WASM instance is not re-entrant across sessions: before the per-thread
  // queue, two lanes each creating a session, fetching many outputs and releasing it hung (this
  // test) or failed ("output name cannot be empty", concurrent BN calibrations).
  const manyOutputs = (name: string, k: number) => {
    const g = new GraphBuilder(name);
    const x = g.input("input", "float32", ["N", 256]);
    for (let i = 0; i < k; i++) {
      g.output(g.add1(i % 2 ? "Relu" : "Neg", [x]), `${name}.block${i}.statistic`);
    }
    return encodeModel(g.toModel());
  };
  const bytes = [manyOutputs("a", 16), manyOutputs("b", 24)];
  const x = (i: number) => Float32Array.from({ length: 64 * 256 }, (_, j) => Math.sin(j + i));
  const lane = async (i: number) => {
    const outs: Record<string, TensorData>[] = [];
    for (let r = 0; r < 10; r++) {
      const s = await createSession(bytes[i], { backend: "web", cache: false });
      try {
        const input = { dtype: "float32" as const, shape: [64, 256], data: x(i) };
        for (let k = 0; k < 3; k++) outs.push(await s.run({ input }, s.outputNames));
      } finally {
        await s.release();
      }
    }
    return outs;
  };
  let timer: ReturnType<typeof setTimeout> | undefined;
  const hang = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error("concurrent web sessions hung for 120 s")), 120_000);
  });
  try {
    const [a, b] = await Promise.race([Promise.all([lane(0), lane(1)]), hang]);
    for (const [i, outs] of [a, b].entries()) {
      const first = outs[0];
      assert.equal(Object.keys(first).length, i === 0 ? 16 : 24);
      for (const o of outs) {
        for (const name of Object.keys(first)) assert.deepEqual(o[name].data, first[name].data);
      }
    }
  } finally {
    clearTimeout(timer);
  }
});
