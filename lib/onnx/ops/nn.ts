/**
 * Typed helpers for the neural-network ops (opset 17). Each takes handles and plain options
 * and returns output handles; they are thin wrappers over {@link GraphBuilder.add}.
 *
 * @example
 * ```ts
 * import { GraphBuilder } from "../graph.ts";
 * import { conv, globalAveragePool } from "./nn.ts";
 * const g = new GraphBuilder();
 * const x = g.input("x", "float32", [1, 3, 8, 8]);
 * const w = g.param("w", { dtype: "float32", shape: [4, 3, 3, 3], data: new Float32Array(108) });
 * const y = globalAveragePool(conv(x, w, undefined, { pads: [1, 1, 1, 1] }));
 * console.assert(y.shape.join() === "1,4,1,1");
 * ```
 *
 * @module
 */
import { attr, definedAttrs } from "../attr.ts";
import type { Tensor } from "../graph.ts";

/** Naming option shared by all helpers. */
export interface Named {
  /** Base name for the node and its outputs. */
  readonly name?: string;
}

/** Window options of Conv/ConvTranspose/pools, one entry per spatial dim (pads: begins then ends). */
export interface WindowOptions extends Named {
  readonly strides?: readonly number[];
  readonly pads?: readonly number[];
  readonly dilations?: readonly number[];
  readonly autoPad?: "NOTSET" | "SAME_UPPER" | "SAME_LOWER" | "VALID";
}

/** Options of {@link conv} and {@link convTranspose}. */
export interface ConvOptions extends WindowOptions {
  /** Channel groups; `group = C` is a depthwise convolution. */
  readonly group?: number;
}

function windowAttrs(o: WindowOptions) {
  return {
    strides: o.strides && attr.ints(o.strides),
    pads: o.pads && attr.ints(o.pads),
    dilations: o.dilations && attr.ints(o.dilations),
    auto_pad: o.autoPad && attr.string(o.autoPad),
  };
}

/** Conv: `x` [N,C,...spatial], `w` [M, C/group, ...kernel], optional bias `b` [M]. 1-D and 2-D. */
export function conv(x: Tensor, w: Tensor, b?: Tensor, o: ConvOptions = {}): Tensor {
  const attrs = definedAttrs({
    ...windowAttrs(o),
    group: o.group === undefined ? undefined : attr.int(o.group),
    kernel_shape: attr.ints(w.shape.slice(2).map((_, i) => w.dim(i + 2))),
  });
  return x.graph.add1("Conv", b ? [x, w, b] : [x, w], attrs, { name: o.name });
}

/** ConvTranspose: `w` is [C, M/group, ...kernel]. */
export function convTranspose(
  x: Tensor,
  w: Tensor,
  b?: Tensor,
  o: ConvOptions & { readonly outputPadding?: readonly number[] } = {},
): Tensor {
  const attrs = definedAttrs({
    ...windowAttrs(o),
    group: o.group === undefined ? undefined : attr.int(o.group),
    output_padding: o.outputPadding && attr.ints(o.outputPadding),
    kernel_shape: attr.ints(w.shape.slice(2).map((_, i) => w.dim(i + 2))),
  });
  return x.graph.add1("ConvTranspose", b ? [x, w, b] : [x, w], attrs, { name: o.name });
}

/** Options of the pooling helpers. */
export interface PoolOptions extends WindowOptions {
  readonly kernel: readonly number[];
  readonly ceilMode?: boolean;
}

/** MaxPool; with `withIndices`, also the flat argmax indices (int64) a backward pass needs. */
export function maxPool(x: Tensor, o: PoolOptions & { withIndices: true }): [Tensor, Tensor];
export function maxPool(x: Tensor, o: PoolOptions & { withIndices?: false }): Tensor;
export function maxPool(
  x: Tensor,
  o: PoolOptions & { withIndices?: boolean },
): Tensor | [Tensor, Tensor] {
  const attrs = definedAttrs({
    ...windowAttrs(o),
    kernel_shape: attr.ints(o.kernel),
    ceil_mode: o.ceilMode ? attr.int(1) : undefined,
  });
  const outs = x.graph.add("MaxPool", [x], attrs, {
    name: o.name,
    outputs: o.withIndices ? 2 : 1,
  });
  return o.withIndices ? [outs[0], outs[1]] : outs[0];
}

/** AveragePool (`countIncludePad` defaults to false, as in ONNX). */
export function averagePool(
  x: Tensor,
  o: PoolOptions & { readonly countIncludePad?: boolean },
): Tensor {
  const attrs = definedAttrs({
    ...windowAttrs(o),
    kernel_shape: attr.ints(o.kernel),
    ceil_mode: o.ceilMode ? attr.int(1) : undefined,
    count_include_pad: o.countIncludePad ? attr.int(1) : undefined,
  });
  return x.graph.add1("AveragePool", [x], attrs, { name: o.name });
}

/** GlobalAveragePool: [N,C,...] -> [N,C,1,...]. */
export function globalAveragePool(x: Tensor, o: Named = {}): Tensor {
  return x.graph.add1("GlobalAveragePool", [x], {}, { name: o.name });
}

/** Parameters of {@link batchNormalization}: per-channel scale, bias, mean, variance. */
export interface BatchNormParams {
  readonly scale: Tensor;
  readonly bias: Tensor;
  readonly mean: Tensor;
  readonly variance: Tensor;
}

/** Options of {@link batchNormalization}. */
export interface BatchNormOptions extends Named {
  readonly epsilon?: number;
  readonly momentum?: number;
}

/** BatchNormalization in inference mode (uses the given statistics). */
export function batchNormalization(
  x: Tensor,
  p: BatchNormParams,
  o: BatchNormOptions = {},
): Tensor {
  return x.graph.add1("BatchNormalization", [x, p.scale, p.bias, p.mean, p.variance], bnAttrs(o), {
    name: o.name,
  });
}

/**
 * BatchNormalization with `training_mode=1`: normalizes with batch statistics and returns
 * `[y, runningMean, runningVar]`, the updated running statistics
 * (`running = momentum * running + (1 - momentum) * batch`).
 */
export function batchNormalizationTraining(
  x: Tensor,
  p: BatchNormParams,
  o: BatchNormOptions = {},
): [Tensor, Tensor, Tensor] {
  const attrs = { ...bnAttrs(o), training_mode: attr.int(1) };
  const [y, m, v] = x.graph.add(
    "BatchNormalization",
    [x, p.scale, p.bias, p.mean, p.variance],
    attrs,
    {
      name: o.name,
      outputs: 3,
    },
  );
  return [y, m, v];
}

function bnAttrs(o: BatchNormOptions) {
  return definedAttrs({
    epsilon: o.epsilon === undefined ? undefined : attr.float(o.epsilon),
    momentum: o.momentum === undefined ? undefined : attr.float(o.momentum),
  });
}

/** Options of {@link gemm}. */
export interface GemmOptions extends Named {
  readonly transA?: boolean;
  readonly transB?: boolean;
  readonly alpha?: number;
  readonly beta?: number;
}

/** Gemm: `alpha * A' B' + beta * C` with 2-D A and B. */
export function gemm(a: Tensor, b: Tensor, c?: Tensor, o: GemmOptions = {}): Tensor {
  const attrs = definedAttrs({
    transA: o.transA ? attr.int(1) : undefined,
    transB: o.transB ? attr.int(1) : undefined,
    alpha: o.alpha === undefined ? undefined : attr.float(o.alpha),
    beta: o.beta === undefined ? undefined : attr.float(o.beta),
  });
  return a.graph.add1("Gemm", c ? [a, b, c] : [a, b], attrs, { name: o.name });
}

/** MatMul with numpy semantics (batched, broadcasting). */
export function matMul(a: Tensor, b: Tensor, o: Named = {}): Tensor {
  return a.graph.add1("MatMul", [a, b], {}, { name: o.name });
}

/** Options of {@link softmaxCrossEntropyLoss}. */
export interface LossOptions extends Named {
  readonly reduction?: "mean" | "sum" | "none";
  readonly ignoreIndex?: number;
}

/**
 * SoftmaxCrossEntropyLoss over class axis 1: returns `[loss, logProb]` (`logProb` is the
 * log-softmax of `scores`, which a backward pass reuses).
 */
export function softmaxCrossEntropyLoss(
  scores: Tensor,
  labels: Tensor,
  o: LossOptions = {},
): [Tensor, Tensor] {
  const attrs = definedAttrs({
    reduction: o.reduction && attr.string(o.reduction),
    ignore_index: o.ignoreIndex === undefined ? undefined : attr.int(o.ignoreIndex),
  });
  const [loss, logProb] = scores.graph.add("SoftmaxCrossEntropyLoss", [scores, labels], attrs, {
    name: o.name,
    outputs: 2,
  });
  return [loss, logProb];
}
