/**
 * Loss and metric subgraphs built from standard ONNX ops, so the autodiff table covers them:
 * softmax cross-entropy (optionally label-smoothed), KL-divergence distillation with a
 * temperature, and the count of correct top-1 predictions.
 *
 * @example
 * ```ts
 * import { GraphBuilder } from "../onnx/graph.ts";
 * import { crossEntropy } from "./loss.ts";
 * const g = new GraphBuilder("l");
 * const logits = g.input("logits", "float32", [4, 10]);
 * const labels = g.input("labels", "int64", [4]);
 * console.assert(crossEntropy(logits, labels, 0.1).shape.length === 0);
 * ```
 *
 * @module
 */
import { attr } from "../onnx/attr.ts";
import { tensor } from "../onnx/dtype.ts";
import type { Tensor } from "../onnx/graph.ts";
import {
  add,
  argMax,
  cast,
  div,
  equal,
  exp,
  logSoftmax,
  mul,
  neg,
  reduceMean,
  reduceSum,
  sub,
} from "../onnx/ops/math.ts";
import { softmaxCrossEntropyLoss } from "../onnx/ops/nn.ts";

/** Which loss a training graph minimises. */
export type LossSpec =
  | { readonly kind: "cross-entropy"; readonly labelSmoothing?: number }
  | {
    readonly kind: "distillation";
    /** Softening temperature T of both distributions (Hinton et al.); the KL term is scaled by T^2. */
    readonly temperature: number;
    /** Weight of the KL term; the hard-label cross-entropy gets `1 - alpha`. */
    readonly alpha: number;
    readonly labelSmoothing?: number;
  };

/**
 * Mean softmax cross-entropy of `logits` [N, K] against int64 `labels` [N]. Without smoothing
 * it is one SoftmaxCrossEntropyLoss node; with smoothing `e`, the target is
 * `(1 - e) onehot + e / K` (LogSoftmax, OneHot, Mul, ReduceSum, ReduceMean).
 */
export function crossEntropy(logits: Tensor, labels: Tensor, labelSmoothing = 0): Tensor {
  if (labelSmoothing === 0) return softmaxCrossEntropyLoss(logits, labels, { name: "ce" })[0];
  const g = logits.graph;
  const k = logits.dim(1);
  const on = 1 - labelSmoothing + labelSmoothing / k;
  const off = labelSmoothing / k;
  const target = g.add1("OneHot", [
    labels,
    g.ints([k], "depth"),
    g.constant(tensor(logits.dtype, [2], [off, on]), "smooth_values"),
  ], { axis: attr.int(1) });
  const perSample = reduceSum(mul(target, logSoftmax(logits, 1)), [1], { keepDims: false });
  return neg(reduceMean(perSample, [], { keepDims: false }), { name: "ce" });
}

/**
 * Distillation loss: `T^2 * mean_n KL(softmax(teacher/T) || softmax(student/T))`. The teacher
 * logits are data (no gradient flows into them).
 */
export function klDistillation(student: Tensor, teacher: Tensor, temperature: number): Tensor {
  const logP = logSoftmax(div(teacher, temperature), 1);
  const logQ = logSoftmax(div(student, temperature), 1);
  const kl = reduceSum(mul(exp(logP), sub(logP, logQ)), [1], { keepDims: false });
  return mul(reduceMean(kl, [], { keepDims: false }), temperature * temperature, { name: "kd" });
}

/** The loss of `spec` on `logits`; `teacher` is required for distillation. */
export function lossOf(spec: LossSpec, logits: Tensor, labels: Tensor, teacher?: Tensor): Tensor {
  const ce = crossEntropy(logits, labels, spec.labelSmoothing ?? 0);
  if (spec.kind === "cross-entropy") return ce;
  if (teacher === undefined) throw new TypeError("distillation loss needs teacher logits");
  const kd = klDistillation(logits, teacher, spec.temperature);
  return add(mul(kd, spec.alpha), mul(ce, 1 - spec.alpha), { name: "distill_loss" });
}

/** Number of samples whose top-1 class equals the label, as a float32 scalar. */
export function correctCount(logits: Tensor, labels: Tensor): Tensor {
  const hit = equal(argMax(logits, 1, { keepDims: false }), labels);
  return reduceSum(cast(hit, "float32"), [], { keepDims: false, name: "correct" });
}
