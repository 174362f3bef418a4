/**
 * Reverse-mode differentiation over builder graphs. Each supported op has one row in
 * {@link RULES}: a one-line description and a backward rule that emits standard ONNX ops
 * into the same graph (micrograd style: a rule fits in your head). {@link gradients} walks
 * the forward nodes in reverse, calls each rule, and sums gradients of values read twice.
 *
 * @example
 * ```ts
 * import { GraphBuilder } from "../../onnx/graph.ts";
 * import { tensor } from "../../onnx/dtype.ts";
 * import { gemm, reduceSum, relu } from "../../onnx/mod.ts";
 * import { gradients } from "./mod.ts";
 * const g = new GraphBuilder("tiny");
 * const x = g.input("x", "float32", [2, 3]);
 * const w = g.input("w", "float32", [4, 3]);
 * const loss = reduceSum(relu(gemm(x, w, undefined, { transB: true })), [], { keepDims: false });
 * const grads = gradients(g, loss, ["w"]);
 * console.assert(grads.get("w")!.shape.join() === "4,3");
 * ```
 *
 * @module
 */
import { isFloat } from "../../onnx/dtype.ts";
import type { GraphBuilder, Tensor } from "../../onnx/graph.ts";
import { sum } from "../../onnx/ops/math.ts";
import type { NodeData } from "../../onnx/types.ts";
import { AdaspringError } from "../../errors.ts";
import { type BackwardRule, type RuleContext, zerosLike } from "./rule.ts";
import { convRule } from "./rules_conv.ts";
import { mathRules } from "./rules_math.ts";
import { nnRules } from "./rules_nn.ts";
import { shapeRules } from "./rules_shape.ts";

export type { BackwardRule, InputGrads, RuleContext } from "./rule.ts";

/** The table: every differentiable op with its one-line rule and its backward emitter. */
export const RULES: Readonly<Record<string, BackwardRule>> = {
  Conv: convRule,
  ...nnRules,
  ...mathRules,
  ...shapeRules,
};

/** Ops whose outputs carry no gradient (indices, shapes, comparisons, labels). */
const NON_DIFFERENTIABLE = new Set([
  "Shape",
  "Size",
  "ArgMax",
  "ArgMin",
  "Equal",
  "Greater",
  "Less",
  "GreaterOrEqual",
  "LessOrEqual",
  "And",
  "Or",
  "Not",
  "OneHot",
  "ConstantOfShape",
  "Constant",
]);

/** One line per rule, `Op: description`, sorted (for docs and error messages). */
export function describeRules(): string[] {
  return Object.entries(RULES).map(([op, r]) => `${op}: ${r.doc}`).sort();
}

/**
 * Appends to `g` the gradient of scalar `loss` w.r.t. each value named in `wrt` (inputs or
 * initializers of `g`), and returns their handles by name. A value the loss does not depend
 * on gets a zero gradient.
 *
 * @throws {AdaspringError} when a node on a path from `wrt` to `loss` has no backward rule.
 */
export function gradients(
  g: GraphBuilder,
  loss: Tensor,
  wrt: readonly string[],
): Map<string, Tensor> {
  const forward = [...g.nodes];
  const requires = new Set<string>(wrt);
  for (const node of forward) {
    if (NON_DIFFERENTIABLE.has(node.opType)) continue;
    if (node.inputs.some((i) => requires.has(i))) {
      for (const o of node.outputs) if (o && isFloat(g.tensor(o).dtype)) requires.add(o);
    }
  }
  if (!requires.has(loss.name)) {
    return new Map(wrt.map((w) => [w, zerosLike(g.tensor(w))]));
  }
  const pending = new Map<string, Tensor[]>([[loss.name, [g.scalar(1, loss.dtype, "dloss")]]]);
  const total = new Map<string, Tensor>();
  const gradOf = (name: string): Tensor | undefined => {
    const cached = total.get(name);
    if (cached) return cached;
    const parts = pending.get(name);
    if (!parts?.length) return undefined;
    const t = parts.length === 1 ? parts[0] : sum(parts, { name: "grad_acc" });
    total.set(name, t);
    return t;
  };
  for (let k = forward.length - 1; k >= 0; k--) {
    const node = forward[k];
    if (!node.outputs.some((o) => pending.has(o))) continue;
    const needs = node.inputs.map((i) => i !== "" && requires.has(i));
    if (!needs.some(Boolean)) continue;
    const rule = RULES[node.opType];
    if (rule === undefined || node.domain) {
      throw new AdaspringError(
        `cannot differentiate ${node.opType} node "${node.name}": no backward rule. ` +
          `Ops with rules: ${Object.keys(RULES).sort().join(", ")}.`,
      );
    }
    const grads = rule.backward(context(g, node, needs, gradOf));
    needs.forEach((need, i) => {
      const gi = grads[i];
      if (!need || gi === undefined) return;
      const name = node.inputs[i];
      if (total.has(name)) throw new Error(`autodiff: gradient of "${name}" used before complete`);
      pending.set(name, [...(pending.get(name) ?? []), gi]);
    });
  }
  return new Map(wrt.map((w) => [w, gradOf(w) ?? zerosLike(g.tensor(w))]));
}

function context(
  g: GraphBuilder,
  node: NodeData,
  needs: readonly boolean[],
  gradOf: (name: string) => Tensor | undefined,
): RuleContext {
  return {
    g,
    node,
    x: (i) => g.tensor(node.inputs[i]),
    y: (i) => g.tensor(node.outputs[i]),
    dy: (i) => (node.outputs[i] ? gradOf(node.outputs[i]) : undefined),
    needs: (i) => needs[i] ?? false,
  };
}
