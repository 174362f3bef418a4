/**
 * A model's summary for `model inspect`: I/O, op histogram, parameters, bytes and a FLOPs
 * estimate (static: computed from the graph, not measured).
 *
 * @module
 */
import { countParameters, estimateCost, opHistogram } from "./flops.ts";
import type { Dim, ModelData } from "./types.ts";

/** A summary of a model. */
export interface ModelSummary {
  readonly producer: string;
  readonly irVersion: number;
  readonly opsets: readonly { domain: string; version: number }[];
  readonly inputs: readonly { name: string; dtype: string; shape: Dim[] | null }[];
  readonly outputs: readonly { name: string; dtype: string; shape: Dim[] | null }[];
  readonly nodes: number;
  readonly ops: readonly { op: string; count: number }[];
  readonly parameters: number;
  /** Bytes of initializer data. */
  readonly parameterBytes: number;
  /** Size of the encoded model file. */
  readonly fileBytes: number;
  /** MACs and FLOPs per forward pass with symbolic dims bound as in `dims` (1 by default). */
  readonly macs: number;
  readonly flops: number;
  readonly flopsDims: Readonly<Record<string, number>>;
  /** Nodes the FLOPs estimate could not cost (unknown op or shape). */
  readonly uncosted: readonly string[];
}

/**
 * Summarizes a decoded model.
 *
 * @example
 * ```ts
 * import { GraphBuilder } from "./graph.ts";
 * import { encodeModel } from "./proto/encode.ts";
 * import { summarizeModel } from "./inspect.ts";
 * const g = new GraphBuilder();
 * g.output(g.add1("Relu", [g.input("x", "float32", [1, 4])]));
 * const m = g.toModel();
 * console.assert(summarizeModel(m, encodeModel(m).length).ops[0].op === "Relu");
 * ```
 */
export function summarizeModel(
  model: ModelData,
  fileBytes: number,
  dims: Readonly<Record<string, number>> = {},
): ModelSummary {
  const g = model.graph;
  const inits = new Set(g.initializers.map((t) => t.name));
  const io = (v: { name: string; dtype: string; shape?: readonly Dim[] }) => ({
    name: v.name,
    dtype: v.dtype,
    shape: v.shape ? [...v.shape] : null,
  });
  const params = countParameters(g);
  const cost = estimateCost(g, dims);
  return {
    producer: [model.producerName, model.producerVersion].filter(Boolean).join(" "),
    irVersion: model.irVersion,
    opsets: model.opsetImports.map((o) => ({ domain: o.domain || "ai.onnx", version: o.version })),
    inputs: g.inputs.filter((v) => !inits.has(v.name)).map(io),
    outputs: g.outputs.map(io),
    nodes: g.nodes.length,
    ops: opHistogram(g).map(([op, count]) => ({ op, count })),
    parameters: params.parameters,
    parameterBytes: params.bytes,
    fileBytes,
    macs: cost.macs,
    flops: cost.flops,
    flopsDims: dims,
    uncosted: cost.unknown,
  };
}
