/** Evolution-time int8 quantization against ONNX Runtime's QuantizeLinear with the same scales. */
import assert from "node:assert/strict";
import { tensor } from "../../lib/onnx/dtype.ts";
import { GraphBuilder } from "../../lib/onnx/graph.ts";
import { encodeModel } from "../../lib/onnx/proto/encode.ts";
import { quantizeLinear } from "../../lib/onnx/ops/quant.ts";
import { createSession } from "../../lib/runtime/session.ts";
import { quantizePerChannel } from "../../lib/supernet/quantize.ts";
import { createRng } from "../../lib/util/rng.ts";

Deno.test("quantizePerChannel: the codes ONNX Runtime's QuantizeLinear gives for its scales, ties to even", async () => {
  const rows = 4, per = 40;
  const rng = createRng(5);
  const w = new Float32Array(rows * per);
  for (let i = 0; i < w.length; i++) w[i] = (rng.next() - 0.5) * (1 + (i % rows));
  // Row 1: the scale is exactly 2^-6 and every value an exact tie k + 0.5 (both signs).
  for (let i = 0; i < per; i++) w[per + i] = ((i % 2 ? -1 : 1) * ((i % 126) + 0.5)) / 64;
  w[per] = 127 / 64;
  // Row 3: zeros (scale 1).
  w.fill(0, 3 * per);
  const { q, scale } = quantizePerChannel(w, rows);
  assert.equal(scale[1], 1 / 64);
  assert.equal(scale[3], 1);
  assert.deepEqual([...q.subarray(per + 1, per + 5)], [-2, 2, -4, 4]); // -1.5, 2.5, -3.5, 4.5
  for (let r = 0; r < rows; r++) {
    const row = q.subarray(r * per, (r + 1) * per);
    assert.ok(Math.max(...row.map(Math.abs)) <= 127, `row ${r} within [-127, 127]`);
  }
  const g = new GraphBuilder("q");
  const x = g.input("x", "float32", [rows, per]);
  const s = g.constant(tensor("float32", [rows], scale));
  const z = g.constant(tensor("int8", [rows], new Int8Array(rows)));
  g.output(quantizeLinear(x, s, z, { axis: 0 }), "q");
  const session = await createSession(encodeModel(g.toModel()), { backend: "web", cache: false });
  try {
    const out = await session.run({ x: { dtype: "float32", shape: [rows, per], data: w } });
    assert.deepEqual([...q], [...(out.q.data as Int8Array)]);
  } finally {
    await session.release();
  }
});
