/**
 * Turns a forward (inference) graph into the two graphs training runs:
 *
 * - the **training graph**: inputs = parameters, BN running statistics, batch, labels (and
 *   teacher logits for distillation); outputs = loss, correct count, one gradient per
 *   parameter, and the updated BN running statistics. BatchNormalization runs in training
 *   mode, MaxPool keeps its argmax indices, Dropout draws a mask;
 * - the **eval graph**: the forward graph in inference mode with the same parameter and
 *   statistic inputs, plus loss, correct count and logits.
 *
 * The forward graph's contract: one data input `[N, ...]`, logits `[N, K]` as its first
 * output (or `logits`), weights and BN statistics as initializers.
 *
 * @example
 * ```ts
 * import { GraphBuilder } from "../onnx/graph.ts";
 * import { tensor } from "../onnx/dtype.ts";
 * import { gemm } from "../onnx/ops/nn.ts";
 * import { buildTrainingGraph } from "./training_graph.ts";
 * const g = new GraphBuilder("lin");
 * const x = g.input("x", "float32", ["N", 3]);
 * const w = g.param("w", tensor("float32", [2, 3], [1, 2, 3, 4, 5, 6]));
 * g.output(gemm(x, w, undefined, { transB: true }), "logits");
 * const t = buildTrainingGraph(g.toGraph(), { loss: { kind: "cross-entropy" }, batchSize: 4 });
 * console.assert(t.grads.w === "w__grad" && t.params[0] === "w");
 * ```
 *
 * @module
 */
import { attr, getInt } from "../onnx/attr.ts";
import { isFloat, tensor } from "../onnx/dtype.ts";
import { GraphBuilder } from "../onnx/graph.ts";
import type { GraphData, NamedTensor, NodeData, ValueInfo } from "../onnx/types.ts";
import { AdaspringError } from "../errors.ts";
import { gradients } from "./autodiff/mod.ts";
import { add, mul, reduceMean, sub } from "../onnx/ops/math.ts";
import { correctCount, lossOf, type LossSpec } from "./loss.ts";

/** Options of {@link buildTrainingGraph}. */
export interface TrainingGraphOptions {
  readonly loss: LossSpec;
  /** Initializers to train (default: {@link defaultParams}). */
  readonly params?: readonly string[];
  /**
   * Initializers fed as inputs under their own names but not trained (no gradient output), for
   * values that change between steps without being parameters (e.g. a projection matrix).
   */
  readonly constants?: readonly string[];
  /** Static batch size of the training graph (default: keep the forward's batch dim). */
  readonly batchSize?: number;
  /** Name of the forward output holding the logits (default: the first output). */
  readonly logits?: string;
  /**
   * Feature matching (training graphs only): for each entry, an input `<output>__target` shaped
   * like the forward tensor `output` and a term `weight * mean((output - target)^2)` added to
   * the loss. The targets are data (no gradient flows into them), e.g. a teacher's features.
   */
  readonly featureTargets?: readonly { readonly output: string; readonly weight: number }[];
}

/** Names of the inputs and outputs of a built training or eval graph. */
export interface TrainingGraph {
  readonly graph: GraphData;
  /** Trained parameters, fed as inputs under their own names. */
  readonly params: readonly string[];
  /** BN running statistics, fed as inputs under their own names. */
  readonly state: readonly string[];
  /** Untrained inputs fed under their own names ({@link TrainingGraphOptions.constants}). */
  readonly constants: readonly string[];
  /** Data, labels and (distillation) teacher-logit input names. */
  readonly data: string;
  readonly labels: string;
  readonly teacher?: string;
  /** Output names. */
  readonly loss: string;
  readonly correct: string;
  /** Training graph: gradient output per parameter. Eval graph: empty. */
  readonly grads: Readonly<Record<string, string>>;
  /** Training graph: updated running statistic per state input. Eval graph: empty. */
  readonly stateUpdates: Readonly<Record<string, string>>;
  /** Eval graph: logits output name. */
  readonly logits?: string;
  /** Training graph: the target input name of each feature-matched forward tensor. */
  readonly featureTargets?: Readonly<Record<string, string>>;
}

/** Running mean and variance inputs of every BatchNormalization node. */
export function bnStatistics(forward: GraphData): string[] {
  const out: string[] = [];
  for (const n of forward.nodes) {
    if (n.opType === "BatchNormalization") out.push(n.inputs[3], n.inputs[4]);
  }
  return out;
}

/**
 * The initializers worth training by default: float tensors of rank >= 1 that are not BN
 * running statistics (rank-0 floats are op constants such as Clip bounds).
 */
export function defaultParams(forward: GraphData): string[] {
  const stats = new Set(bnStatistics(forward));
  return forward.initializers
    .filter((t) => isFloat(t.dtype) && t.shape.length >= 1 && !stats.has(t.name))
    .map((t) => t.name);
}

interface Prepared {
  g: GraphBuilder;
  params: string[];
  state: string[];
  constants: string[];
  data: string;
  logits: string;
  updates: Record<string, string>;
}

function prepare(
  forward: GraphData,
  o: Omit<TrainingGraphOptions, "loss">,
  training: boolean,
): Prepared {
  const params = [...(o.params ?? defaultParams(forward))];
  const state = bnStatistics(forward);
  const constants = [...(o.constants ?? [])];
  const byName = new Map(forward.initializers.map((t) => [t.name, t]));
  for (const p of [...params, ...state, ...constants]) {
    if (!byName.has(p)) {
      throw new AdaspringError(`forward graph "${forward.name}" has no initializer "${p}"`);
    }
  }
  const fed = new Set([...params, ...state, ...constants]);
  const dataInputs = forward.inputs.filter((v) => !byName.has(v.name));
  if (dataInputs.length !== 1) {
    throw new AdaspringError(
      `forward graph "${forward.name}" must have exactly one data input, has ${dataInputs.length}`,
    );
  }
  const data = dataInputs[0];
  const shape = o.batchSize === undefined ? data.shape! : [o.batchSize, ...data.shape!.slice(1)];
  const extra: NamedTensor[] = [];
  const updates: Record<string, string> = {};
  const nodes = training
    ? forward.nodes.map((n) => trainingNode(n, updates, extra))
    : forward.nodes;
  const asInput = (t: NamedTensor): ValueInfo => ({ name: t.name, dtype: t.dtype, shape: t.shape });
  const g = GraphBuilder.from({
    name: `${forward.name}_${training ? "train" : "eval"}`,
    nodes,
    inputs: [{ ...data, shape }, ...[...fed].map((n) => asInput(byName.get(n)!))],
    outputs: [],
    initializers: [...forward.initializers.filter((t) => !fed.has(t.name)), ...extra],
    valueInfo: [],
  });
  const logits = o.logits ?? forward.outputs[0]?.name;
  if (logits === undefined || !g.has(logits)) {
    throw new AdaspringError(`forward graph "${forward.name}" has no logits output "${logits}"`);
  }
  return { g, params, state, constants, data: data.name, logits, updates };
}

/** The training-mode variant of a forward node (BN statistics, MaxPool indices, Dropout mask). */
function trainingNode(
  n: NodeData,
  updates: Record<string, string>,
  extra: NamedTensor[],
): NodeData {
  if (n.opType === "BatchNormalization" && getInt(n.attributes, "training_mode", 0) === 0) {
    const [mean, variance] = [n.inputs[3], n.inputs[4]];
    updates[mean] = `${mean}__next`;
    updates[variance] = `${variance}__next`;
    return {
      ...n,
      attributes: { ...n.attributes, training_mode: attr.int(1) },
      outputs: [n.outputs[0], updates[mean], updates[variance]],
    };
  }
  if (n.opType === "MaxPool" && !n.outputs[1]) {
    return { ...n, outputs: [n.outputs[0], `${n.outputs[0]}__indices`] };
  }
  if (n.opType === "Dropout" && !n.inputs[2]) {
    const ratio = `${n.name}__ratio`;
    const on = `${n.name}__training`;
    extra.push({ name: on, ...tensor("bool", [], [1]) });
    if (!n.inputs[1]) extra.push({ name: ratio, ...tensor("float32", [], [0.5]) });
    return {
      ...n,
      inputs: [n.inputs[0], n.inputs[1] || ratio, on],
      outputs: [n.outputs[0], `${n.outputs[0]}__mask`],
    };
  }
  return n;
}

function lossInputs(
  p: Prepared,
  spec: LossSpec,
  featureTargets: TrainingGraphOptions["featureTargets"] = [],
) {
  const { g } = p;
  const logits = g.tensor(p.logits);
  const batch = g.tensor(p.data).shape[0];
  const labels = g.input("labels", "int64", [batch]);
  const teacher = spec.kind === "distillation"
    ? g.input("teacher_logits", logits.dtype, logits.shape)
    : undefined;
  let total = lossOf(spec, logits, labels, teacher);
  const targets: Record<string, string> = {};
  for (const { output, weight } of featureTargets) {
    if (!g.has(output)) {
      throw new AdaspringError(`feature target: the forward graph has no tensor "${output}"`);
    }
    const y = g.tensor(output);
    const target = g.input(`${output}__target`, y.dtype, y.shape);
    const d = sub(y, target);
    total = add(total, mul(reduceMean(mul(d, d), [], { keepDims: false }), weight));
    targets[output] = target.name;
  }
  const loss = g.output(total, "loss");
  const correct = g.output(correctCount(logits, labels), "correct");
  return { logits, labels, teacher, loss, correct, targets };
}

/**
 * The training graph of `forward` (see the module doc). The batch size should be static
 * (`batchSize`) so that every backward reshape is a constant.
 */
export function buildTrainingGraph(forward: GraphData, o: TrainingGraphOptions): TrainingGraph {
  const p = prepare(forward, o, true);
  const { g } = p;
  const io = lossInputs(p, o.loss, o.featureTargets);
  const grads: Record<string, string> = {};
  for (const [name, grad] of gradients(g, io.loss, p.params)) {
    grads[name] = g.output(grad, `${name}__grad`).name;
  }
  for (const out of Object.values(p.updates)) g.output(g.tensor(out));
  return {
    graph: g.toGraph(),
    params: p.params,
    state: p.state,
    constants: p.constants,
    data: p.data,
    labels: io.labels.name,
    teacher: io.teacher?.name,
    loss: io.loss.name,
    correct: io.correct.name,
    grads,
    stateUpdates: p.updates,
    featureTargets: io.targets,
  };
}

/** The eval graph of `forward`: inference-mode forward, loss, correct count and logits. */
export function buildEvalGraph(forward: GraphData, o: TrainingGraphOptions): TrainingGraph {
  const p = prepare(forward, o, false);
  const io = lossInputs(p, { kind: "cross-entropy" });
  const logits = p.g.output(io.logits, "logits");
  return {
    graph: p.g.toGraph(),
    params: p.params,
    state: p.state,
    constants: p.constants,
    data: p.data,
    labels: io.labels.name,
    loss: io.loss.name,
    correct: io.correct.name,
    grads: {},
    stateUpdates: {},
    logits: logits.name,
  };
}
