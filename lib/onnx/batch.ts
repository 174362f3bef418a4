/**
 * Changing a model's batch size: the first dimension of its inputs (and of outputs that share
 * it) becomes a given size. Intermediate `valueInfo` is dropped, since its shapes would
 * contradict the new batch; the runtime re-infers them.
 *
 * @module
 */
import type { Dim, ModelData, ValueInfo } from "./types.ts";

/**
 * A copy of `model` whose inputs' first dimension is `batch`. Symbolic first dimensions are
 * left alone (the feeds bind them); a static one is replaced, as is the same size in the first
 * dimension of each output. A graph that hard-codes its batch inside (e.g. in a Reshape
 * constant) will fail to run at the new size, and ONNX Runtime will say so.
 *
 * @example
 * ```ts
 * import { GraphBuilder } from "./graph.ts";
 * import { withBatchSize } from "./batch.ts";
 * const g = new GraphBuilder();
 * g.output(g.add1("Relu", [g.input("x", "float32", [1, 3])]));
 * const m = withBatchSize(g.toModel(), 8);
 * console.assert(m.graph.inputs[0].shape![0] === 8 && m.graph.outputs[0].shape![0] === 8);
 * ```
 */
export function withBatchSize(model: ModelData, batch: number): ModelData {
  const inits = new Set(model.graph.initializers.map((t) => t.name));
  const old = new Set<Dim>();
  const swap = (v: ValueInfo): ValueInfo => {
    const s = v.shape;
    if (s === undefined || s.length === 0 || typeof s[0] !== "number") return v;
    old.add(s[0]);
    return { ...v, shape: [batch, ...s.slice(1)] };
  };
  const inputs = model.graph.inputs.map((v) => (inits.has(v.name) ? v : swap(v)));
  if (old.size === 0) return model;
  const outputs = model.graph.outputs.map((v) =>
    v.shape && v.shape.length > 0 && old.has(v.shape[0]) ? swap(v) : v
  );
  return { ...model, graph: { ...model.graph, inputs, outputs, valueInfo: [] } };
}
