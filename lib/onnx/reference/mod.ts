/**
 * A float64 reference interpreter for adaspring graphs: evaluates nodes in order with plain
 * TypeScript kernels. It is slow and simple on purpose: it is the oracle that ONNX Runtime's
 * outputs and backward rules are checked against.
 *
 * @example
 * ```ts
 * import { evaluate } from "./mod.ts";
 * import { GraphBuilder } from "../graph.ts";
 * import { tensor } from "../dtype.ts";
 * const g = new GraphBuilder();
 * const x = g.input("x", "float32", [3]);
 * g.output(g.add1("Relu", [x]), "y");
 * const out = evaluate(g.toGraph(), { x: tensor("float32", [3], [-1, 0, 2]) });
 * console.assert(out.y.data[2] === 2 && out.y.data[0] === 0);
 * ```
 *
 * @module
 */
import { AdaspringError } from "../../errors.ts";
import { formatShape } from "../dtype.ts";
import type { GraphData, TensorData } from "../types.ts";
import { convKernels, type Kernel } from "./conv.ts";
import { denseKernels } from "./dense.ts";
import { elementwiseKernels } from "./elementwise.ts";
import { movementKernels } from "./movement.ts";
import { type RefTensor, toRef } from "./tensor.ts";

export { fromRef, type RefTensor, toRef } from "./tensor.ts";
export type { Kernel } from "./conv.ts";

const kernels = new Map<string, Kernel>(Object.entries({
  ...convKernels,
  ...denseKernels,
  ...elementwiseKernels,
  ...movementKernels,
}));

/** Adds or replaces the reference kernel of an op type. */
export function registerKernel(opType: string, kernel: Kernel): void {
  kernels.set(opType, kernel);
}

/** True when the interpreter has a kernel for the op. */
export function hasKernel(opType: string): boolean {
  return kernels.has(opType);
}

/** Options of {@link evaluate}. */
export interface EvaluateOptions {
  /** Values to return (default: the graph outputs). Any intermediate value may be named. */
  readonly outputs?: readonly string[];
}

/**
 * Evaluates `graph` on `feeds` (one per graph input; initializers are taken from the graph,
 * and a feed with an initializer's name overrides it). Returns float64 tensors by name.
 *
 * @throws {AdaspringError} when a feed is missing or mis-shaped, or an op has no kernel.
 */
export function evaluate(
  graph: GraphData,
  feeds: Readonly<Record<string, TensorData | RefTensor>>,
  options: EvaluateOptions = {},
): Record<string, RefTensor> {
  const values = new Map<string, RefTensor>();
  for (const t of graph.initializers) values.set(t.name, toRef(t));
  for (const v of graph.inputs) {
    const f = feeds[v.name];
    if (f === undefined) {
      if (values.has(v.name)) continue;
      throw new AdaspringError(`reference evaluation: no feed for input "${v.name}"`);
    }
    const declared = v.shape ?? [];
    if (
      v.shape && (f.shape.length !== declared.length ||
        declared.some((d, i) => typeof d === "number" && d !== f.shape[i]))
    ) {
      throw new AdaspringError(
        `reference evaluation: input "${v.name}" expects ${formatShape(v.shape)}, ` +
          `got ${formatShape(f.shape)}`,
      );
    }
  }
  for (const [name, f] of Object.entries(feeds)) values.set(name, toRef(f));
  for (const node of graph.nodes) {
    const key = node.domain ? `${node.domain}:${node.opType}` : node.opType;
    const kernel = kernels.get(key);
    if (kernel === undefined) {
      throw new AdaspringError(
        `reference evaluation: no kernel for op ${key} (node "${node.name}")`,
      );
    }
    const ins = node.inputs.map((n) => {
      if (n === "") return undefined;
      const v = values.get(n);
      if (v === undefined) {
        throw new AdaspringError(`reference evaluation: node "${node.name}" reads unknown "${n}"`);
      }
      return v;
    });
    const outs = kernel(ins, node);
    node.outputs.forEach((name, i) => {
      if (name !== "" && outs[i] !== undefined) values.set(name, outs[i]);
    });
  }
  const want = options.outputs ?? graph.outputs.map((o) => o.name);
  const result: Record<string, RefTensor> = {};
  for (const name of want) {
    const v = values.get(name);
    if (v === undefined) throw new AdaspringError(`reference evaluation: no value "${name}"`);
    result[name] = v;
  }
  return result;
}
