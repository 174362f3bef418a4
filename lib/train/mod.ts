/**
 * Training through ONNX training artifacts (see docs/training-artifacts.md).
 *
 * - {@link gradients} and {@link RULES}: reverse-mode autodiff over builder graphs, one
 *   backward rule per op, emitting standard ONNX ops;
 * - {@link buildTrainingGraph} / {@link buildEvalGraph}: a forward graph's training graph
 *   (loss + one gradient per weight + BN running statistics) and eval graph;
 * - {@link checkGradients} / {@link checkTrainingGraph}: float64 finite-difference checks;
 * - {@link buildArtifacts} / {@link writeArtifacts}: `training_model.onnx`, `eval_model.onnx`;
 * - {@link createOptimizer}, {@link learningRate}: SGD-momentum / Adam and LR schedules;
 * - {@link writeCheckpoint} / {@link readCheckpoint}: versioned, checksummed checkpoints;
 * - {@link train}: the trainer (any forward graph); {@link buildBackbone}: a task's backbone.
 *
 * @example
 * ```ts
 * import { buildBackbone, buildTrainingGraph } from "./mod.ts";
 * const forward = buildBackbone({
 *   kind: "conv1d",
 *   stem: { channels: 4, kernel: 3, stride: 1 },
 *   blocks: [{ channels: 8, kernel: 3, stride: 2, optional: false }],
 *   dropout: 0,
 * }, [3, 32], 5, 0);
 * const t = buildTrainingGraph(forward, { loss: { kind: "cross-entropy" }, batchSize: 8 });
 * console.assert(Object.keys(t.grads).length === t.params.length);
 * ```
 *
 * @module
 */
export { describeRules, gradients, RULES } from "./autodiff/mod.ts";
export type { BackwardRule, InputGrads, RuleContext } from "./autodiff/mod.ts";
export * from "./training_graph.ts";
export * from "./loss.ts";
export * from "./gradcheck.ts";
export * from "./artifacts.ts";
export * from "./optimizer.ts";
export * from "./schedule.ts";
export * from "./checkpoint.ts";
export { createEngine, type StepEngine, type StepResult } from "./engine.ts";
export { evaluateSplit, type SplitResult } from "./evaluate.ts";
export * from "./trainer.ts";
export * from "./backbone.ts";
