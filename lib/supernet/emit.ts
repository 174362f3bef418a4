/**
 * Emitting a subnet plan as an ONNX graph: the structure (stem, stages with joined outputs,
 * residual adds, pooling, classifier) is shared, and the caller decides how each conv
 * (with its BatchNorm and ReLU) is written: folded for inference, batch statistics for BN
 * recalibration.
 *
 * @module
 */
import { tensor } from "../onnx/dtype.ts";
import type { Tensor } from "../onnx/graph.ts";
import { add, div, mul, reduceMean, relu, sqrt, sub } from "../onnx/ops/math.ts";
import { conv, type ConvOptions, globalAveragePool } from "../onnx/ops/nn.ts";
import { concat, flatten, reshape, slice } from "../onnx/ops/shape.ts";
import type { SubnetWeights } from "./derive.ts";
import type { PlanConv, SubnetPlan } from "./plan.ts";
import { BN_EPSILON } from "./weights.ts";

/** Writes one conv (and its BN + ReLU where the plan has one), returns its output. */
export type ConvEmitter = (x: Tensor, conv: PlanConv) => Tensor;

/** Conv attributes of a plan conv: "same" padding `floor(k / 2)`, stride, groups. */
export function convOptions(c: PlanConv, dims: number): ConvOptions {
  const p = Math.floor(c.kernel / 2);
  return {
    name: c.name,
    pads: Array<number>(2 * dims).fill(p),
    strides: Array<number>(dims).fill(c.stride),
    ...(c.groups > 1 ? { group: c.groups } : {}),
  };
}

/** Conv `c` on `x`, its unfolded weight from `weights` a graph parameter, without bias. */
export function weightConv(x: Tensor, c: PlanConv, weights: SubnetWeights, dims: number): Tensor {
  const w = weights.tensors.get(`${c.name}.w`)!;
  const param = x.graph.param(`${c.name}.w`, { dtype: "float32", shape: w.shape, data: w.data });
  return conv(x, param, undefined, convOptions(c, dims));
}

/**
 * Conv `c`'s BatchNorm on `y`'s own batch statistics (training mode), gamma and beta from
 * `weights`, then ReLU: the forward BN recalibration measures. `mean` and `variance`
 * (`[1, C, 1...]`) are named `<bn>.mean` and `<bn>.var`.
 */
export function batchStatBnRelu(
  y: Tensor,
  c: PlanConv,
  weights: SubnetWeights,
  dims: number,
): { out: Tensor; mean: Tensor; variance: Tensor } {
  const axes = [0, ...Array.from({ length: dims }, (_, i) => i + 2)];
  const channel = (name: string) =>
    y.graph.param(
      name,
      tensor("float32", [1, c.cout, ...Array(dims).fill(1)], weights.tensors.get(name)!.data),
    );
  const mean = reduceMean(y, axes, { name: `${c.bn}.mean` });
  const centred = sub(y, mean);
  const variance = reduceMean(mul(centred, centred), axes, { name: `${c.bn}.var` });
  const normed = div(centred, sqrt(add(variance, BN_EPSILON)));
  const out = relu(add(mul(normed, channel(`${c.bn}.gamma`)), channel(`${c.bn}.beta`)));
  return { out, mean, variance };
}

/**
 * The channels of `a` and `b` interleaved: output channel `2i` is `a`'s channel `i`, `2i + 1`
 * is `b`'s; `a` may have one channel more, which goes last. This is how a fire block joins its
 * two expands, so that a block channel has the same producer at every width (the store rows of
 * both expands are block channels in this order).
 */
export function interleaveChannels(a: Tensor, b: Tensor, name: string): Tensor {
  const ca = a.dim(1) as number, cb = b.dim(1) as number;
  if (ca !== cb && ca !== cb + 1) {
    throw new RangeError(`interleave: ${ca} and ${cb} channels (the first may have one more)`);
  }
  const rest = a.shape.slice(2) as number[];
  // Every node is named under `name` (e.g. `b3.interleave.*`), so that it stays in its block
  // when a graph is cut into per-block parts (profile/host_source.ts).
  const head = ca > cb ? slice(a, [0], [cb], [1], undefined, { name: `${name}.head` }) : a;
  // [N, c, ...] -> [N, c, 1, ...], joined on the new axis, read back as [N, 2c, ...].
  const pairs = concat(
    [
      reshape(head, [0, cb, 1, ...rest], { name: `${name}.a` }),
      reshape(b, [0, cb, 1, ...rest], { name: `${name}.b` }),
    ],
    2,
    { name: `${name}.pairs` },
  );
  const joined = reshape(pairs, [0, 2 * cb, ...rest], {
    name: ca > cb ? `${name}.joined` : name,
  });
  if (ca === cb) return joined;
  const tail = slice(a, [cb], [ca], [1], undefined, { name: `${name}.tail` });
  return concat([joined, tail], 1, { name });
}

/**
 * Emits the backbone of `plan` on `input` and returns the pooled, flattened features
 * `[N, features]`; the caller adds the classifier. `onBlock` sees the output of every block
 * that is not skipped (after its residual add), e.g. to match it against a teacher's.
 */
export function emitBackbone(
  plan: SubnetPlan,
  input: Tensor,
  layer: ConvEmitter,
  onBlock?: (index: number, output: Tensor) => void,
): Tensor {
  let x = layer(input, plan.stem);
  for (const block of plan.blocks) {
    const blockIn = x;
    for (const stage of block.stages) {
      const outs = stage.map((c) => layer(x, c));
      x = outs.length > 1
        ? interleaveChannels(outs[0], outs[1], `b${block.index}.interleave`)
        : outs[0];
    }
    if (block.residual && block.stages.length > 0) {
      x = add(blockIn, x, { name: `b${block.index}.add` });
    }
    if (block.stages.length > 0) onBlock?.(block.index, x);
  }
  return flatten(globalAveragePool(x, { name: "gap" }), 1, { name: "features" });
}
