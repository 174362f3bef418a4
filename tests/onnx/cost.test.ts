/**
 * FLOPs/MACs estimates, parameter counts, the model summary and shape-inference corner cases.
 */
import assert from "node:assert/strict";
import { attr } from "../../lib/onnx/attr.ts";
import { withBatchSize } from "../../lib/onnx/batch.ts";
import { tensor } from "../../lib/onnx/dtype.ts";
import { plainCnn, separableCnn } from "../../lib/onnx/examples.ts";
import { countParameters, estimateCost, opHistogram } from "../../lib/onnx/flops.ts";
import { forwardWindow, sliceRange } from "../../lib/onnx/geometry.ts";
import { GraphBuilder } from "../../lib/onnx/graph.ts";
import { summarizeModel } from "../../lib/onnx/inspect.ts";
import { conv, gemm, maxPool } from "../../lib/onnx/ops/nn.ts";
import { encodeModel } from "../../lib/onnx/proto/encode.ts";
import { createRng } from "../../lib/util/rng.ts";

Deno.test("conv MACs follow N*M*OH*OW*(C/group)*KH*KW, grouped included", () => {
  const g = new GraphBuilder();
  const x = g.input("x", "float32", ["N", 8, 10, 10]);
  const w = g.param("w", tensor("float32", [16, 4, 3, 3], new Array(576).fill(0)));
  const b = g.param("b", tensor("float32", [16], new Array(16).fill(0)));
  g.output(conv(x, w, b, { group: 2, pads: [1, 1, 1, 1], strides: [2, 2] }));
  const c = estimateCost(g.toGraph(), { N: 3 });
  const macs = 3 * 16 * 5 * 5 * 4 * 3 * 3;
  assert.equal(c.macs, macs);
  assert.equal(c.flops, 2 * macs + 3 * 16 * 5 * 5);
});

Deno.test("reference CNNs: MACs, parameters and op histogram", () => {
  const plain = plainCnn(createRng(0));
  const macs = 32 * 32 * 32 * 27 + 16 * 16 * 32 * 288 + 16 * 16 * 64 * 288 + 8 * 8 * 64 * 576 +
    64 * 10;
  assert.equal(estimateCost(plain.graph).macs, macs);
  const params = 32 * 27 + 32 + 32 * 288 + 32 + 64 * 288 + 64 + 64 * 576 + 64 + 10 * 64 + 10;
  assert.equal(countParameters(plain.graph).parameters, params);
  assert.equal(countParameters(plain.graph).bytes, 4 * params);
  assert.deepEqual(opHistogram(plain.graph).slice(0, 2), [["Conv", 4], ["Relu", 4]]);
  const sep = separableCnn(createRng(0));
  assert.ok(estimateCost(sep.graph).macs < macs / 2, "the separable net is much cheaper");
});

Deno.test("unknown ops are listed, not guessed", () => {
  const g = new GraphBuilder();
  const x = g.input("x", "float32", [2, 2]);
  g.output(
    g.add1("Mystery", [x], {}, {
      domain: "x.y",
      outputTypes: [{ dtype: "float32", shape: [2, 2] }],
    }),
  );
  const c = estimateCost(g.toGraph());
  assert.deepEqual(c.unknown, ['x.y:Mystery "mystery"']);
  assert.equal(c.flops, 0);
});

Deno.test("summarizeModel reports I/O, ops, sizes and FLOPs at a batch", () => {
  const m = plainCnn(createRng(1));
  const bytes = encodeModel(m);
  const s1 = summarizeModel(m, bytes.length);
  const s8 = summarizeModel(m, bytes.length, { N: 8 });
  assert.deepEqual(s1.inputs, [{ name: "input", dtype: "float32", shape: ["N", 3, 32, 32] }]);
  assert.equal(s1.fileBytes, bytes.length);
  assert.ok(s1.fileBytes > s1.parameterBytes);
  assert.equal(s8.macs, 8 * s1.macs);
  assert.deepEqual(s1.uncosted, []);
});

Deno.test("withBatchSize rewrites a static first dimension and leaves symbolic ones", () => {
  const g = new GraphBuilder();
  const x = g.input("x", "float32", [1, 4]);
  const w = g.param("w", tensor("float32", [4, 2], new Array(8).fill(1)));
  g.output(gemm(x, w), "y");
  const m = withBatchSize(g.toModel(), 16);
  assert.deepEqual(m.graph.inputs[0].shape, [16, 4]);
  assert.deepEqual(m.graph.outputs[0].shape, [16, 2]);
  assert.deepEqual(m.graph.valueInfo, []);
  const sym = plainCnn(createRng(0));
  assert.equal(withBatchSize(sym, 4), sym);
});

Deno.test("window geometry: SAME padding, ceil mode and slice clamping", () => {
  const same = forwardWindow(
    { auto_pad: attr.string("SAME_LOWER"), strides: attr.ints([2]) },
    [4],
    [7],
  );
  assert.deepEqual(same.out, [4]);
  assert.deepEqual(same.pads, [2, 1]);
  assert.deepEqual(forwardWindow({ strides: attr.ints([2]) }, [2], [5], true).out, [3]);
  // The last ceil-mode window may not start in the end padding.
  assert.deepEqual(
    forwardWindow({ strides: attr.ints([2]), pads: attr.ints([1, 1]) }, [2], [4], true).out,
    [3],
  );
  assert.deepEqual(sliceRange(5, 10, 20, 1), { start: 5, count: 0, step: 1 });
  assert.deepEqual(sliceRange(5, -1, -100, -2), { start: 4, count: 3, step: -2 });
});

Deno.test("MaxPool ceil mode shape agrees with geometry", () => {
  const g = new GraphBuilder();
  const x = g.input("x", "float32", [1, 1, 6, 6]);
  const [y, i] = maxPool(x, { kernel: [3, 3], strides: [2, 2], ceilMode: true, withIndices: true });
  assert.deepEqual(y.shape, [1, 1, 3, 3]);
  assert.equal(i.dtype, "int64");
});
