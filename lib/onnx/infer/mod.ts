/**
 * Static shape inference: a registry of per-op rules, and a pass that types every value of a
 * graph (used by the builder on each node it adds, and by `model inspect` on decoded models).
 *
 * @example
 * ```ts
 * import { inferGraph } from "./mod.ts";
 * import { GraphBuilder } from "../graph.ts";
 * const g = new GraphBuilder("g");
 * const x = g.input("x", "float32", [1, 4]);
 * g.output(g.add1("Relu", [x]));
 * console.assert(inferGraph(g.toGraph()).get(g.toGraph().outputs[0].name)?.shape?.[1] === 4);
 * ```
 *
 * @module
 */
import { getTensor } from "../attr.ts";
import type { GraphData, NodeData, TensorData, ValueInfo } from "../types.ts";
import type { InferContext, OutputType, ShapeRule } from "./common.ts";
import { elementwiseRules } from "./elementwise.ts";
import { nnRules } from "./nn.ts";
import { tensorRules } from "./tensor.ts";

export type { InferContext, OutputType, ShapeRule } from "./common.ts";

const rules = new Map<string, ShapeRule>(
  Object.entries({ ...elementwiseRules, ...nnRules, ...tensorRules }),
);

/**
 * Adds or replaces the rule of an op type (domain-qualified as `domain:Op` outside the
 * default domain), e.g. for a custom op a later module emits.
 */
export function registerShapeRule(opType: string, rule: ShapeRule): void {
  rules.set(opType, rule);
}

/** The rule for a node, or `undefined` when the op is unknown. */
export function shapeRuleFor(node: Pick<NodeData, "opType" | "domain">): ShapeRule | undefined {
  const key = node.domain ? `${node.domain}:${node.opType}` : node.opType;
  return rules.get(key);
}

/** True when a shape rule exists for the op. */
export function hasShapeRule(opType: string): boolean {
  return rules.has(opType);
}

/**
 * Output types of one node, or `undefined` when its op has no rule.
 * Only as many outputs as the node declares are returned.
 */
export function inferNode(
  node: NodeData,
  typeOf: (name: string) => ValueInfo | undefined,
  constantOf: (name: string) => TensorData | undefined,
): OutputType[] | undefined {
  const rule = shapeRuleFor(node);
  if (rule === undefined) return undefined;
  const ctx: InferContext = {
    node,
    inputs: node.inputs.map((n) => (n === "" ? undefined : typeOf(n))),
    constant: (i) => (node.inputs[i] ? constantOf(node.inputs[i]) : undefined),
  };
  return rule(ctx).slice(0, node.outputs.length);
}

/**
 * Types every value of a graph: inputs, initializers and node outputs. Declared `valueInfo`
 * is used where an op has no rule or its rule cannot tell (shape `undefined`).
 */
export function inferGraph(graph: GraphData): Map<string, ValueInfo> {
  const types = new Map<string, ValueInfo>();
  const consts = new Map<string, TensorData>();
  for (const t of graph.initializers) {
    types.set(t.name, { name: t.name, dtype: t.dtype, shape: t.shape });
    consts.set(t.name, t);
  }
  for (const v of graph.inputs) types.set(v.name, v);
  const declared = new Map<string, ValueInfo>();
  for (const v of [...graph.valueInfo, ...graph.outputs]) declared.set(v.name, v);
  for (const node of graph.nodes) {
    if (node.opType === "Constant" && !node.domain) {
      const value = getTensor(node.attributes, "value");
      if (value !== undefined) consts.set(node.outputs[0], value);
    }
    let outs: OutputType[] | undefined;
    try {
      outs = inferNode(node, (n) => types.get(n), (n) => consts.get(n));
    } catch {
      outs = undefined; // a third-party model may use semantics we do not model
    }
    node.outputs.forEach((name, i) => {
      if (name === "") return;
      const o = outs?.[i];
      const d = declared.get(name);
      if (o !== undefined && (o.shape !== undefined || d === undefined)) {
        types.set(name, { name, dtype: o.dtype, shape: o.shape });
      } else if (d !== undefined) types.set(name, d);
    });
  }
  return types;
}
