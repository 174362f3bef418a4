/**
 * The graph builder: naming, plain-data nodes, symbolic batch dims, inspection, extension and
 * the errors it raises.
 */
import assert from "node:assert/strict";
import { attr } from "../../lib/onnx/attr.ts";
import { tensor } from "../../lib/onnx/dtype.ts";
import { GraphBuilder } from "../../lib/onnx/graph.ts";
import { inferGraph } from "../../lib/onnx/infer/mod.ts";
import { relu } from "../../lib/onnx/ops/math.ts";
import { conv, gemm, globalAveragePool, matMul } from "../../lib/onnx/ops/nn.ts";
import { flatten, reshape } from "../../lib/onnx/ops/shape.ts";
import { AdaspringError } from "../../lib/errors.ts";

function weights(g: GraphBuilder, name: string, shape: number[]) {
  return g.param(
    name,
    tensor("float32", shape, new Array(shape.reduce((p, d) => p * d, 1)).fill(0.1)),
  );
}

function smallNet() {
  const g = new GraphBuilder("net");
  const x = g.input("x", "float32", ["N", 3, 16, 16]);
  const h1 = relu(conv(x, weights(g, "w1", [8, 3, 3, 3]), undefined, { pads: [1, 1, 1, 1] }));
  const h2 = relu(conv(h1, weights(g, "w2", [8, 8, 3, 3]), undefined, { strides: [2, 2] }));
  const y = gemm(flatten(globalAveragePool(h2)), weights(g, "fc", [10, 8]), undefined, {
    transB: true,
  });
  g.output(y, "logits");
  return g;
}

Deno.test("builder gives unique names and typed handles", () => {
  const g = smallNet();
  const names = g.nodes.map((n) => n.name);
  assert.equal(new Set(names).size, names.length);
  assert.deepEqual(g.nodes.filter((n) => n.opType === "Conv").map((n) => n.name), [
    "conv",
    "conv_1",
  ]);
  assert.deepEqual(g.tensor("logits").shape, ["N", 10]);
  assert.deepEqual(g.tensor("conv_1").shape, ["N", 8, 7, 7]);
  assert.equal(g.outputs[0].toString(), "logits[N,10]:float32");
});

Deno.test("nodes are plain JSON-like data with typed attributes", () => {
  const g = smallNet();
  const conv1 = g.nodes[0];
  assert.deepEqual(conv1.attributes.pads, { kind: "ints", value: [1, 1, 1, 1] });
  assert.deepEqual(conv1.attributes.kernel_shape, { kind: "ints", value: [3, 3] });
  assert.deepEqual(JSON.parse(JSON.stringify(g.nodes)), g.nodes);
  const graph = g.toGraph();
  assert.deepEqual(graph.inputs.map((v) => v.name), ["x"]);
  assert.deepEqual(graph.initializers.map((t) => t.name), ["w1", "w2", "fc"]);
  assert.ok(graph.valueInfo.some((v) => v.name === "conv_1"));
});

Deno.test("producerOf / consumersOf walk the graph", () => {
  const g = smallNet();
  assert.equal(g.producerOf("conv_1")?.opType, "Conv");
  assert.equal(g.producerOf("x"), undefined);
  assert.deepEqual(g.consumersOf("x").map((n) => n.name), ["conv"]);
  assert.deepEqual(g.consumersOf("w2").map((n) => n.opType), ["Conv"]);
});

Deno.test("symbolic batch survives reshape with 0 and -1", () => {
  const g = new GraphBuilder();
  const x = g.input("x", "float32", ["B", 4, 3, 2]);
  assert.deepEqual(reshape(x, [0, -1]).shape, ["B", 24]);
  assert.deepEqual(reshape(x, [0, 4, 6]).shape, ["B", 4, 6]);
  assert.deepEqual(reshape(x, [-1, 24]).shape, ["B", 24]);
  assert.throws(() => reshape(x, [-1, 5]), AdaspringError);
});

Deno.test("GraphBuilder.from copies a graph that can be extended", () => {
  const base = smallNet().toGraph();
  const g = GraphBuilder.from(base);
  assert.equal(g.nodes.length, base.nodes.length);
  const y = g.tensor("logits");
  const p = g.add1("Softmax", [y], { axis: attr.int(1) }, { name: "probs" });
  g.output(p);
  assert.deepEqual(g.toGraph().outputs.map((o) => o.name), ["logits", "probs"]);
  assert.equal(base.nodes.length, g.nodes.length - 1, "the source graph is unchanged");
});

Deno.test("inferGraph re-derives every builder shape from the plain graph", () => {
  const g = smallNet();
  const graph = g.toGraph();
  const types = inferGraph({
    ...graph,
    valueInfo: [],
    outputs: graph.outputs.map((o) => ({ name: o.name, dtype: o.dtype })),
  });
  for (const v of graph.valueInfo) assert.deepEqual(types.get(v.name)?.shape, v.shape, v.name);
  assert.deepEqual(types.get("logits")?.shape, ["N", 10]);
});

Deno.test("shape errors name the node, the inputs' shapes and the problem", () => {
  const g = new GraphBuilder();
  const x = g.input("x", "float32", [1, 3, 8, 8]);
  const w = weights(g, "w", [4, 2, 3, 3]);
  assert.throws(
    () => conv(x, w),
    (e: unknown) =>
      e instanceof AdaspringError &&
      /Conv node "conv"/.test(e.message) && /x\[1,3,8,8\]/.test(e.message) &&
      /3 channels but weight expects 2/.test(e.message),
  );
  const a = g.input("a", "float32", [2, 3]);
  assert.throws(() => matMul(a, a), /inner dimensions differ: 3 vs 2/);
  const tiny = g.input("tiny", "float32", [1, 3, 2, 2]);
  assert.throws(() => conv(tiny, weights(g, "w5", [1, 3, 5, 5])), /empty/);
});

Deno.test("builder rejects duplicate names, foreign handles and untyped custom ops", () => {
  const g = new GraphBuilder("a");
  const x = g.input("x", "float32", [2]);
  assert.throws(() => g.input("x", "float32", [2]), /already has a value named "x"/);
  const other = new GraphBuilder("b");
  const foreign = other.input("x", "float32", [2]);
  assert.throws(() => g.add1("Relu", [foreign]), /belongs to graph "b"/);
  assert.throws(() => g.add1("MyOp", [x], {}, { domain: "com.example" }), /no shape rule/);
  const y = g.add1("MyOp", [x], {}, {
    domain: "com.example",
    outputTypes: [{ dtype: "float32", shape: [2] }],
  });
  assert.deepEqual(y.shape, [2]);
  assert.deepEqual(g.toModel().opsetImports, [{ domain: "", version: 17 }, {
    domain: "com.example",
    version: 1,
  }]);
});

Deno.test("setParam replaces a weight only with the same dtype and shape", () => {
  const g = new GraphBuilder();
  weights(g, "w", [2, 2]);
  g.setParam("w", tensor("float32", [2, 2], [1, 2, 3, 4]));
  assert.equal(g.initializer("w")!.data[3], 4);
  assert.throws(() => g.setParam("w", tensor("float32", [4], [1, 2, 3, 4])), /float32\[2,2\]/);
});
