/**
 * Static cost of a graph: multiply-accumulates and floating-point operations per node, and
 * parameter counts and bytes of its initializers.
 *
 * Conventions (the usual ones in the compression literature): a MAC is one multiply-add of
 * Conv, ConvTranspose, Gemm or MatMul, and counts as 2 FLOPs; biases, element-wise ops,
 * normalization, pooling and softmax add their own FLOPs (1 per output element per arithmetic
 * step, a window's size per pooled output). Data movement (Reshape, Concat, Slice, ...) costs 0.
 * Symbolic dimensions (a free batch `N`) are bound by `dims`, 1 by default, so the figures
 * are per sample unless a batch size is given.
 *
 * @module
 */
import { getInt, getInts } from "./attr.ts";
import { bytesPerElement, isFloat } from "./dtype.ts";
import { inferGraph } from "./infer/mod.ts";
import type { GraphData, NodeData, Shape, ValueInfo } from "./types.ts";

/** Cost of one node. */
export interface NodeCost {
  readonly name: string;
  readonly opType: string;
  readonly macs: number;
  readonly flops: number;
}

/** Cost of a graph. */
export interface GraphCost {
  readonly macs: number;
  readonly flops: number;
  readonly nodes: readonly NodeCost[];
  /** Nodes whose shapes could not be inferred (their cost is missing from the totals). */
  readonly unknown: readonly string[];
}

const FREE = new Set([
  "Reshape",
  "Flatten",
  "Transpose",
  "Concat",
  "Slice",
  "Squeeze",
  "Unsqueeze",
  "Identity",
  "Expand",
  "Gather",
  "Shape",
  "Constant",
  "Cast",
  "Pad",
  "Tile",
  "Dropout",
  "Size",
  "ConstantOfShape",
  "GatherElements",
  "ScatterElements",
  "ScatterND",
  "OneHot",
]);

/** FLOPs per output element of element-wise and normalization ops. */
const PER_ELEMENT: Readonly<Record<string, number>> = {
  Add: 1,
  Sub: 1,
  Mul: 1,
  Div: 1,
  Pow: 1,
  Relu: 1,
  Clip: 2,
  LeakyRelu: 2,
  Neg: 1,
  Abs: 1,
  Sqrt: 1,
  Exp: 1,
  Log: 1,
  Reciprocal: 1,
  Sigmoid: 4,
  Tanh: 4,
  HardSwish: 4,
  HardSigmoid: 3,
  Equal: 1,
  Greater: 1,
  Less: 1,
  Where: 1,
  Sum: 1,
  Max: 1,
  Min: 1,
  Mean: 1,
  BatchNormalization: 2,
  QuantizeLinear: 3,
  DequantizeLinear: 2,
  Softmax: 5,
  LogSoftmax: 5,
};

function elements(
  shape: Shape | undefined,
  dims: Readonly<Record<string, number>>,
): number | undefined {
  if (shape === undefined) return undefined;
  let n = 1;
  for (const d of shape) n *= typeof d === "number" ? d : dims[d] ?? 1;
  return n;
}

function nodeCost(
  node: NodeData,
  types: Map<string, ValueInfo>,
  dims: Readonly<Record<string, number>>,
): { macs: number; flops: number } | undefined {
  const shapeOf = (n: string) => (n ? types.get(n)?.shape : undefined);
  const numel = (n: string) => elements(shapeOf(n), dims);
  const out = numel(node.outputs[0]);
  if (FREE.has(node.opType)) return { macs: 0, flops: 0 };
  if (out === undefined) return undefined;
  const withBias = (macs: number, bias: boolean) => ({ macs, flops: 2 * macs + (bias ? out : 0) });
  switch (node.opType) {
    case "Conv": {
      const w = shapeOf(node.inputs[1]);
      if (!w) return undefined;
      const perOut = elements(w, dims)! / (w[0] as number); // (C/group) * kernel
      return withBias(out * perOut, Boolean(node.inputs[2]));
    }
    case "ConvTranspose": {
      const w = shapeOf(node.inputs[1]);
      const x = numel(node.inputs[0]);
      if (!w || x === undefined) return undefined;
      const perIn = elements(w, dims)! / (w[0] as number); // (M/group) * kernel
      return withBias(x * perIn, Boolean(node.inputs[2]));
    }
    case "Gemm": {
      const a = shapeOf(node.inputs[0]);
      if (!a) return undefined;
      const k = getInt(node.attributes, "transA", 0) ? a[0] : a[1];
      return withBias(out * elements([k], dims)!, Boolean(node.inputs[2]));
    }
    case "MatMul": {
      const a = shapeOf(node.inputs[0]);
      if (!a) return undefined;
      return withBias(out * elements([a[a.length - 1]], dims)!, false);
    }
    case "MaxPool":
    case "AveragePool": {
      const k = getInts(node.attributes, "kernel_shape", []).reduce((p, d) => p * d, 1);
      return { macs: 0, flops: out * k };
    }
    case "GlobalAveragePool":
    case "GlobalMaxPool":
    case "ReduceSum":
    case "ReduceMean":
    case "ReduceMax": {
      const x = numel(node.inputs[0]);
      return x === undefined ? undefined : { macs: 0, flops: x };
    }
    case "SoftmaxCrossEntropyLoss": {
      const x = numel(node.inputs[0]);
      return x === undefined ? undefined : { macs: 0, flops: 5 * x };
    }
  }
  const per = PER_ELEMENT[node.opType];
  return per === undefined ? undefined : { macs: 0, flops: per * out };
}

/**
 * Estimates the MACs and FLOPs of every node of `graph`.
 *
 * @example
 * ```ts
 * import { GraphBuilder } from "./graph.ts";
 * import { gemm } from "./ops/nn.ts";
 * import { estimateCost } from "./flops.ts";
 * const g = new GraphBuilder();
 * const x = g.input("x", "float32", ["N", 4]);
 * const w = g.param("w", { dtype: "float32", shape: [4, 3], data: new Float32Array(12) });
 * g.output(gemm(x, w));
 * const c = estimateCost(g.toGraph(), { N: 2 });
 * console.assert(c.macs === 24 && c.flops === 48);
 * ```
 */
export function estimateCost(
  graph: GraphData,
  dims: Readonly<Record<string, number>> = {},
): GraphCost {
  const types = inferGraph(graph);
  const nodes: NodeCost[] = [];
  const unknown: string[] = [];
  let macs = 0;
  let flops = 0;
  for (const node of graph.nodes) {
    const c = nodeCost(node, types, dims);
    if (c === undefined) {
      unknown.push(`${node.domain ? `${node.domain}:` : ""}${node.opType} "${node.name}"`);
      continue;
    }
    nodes.push({ name: node.name, opType: node.opType, ...c });
    macs += c.macs;
    flops += c.flops;
  }
  return { macs, flops, nodes, unknown };
}

/** Parameter statistics of a graph's initializers. */
export interface ParameterStats {
  /** Elements of floating-point and 8-bit initializers (weights), not int shape constants. */
  readonly parameters: number;
  /** Bytes of all initializers' data. */
  readonly bytes: number;
  /** Bytes by dtype. */
  readonly bytesByDtype: Readonly<Record<string, number>>;
}

/** Counts a graph's parameters and initializer bytes. */
export function countParameters(graph: GraphData): ParameterStats {
  let parameters = 0;
  let bytes = 0;
  const bytesByDtype: Record<string, number> = {};
  for (const t of graph.initializers) {
    const n = t.data.length;
    const b = n * bytesPerElement(t.dtype);
    bytes += b;
    bytesByDtype[t.dtype] = (bytesByDtype[t.dtype] ?? 0) + b;
    if (isFloat(t.dtype) || t.dtype === "int8" || t.dtype === "uint8") parameters += n;
  }
  return { parameters, bytes, bytesByDtype };
}

/** How many nodes of each op type, most frequent first. */
export function opHistogram(graph: GraphData): [string, number][] {
  const counts = new Map<string, number>();
  for (const n of graph.nodes) {
    const key = n.domain ? `${n.domain}:${n.opType}` : n.opType;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
}
