/**
 * Test helpers: random feeds, ORT execution (web, and native when installed) and float
 * tolerance checks.
 *
 * @module
 */
import assert from "node:assert/strict";
import { sizeOf, tensor } from "../../lib/onnx/dtype.ts";
import type { GraphBuilder, Tensor } from "../../lib/onnx/graph.ts";
import { encodeModel } from "../../lib/onnx/proto/encode.ts";
import { evaluate } from "../../lib/onnx/reference/mod.ts";
import type { DType, TensorData } from "../../lib/onnx/types.ts";
import { nativeAvailable } from "../../lib/runtime/native.ts";
import { createSession } from "../../lib/runtime/session.ts";
import type { BackendName } from "../../lib/runtime/types.ts";
import type { Rng } from "../../lib/util/rng.ts";

/** Random float tensor ~ N(0, scale) (or |N| + 0.1 when `positive`). */
export function randn(rng: Rng, shape: number[], positive = false, scale = 1): TensorData {
  const n = sizeOf(shape);
  const v = Array.from({ length: n }, () => {
    const x = rng.normal() * scale;
    return positive ? Math.abs(x) + 0.1 : x;
  });
  return tensor("float32", shape, v);
}

/** A float32 initializer with random values. */
export function randParam(
  g: GraphBuilder,
  rng: Rng,
  name: string,
  shape: number[],
  positive = false,
): Tensor {
  return g.param(g.uniqueName(name), randn(rng, shape, positive));
}

/** Integer tensor with values in [0, n). */
export function randInts(rng: Rng, dtype: DType, shape: number[], n: number): TensorData {
  return tensor(dtype, shape, Array.from({ length: sizeOf(shape) }, () => rng.int(n)));
}

/** Asserts every element of `actual` is within `atol + rtol * |expected|`. */
export function assertClose(
  actual: ArrayLike<number | bigint>,
  expected: ArrayLike<number>,
  what: string,
  rtol = 1e-4,
  atol = 1e-5,
): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  for (let i = 0; i < expected.length; i++) {
    const a = Number(actual[i]);
    const e = expected[i];
    const ok = Number.isNaN(e) ? Number.isNaN(a) : Math.abs(a - e) <= atol + rtol * Math.abs(e);
    if (!ok) assert.fail(`${what}[${i}]: got ${a}, expected ${e}`);
  }
}

/**
 * Runs the graph of `g` in ONNX Runtime (web) and in the float64 reference; asserts each output
 * has the inferred shape in both and matching values. When the native backend is available
 * (onnxruntime-node installed in .native/ and --allow-ffi), the same model also runs there and
 * is checked against the reference with the same tolerance; otherwise that part is skipped and
 * cannot fail the test. Returns the web outputs.
 */
export async function checkAgainstReference(
  g: GraphBuilder,
  feeds: Record<string, TensorData>,
  tol: { rtol?: number; atol?: number } = {},
): Promise<Record<string, TensorData>> {
  const model = g.toModel();
  const bytes = encodeModel(model);
  const ref = evaluate(model.graph, feeds);
  const web = await runAndCompare("web", bytes, g, feeds, ref, tol);
  if (nativeAvailable()) await runAndCompare("native", bytes, g, feeds, ref, tol);
  return web;
}

async function runAndCompare(
  backend: BackendName,
  bytes: Uint8Array,
  g: GraphBuilder,
  feeds: Record<string, TensorData>,
  ref: ReturnType<typeof evaluate>,
  tol: { rtol?: number; atol?: number },
): Promise<Record<string, TensorData>> {
  const session = await createSession(bytes, { backend, cache: false });
  try {
    const ort = await session.run(feeds);
    for (const out of g.outputs) {
      const what = `${out.name} (${backend})`;
      const o = ort[out.name];
      const r = ref[out.name];
      assert.ok(o, `ORT (${backend}) returned no "${out.name}"`);
      assert.deepEqual([...o.shape], [...out.shape], `${what}: ORT shape vs inferred`);
      assert.deepEqual([...r.shape], [...o.shape], `${what}: reference shape vs ORT`);
      assert.equal(o.dtype, out.dtype, `${what}: dtype`);
      assertClose(o.data, r.data, what, tol.rtol, tol.atol);
    }
    return ort;
  } finally {
    await session.release();
  }
}
