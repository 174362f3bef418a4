/**
 * The task backbone as a forward (inference) graph: a stem conv, blocks of conv-BN-ReLU
 * (optional blocks are residual), global average pooling, dropout and a linear classifier;
 * 2-D for images and spectrograms, 1-D for signals. Weights are He-initialised from the seed.
 *
 * Parameter names are stable (`stem.conv.w`, `block2.bn.scale`, `fc.w`, ...) so that
 * checkpoints and later stages (supernet, export) can address them.
 *
 * @example
 * ```ts
 * import { buildBackbone } from "./backbone.ts";
 * const g = buildBackbone({
 *   kind: "conv2d",
 *   stem: { channels: 4, kernel: 3, stride: 1 },
 *   blocks: [{ channels: 8, kernel: 3, stride: 2, optional: false }],
 *   dropout: 0,
 * }, [1, 8, 8], 3, 0);
 * console.assert(g.outputs[0].name === "logits");
 * ```
 *
 * @module
 */
import { tensor } from "../onnx/dtype.ts";
import { GraphBuilder, type Tensor } from "../onnx/graph.ts";
import { add, relu } from "../onnx/ops/math.ts";
import { batchNormalization, conv, gemm, globalAveragePool } from "../onnx/ops/nn.ts";
import { flatten } from "../onnx/ops/shape.ts";
import type { GraphData } from "../onnx/types.ts";
import type { TaskConfig } from "../config/task.ts";
import { createRng, type Rng } from "../util/rng.ts";

/** The `model` section of a task config. */
export type BackboneSpec = TaskConfig["model"];

function normal(rng: Rng, shape: number[], std: number) {
  const n = shape.reduce((p, d) => p * d, 1);
  return tensor("float32", shape, Array.from({ length: n }, () => rng.normal() * std));
}

function filled(shape: number[], value: number) {
  return tensor("float32", shape, new Array(shape.reduce((p, d) => p * d, 1)).fill(value));
}

/** conv (no bias) -> BN -> ReLU, named `${name}.conv.w`, `${name}.bn.*`. */
function convBnRelu(
  x: Tensor,
  name: string,
  channels: number,
  kernel: number,
  stride: number,
  rng: Rng,
): Tensor {
  const g = x.graph;
  const dims = x.rank - 2;
  const cin = x.dim(1);
  const ks = new Array(dims).fill(kernel);
  const fanIn = cin * kernel ** dims;
  const w = g.param(`${name}.conv.w`, normal(rng, [channels, cin, ...ks], Math.sqrt(2 / fanIn)));
  const half = Math.floor(kernel / 2);
  const pads = [...new Array(dims).fill(half), ...new Array(dims).fill(kernel - 1 - half)];
  const y = conv(x, w, undefined, {
    strides: new Array(dims).fill(stride),
    pads,
    name: `${name}.conv`,
  });
  const bn = batchNormalization(y, {
    scale: g.param(`${name}.bn.scale`, filled([channels], 1)),
    bias: g.param(`${name}.bn.bias`, filled([channels], 0)),
    mean: g.param(`${name}.bn.mean`, filled([channels], 0)),
    variance: g.param(`${name}.bn.var`, filled([channels], 1)),
  }, { name: `${name}.bn` });
  return relu(bn, { name: `${name}.relu` });
}

/**
 * Builds the backbone for samples of `inputShape` (channels first, without the batch) and
 * `classes` outputs. The data input is `input` `[N, ...inputShape]`; the output is `logits`.
 */
export function buildBackbone(
  spec: BackboneSpec,
  inputShape: readonly number[],
  classes: number,
  seed: number,
): GraphData {
  const rng = createRng(seed).fork("backbone-init");
  const dims = spec.kind === "conv2d" ? 2 : 1;
  if (inputShape.length !== dims + 1) {
    throw new RangeError(
      `a ${spec.kind} backbone needs samples of rank ${
        dims + 1
      } (channels first), got [${inputShape}]`,
    );
  }
  const g = new GraphBuilder(`backbone_${spec.kind}`);
  let x = g.input("input", "float32", ["N", ...inputShape]);
  x = convBnRelu(x, "stem", spec.stem.channels, spec.stem.kernel, spec.stem.stride, rng);
  spec.blocks.forEach((b, i) => {
    const y = convBnRelu(x, `block${i + 1}`, b.channels, b.kernel, b.stride, rng);
    x = b.optional ? add(x, y, { name: `block${i + 1}.residual` }) : y;
  });
  let h = flatten(globalAveragePool(x, { name: "gap" }), 1, { name: "features" });
  if (spec.dropout > 0) {
    const ratio = g.scalar(spec.dropout, "float32", "dropout.ratio");
    h = g.add1("Dropout", [h, ratio], {}, { name: "dropout" });
  }
  const width = h.dim(1);
  const w = g.param("fc.w", normal(rng, [classes, width], Math.sqrt(1 / width)));
  const b = g.param("fc.b", filled([classes], 0));
  g.output(gemm(h, w, b, { transB: true, name: "fc" }), "logits");
  return g.toGraph();
}
