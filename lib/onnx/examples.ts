/**
 * Two small reference CNNs on 3x32x32 inputs with seeded He-normal weights, used by the
 * runtime benchmark suite and tests (they are fixed workloads, not the task backbones):
 *
 * - {@link plainCnn}: 4 convs 32/32/64/64 (3x3, strides 1/2/1/2, bias, ReLU), global average
 *   pool, Gemm to 10 classes: 10.3 M MACs (20.6 MFLOP) per image;
 * - {@link separableCnn}: a 3x3 stem conv to 32, then 3 depthwise-separable blocks
 *   (depthwise 3x3 stride 2 + pointwise 1x1, ReLU after each) to 64/128/128, GAP, Gemm.
 *
 * @module
 */
import type { Rng } from "../util/rng.ts";
import { GraphBuilder, type Tensor } from "./graph.ts";
import { relu } from "./ops/math.ts";
import { conv, gemm, globalAveragePool } from "./ops/nn.ts";
import { flatten } from "./ops/shape.ts";
import type { ModelData } from "./types.ts";

function heNormal(rng: Rng, shape: number[], fanIn: number): Float32Array {
  const std = Math.sqrt(2 / fanIn);
  return Float32Array.from({ length: shape.reduce((p, d) => p * d, 1) }, () => rng.normal() * std);
}

function convBlock(
  g: GraphBuilder,
  rng: Rng,
  x: Tensor,
  name: string,
  out: number,
  k: number,
  stride: number,
  group = 1,
): Tensor {
  const cin = x.dim(1) / group;
  const wShape = [out, cin, k, k];
  const w = g.param(`${name}.w`, {
    dtype: "float32",
    shape: wShape,
    data: heNormal(rng, wShape, cin * k * k),
  });
  const b = g.param(`${name}.b`, { dtype: "float32", shape: [out], data: new Float32Array(out) });
  const p = (k - 1) >> 1;
  return relu(conv(x, w, b, { strides: [stride, stride], pads: [p, p, p, p], group, name }));
}

function head(g: GraphBuilder, rng: Rng, x: Tensor, classes: number): void {
  const c = x.dim(1);
  const w = g.param("fc.w", {
    dtype: "float32",
    shape: [classes, c],
    data: heNormal(rng, [classes, c], c),
  });
  const b = g.param("fc.b", {
    dtype: "float32",
    shape: [classes],
    data: new Float32Array(classes),
  });
  g.output(gemm(flatten(globalAveragePool(x)), w, b, { transB: true }), "logits");
}

/**
 * The plain 4-conv CNN with a symbolic batch dimension `N`.
 *
 * @example
 * ```ts
 * import { createRng } from "../util/rng.ts";
 * import { estimateCost } from "./flops.ts";
 * import { plainCnn } from "./examples.ts";
 * const m = plainCnn(createRng(0));
 * console.assert(Math.round(estimateCost(m.graph).macs / 1e5) === 103);
 * ```
 */
export function plainCnn(rng: Rng, classes = 10): ModelData {
  const g = new GraphBuilder("plain_cnn");
  let x = g.input("input", "float32", ["N", 3, 32, 32]);
  x = convBlock(g, rng, x, "conv1", 32, 3, 1);
  x = convBlock(g, rng, x, "conv2", 32, 3, 2);
  x = convBlock(g, rng, x, "conv3", 64, 3, 1);
  x = convBlock(g, rng, x, "conv4", 64, 3, 2);
  head(g, rng, x, classes);
  return g.toModel({ docString: "adaspring reference workload: 4-conv CNN 32/32/64/64" });
}

/** The depthwise-separable CNN with a symbolic batch dimension `N`. */
export function separableCnn(rng: Rng, classes = 10): ModelData {
  const g = new GraphBuilder("separable_cnn");
  let x = g.input("input", "float32", ["N", 3, 32, 32]);
  x = convBlock(g, rng, x, "stem", 32, 3, 1);
  for (const [i, out] of [64, 128, 128].entries()) {
    const c = x.dim(1);
    x = convBlock(g, rng, x, `block${i + 1}.dw`, c, 3, 2, c);
    x = convBlock(g, rng, x, `block${i + 1}.pw`, out, 1, 1);
  }
  head(g, rng, x, classes);
  return g.toModel({ docString: "adaspring reference workload: depthwise-separable CNN" });
}
