/**
 * The ONNX layer of adaspring: build typed graphs, infer static shapes, encode/decode the
 * ONNX protobuf format by hand, count FLOPs and parameters, and evaluate graphs in float64.
 * It knows no runtime and no search space.
 *
 * ## Tour
 *
 * - **Data** (`types.ts`): a model is plain data. {@link NodeData} is `{ name, opType, domain?,
 *   inputs: string[], outputs: string[], attributes }` with inputs/outputs as value names
 *   (`""` = omitted optional input) and attributes tagged by kind (`{kind: "ints", value}`;
 *   build them with {@link attr}, read them with {@link getInt}/{@link getInts}/...).
 *   {@link GraphData} holds nodes in topological order, inputs, outputs, initializers
 *   ({@link NamedTensor}: `{name, dtype, shape, data: TypedArray}`; int64 is BigInt64Array)
 *   and `valueInfo` (the builder records the type of every intermediate value).
 *   One opset throughout: {@link OPSET} = 17 (Reduce* other than ReduceSum take `axes` as an
 *   attribute; ReduceSum, Squeeze, Unsqueeze take axes as an input; Col2Im, an opset-18 op,
 *   is therefore not available: scatter with ScatterElements or use ConvTranspose instead).
 * - **Builder** (`graph.ts`): `new GraphBuilder(name)`; `g.input(name, dtype, shape)` (string
 *   dims such as `"N"` are symbolic and flow through batch-preserving ops);
 *   `g.param(name, tensor)` adds a named initializer, `g.constant(t)`, `g.ints([..])`,
 *   `g.scalar(v)` add anonymous ones; `g.add(opType, inputs, attrs, {outputs, name})` appends
 *   any node and returns output {@link Tensor} handles typed by shape inference (`add1` for
 *   one output; pass `outputTypes` for ops without a rule); `g.output(t, name?)` marks
 *   outputs. Inspect with `g.nodes`, `g.tensor(name)`, `g.producerOf(name)`,
 *   `g.consumersOf(name)`, `g.initializer(name)`, `g.constantValue(name)`; extend an existing
 *   graph with `GraphBuilder.from(graphData)`; snapshot with `g.toGraph()` / `g.toModel()`.
 *   Names are unique: helpers take `{name}` as a base and append `_k` on clashes.
 * - **Op helpers** (`ops/*.ts`): `conv`, `convTranspose`, `maxPool` (optionally with indices),
 *   `averagePool`, `globalAveragePool`, `batchNormalization`, `batchNormalizationTraining`
 *   (returns `[y, runningMean, runningVar]`), `gemm`, `matMul`, `softmaxCrossEntropyLoss`
 *   (returns `[loss, logProb]`); `relu`, `clip`, `relu6`, `add/sub/mul/div/pow` (numbers
 *   become scalar constants), `exp/log/neg/sqrt/...`, `equal/greater/less/where`, `sum`,
 *   `cast`, `softmax`, `logSoftmax`, `reduceSum/reduceMean/reduceMax`, `argMax`; `reshape`,
 *   `flatten`, `transpose`, `concat`, `slice`, `squeeze`, `unsqueeze`, `expand`, `gather`,
 *   `pad`; `quantizeLinear`, `dequantizeLinear`.
 * - **Shape inference** (`infer/`): {@link inferNode} per node, {@link inferGraph} for a
 *   whole (possibly decoded) graph; {@link registerShapeRule} adds rules for new ops.
 * - **Protobuf** (`proto/`): {@link encodeModel} / {@link decodeModel} (ModelProto, GraphProto,
 *   NodeProto, AttributeProto, TensorProto, ValueInfoProto), {@link readModelFile} /
 *   {@link writeModelFile} with user-facing errors.
 * - **Cost** (`flops.ts`): {@link estimateCost} (MACs/FLOPs per node), {@link countParameters},
 *   {@link opHistogram}.
 * - **Reference** (`reference/`): {@link evaluate} runs a graph in float64 TypeScript, for
 *   checking ONNX Runtime and, later, gradients.
 *
 * @example
 * ```ts
 * import { attr, conv, encodeModel, flatten, gemm, GraphBuilder, relu, tensor } from "./mod.ts";
 * const g = new GraphBuilder("net");
 * const x = g.input("x", "float32", ["N", 3, 32, 32]);
 * const w = g.param("conv.w", tensor("float32", [8, 3, 3, 3], new Array(216).fill(0.01)));
 * const h = relu(conv(x, w, undefined, { pads: [1, 1, 1, 1], strides: [2, 2] }));
 * const fc = g.param("fc.w", tensor("float32", [10, 8 * 16 * 16], new Array(20480).fill(0)));
 * const y = g.output(gemm(flatten(h), fc, undefined, { transB: true }), "logits");
 * console.assert(y.shape.join() === "N,10" && g.nodes[0].attributes.strides.kind === "ints");
 * const bytes = encodeModel(g.toModel());
 * console.assert(bytes.length > 80000);
 * void attr;
 * ```
 *
 * @module
 */
export * from "./types.ts";
export * from "./dtype.ts";
export * from "./attr.ts";
export { type AddOptions, GraphBuilder, type NodeInput, Tensor } from "./graph.ts";
export * from "./ops/nn.ts";
export * from "./ops/math.ts";
export * from "./ops/shape.ts";
export * from "./ops/quant.ts";
export {
  hasShapeRule,
  type InferContext,
  inferGraph,
  inferNode,
  type OutputType,
  registerShapeRule,
  type ShapeRule,
} from "./infer/mod.ts";
export { forwardWindow, sliceRange, transposeWindow, type Window } from "./geometry.ts";
export { encodeGraph, encodeModel, encodeTensor, UNKNOWN_DIM } from "./proto/encode.ts";
export { decodeGraph, decodeModel, decodeTensor } from "./proto/decode.ts";
export { ProtoError } from "./proto/wire.ts";
export { decodeModelBytes, type LoadedModel, readModelFile, writeModelFile } from "./file.ts";
export * from "./flops.ts";
export {
  evaluate,
  type EvaluateOptions,
  fromRef,
  hasKernel,
  type Kernel,
  type RefTensor,
  registerKernel,
  toRef,
} from "./reference/mod.ts";
