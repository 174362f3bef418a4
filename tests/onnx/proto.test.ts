/**
 * The hand-written ONNX protobuf codec: round trips, other writers' encodings (typed repeated
 * fields, packed or not), files written by ONNX Runtime itself, and corrupt input.
 */
import assert from "node:assert/strict";
import { AdaspringError, ExitCode } from "../../lib/errors.ts";
import { attr } from "../../lib/onnx/attr.ts";
import { tensor } from "../../lib/onnx/dtype.ts";
import { plainCnn } from "../../lib/onnx/examples.ts";
import { decodeModelBytes } from "../../lib/onnx/file.ts";
import { GraphBuilder } from "../../lib/onnx/graph.ts";
import { decodeModel, decodeTensor } from "../../lib/onnx/proto/decode.ts";
import { encodeModel } from "../../lib/onnx/proto/encode.ts";
import { ProtoError, ProtoReader, ProtoWriter } from "../../lib/onnx/proto/wire.ts";
import type { ModelData, TensorData } from "../../lib/onnx/types.ts";
import { loadNative, nativeAvailable } from "../../lib/runtime/native.ts";
import { createWebSession } from "../../lib/runtime/web.ts";
import { createRng } from "../../lib/util/rng.ts";

function everythingModel(): ModelData {
  const g = new GraphBuilder("everything");
  const x = g.input("x", "float32", ["N", 4]);
  const tensors: Record<string, TensorData> = {
    f32: tensor("float32", [2, 2], [1.5, -2.25, 3e-8, 1e30]),
    f64: tensor("float64", [3], [Math.PI, -1e-300, 7]),
    i8: tensor("int8", [4], [-128, -1, 0, 127]),
    u8: tensor("uint8", [3], [0, 128, 255]),
    i32: tensor("int32", [2], [-(2 ** 31), 2 ** 31 - 1]),
    i64: tensor("int64", [3], [-1, 2 ** 40, -(2 ** 52)]),
    b: tensor("bool", [2], [1, 0]),
    scalar: tensor("float32", [], [42]),
    empty: tensor("float32", [0, 3], []),
  };
  for (const [name, t] of Object.entries(tensors)) g.param(name, t);
  const y = g.add1("Relu", [x], {
    i: attr.int(-7),
    big: attr.int(2 ** 50),
    f: attr.float(0.25),
    s: attr.string("héllo"),
    is: attr.ints([1, -1, 0, 2 ** 33]),
    fs: attr.floats([0.5, -1.5]),
    ss: attr.strings(["a", ""]),
    t: attr.tensor(tensor("int64", [2], [5, -6])),
  }, { name: "act" });
  g.output(y, "y");
  return g.toModel({ docString: "doc", metadata: { author: "adaspring", k: "v" } });
}

Deno.test("encode -> decode round-trips every field adaspring writes", () => {
  const model = everythingModel();
  const back = decodeModel(encodeModel(model));
  assert.deepEqual(back, model);
});

Deno.test("decode -> encode is byte-identical for adaspring's files", () => {
  const bytes = encodeModel(plainCnn(createRng(3)));
  assert.deepEqual(encodeModel(decodeModel(bytes)), bytes);
});

Deno.test("ONNX Runtime runs the encoded model and agrees with it after a round trip", async () => {
  const bytes = encodeModel(plainCnn(createRng(4)));
  const feeds = {
    input: tensor("float32", [1, 3, 32, 32], Array.from({ length: 3072 }, (_, i) => Math.sin(i))),
  };
  const a = await createWebSession(bytes, { cache: false });
  const b = await createWebSession(encodeModel(decodeModel(bytes)), { cache: false });
  assert.deepEqual((await a.run(feeds)).logits, (await b.run(feeds)).logits);
  await a.release();
  await b.release();
});

Deno.test("tensors in typed repeated fields decode, packed and unpacked", () => {
  // float_data packed: a length-delimited run of raw fixed32 values.
  const raw = new Uint8Array(12);
  const dv = new DataView(raw.buffer);
  [1.5, -2, 0.25].forEach((v, i) => dv.setFloat32(4 * i, v, true));
  const p = new ProtoWriter();
  p.int64(1, 3);
  p.int64(2, 1);
  p.bytes(4, raw);
  assert.deepEqual(decodeTensor(p.finish()).data, new Float32Array([1.5, -2, 0.25]));

  // int64_data unpacked with negatives, dims unpacked
  const u = new ProtoWriter();
  u.int64(1, 2);
  u.int64(1, 2);
  u.int64(2, 7);
  for (const v of [-1, 5, -(2 ** 40), 0]) u.int64(7, v);
  u.string(8, "ids");
  const t = decodeTensor(u.finish());
  assert.equal(t.name, "ids");
  assert.deepEqual(t.shape, [2, 2]);
  assert.deepEqual(t.data, new BigInt64Array([-1n, 5n, -(2n ** 40n), 0n]));

  // int8 travels in int32_data (sign-extended varints)
  const q = new ProtoWriter();
  q.int64(1, 3);
  q.int64(2, 3);
  for (const v of [-5, 0, 127]) q.int64(5, v);
  assert.deepEqual(decodeTensor(q.finish()).data, new Int8Array([-5, 0, 127]));
});

Deno.test("unknown fields are skipped", () => {
  const bytes = encodeModel(everythingModel());
  const w = new ProtoWriter();
  w.int64(99, 123);
  w.string(98, "future field");
  w.float(97, 1);
  const extended = new Uint8Array([...w.finish(), ...bytes]);
  assert.deepEqual(decodeModel(extended), decodeModel(bytes));
});

Deno.test("varints: 64-bit negatives and large values", () => {
  const w = new ProtoWriter();
  for (const v of [0, 1, 127, 128, 2 ** 31, 2 ** 53 - 1, -1, -(2 ** 53) + 1]) w.int64(1, v);
  const r = new ProtoReader(w.finish());
  const out: number[] = [];
  while (r.next()) out.push(r.int64());
  assert.deepEqual(out, [0, 1, 127, 128, 2 ** 31, 2 ** 53 - 1, -1, -(2 ** 53) + 1]);
});

Deno.test("corrupt bytes raise ProtoError; file decoding turns it into bad input", () => {
  const bytes = encodeModel(plainCnn(createRng(5)));
  assert.throws(() => decodeModel(bytes.subarray(0, bytes.length - 100)), ProtoError);
  assert.throws(() => decodeModel(new TextEncoder().encode("not a model at all")), ProtoError);
  assert.throws(
    () => decodeModelBytes(bytes.subarray(0, 5000), "models/x.onnx"),
    (e: unknown) =>
      e instanceof AdaspringError && e.exitCode === ExitCode.badInput &&
      e.message.startsWith("models/x.onnx: not a valid ONNX model"),
  );
  assert.throws(
    () => decodeModelBytes(new Uint8Array(), "e.onnx"),
    /e.onnx: the model file is empty/,
  );
});

Deno.test({
  name: "decodes a model file written by ONNX Runtime (native)",
  ignore: !nativeAvailable(),
  async fn() {
    const ort = loadNative() as unknown as {
      InferenceSession: {
        create(b: Uint8Array, o: Record<string, unknown>): Promise<{ release(): Promise<void> }>;
      };
    };
    const dir = await Deno.makeTempDir();
    const path = `${dir}/optimized.onnx`;
    const s = await ort.InferenceSession.create(encodeModel(plainCnn(createRng(6))), {
      graphOptimizationLevel: "basic",
      optimizedModelFilePath: path,
      logSeverityLevel: 3,
    });
    await s.release();
    const m = decodeModel(await Deno.readFile(path));
    assert.equal(m.graph.inputs.filter((v) => v.name === "input").length, 1);
    assert.ok(m.graph.nodes.some((n) => n.opType === "Conv"));
    assert.ok(m.graph.initializers.length >= 10);
    await Deno.remove(dir, { recursive: true });
  },
});
