/**
 * The masked forward pass of the whole supernet: every conv runs at FULL size on the store's
 * full tensors, and channels a configuration does not keep are zeroed by masks, instead of
 * being sliced away. It is the oracle the materialized (sliced, folded) subnet is checked
 * against: both must give the same logits.
 *
 * Per operator (`m[a, b)` is a mask keeping channels a..b-1, BN uses unfolded
 * BatchNormalization nodes, stats padded with mean 0 / variance 1 where a channel is masked):
 * - conv: `m[0,cout) relu(bn(conv(x, W)))`;
 * - dw: the depthwise conv on all input channels, masked to `[0,cin)`, then the pointwise conv;
 * - fire: squeeze masked to `[0,q)`, `expand1` masked to `[0,e1)` and `expandk` to `[0,ek)`,
 *   interleaved (the store holds `ceil(C/2)` and `floor(C/2)` rows, C the full width);
 * - low-rank: one conv with the rank-r reconstruction `U_r S_r V_r^T` of the zero-masked full
 *   weight (the SVD of a zero-padded matrix is the padded SVD of the slice);
 * - skip: identity; residual blocks add their input.
 *
 * @module
 */
import { GraphBuilder, type Tensor } from "../onnx/graph.ts";
import { add, mul, relu } from "../onnx/ops/math.ts";
import { batchNormalization, conv, gemm, globalAveragePool } from "../onnx/ops/nn.ts";
import { flatten } from "../onnx/ops/shape.ts";
import type { GraphData } from "../onnx/types.ts";
import { spatialDims } from "./arch.ts";
import { interleaveChannels } from "./emit.ts";
import type { BnStats } from "./materialize.ts";
import { planSubnet } from "./plan.ts";
import type { SearchSpace, SubnetConfig } from "./space.ts";
import { svd } from "./svd.ts";
import { BN_EPSILON, storeTensor, type WeightStore } from "./weights.ts";

/**
 * The masked supernet graph of `config` (input `input`, output `logits`), for the float64
 * reference interpreter.
 *
 * @example
 * ```ts
 * import { maskedSupernetGraph } from "./masked.ts";
 * import { createWeightStore } from "./weights.ts";
 * import { createSearchSpace, largestConfig } from "./mod.ts";
 * import { loadTaskConfig } from "../config/task.ts";
 * const space = createSearchSpace((await loadTaskConfig("mnist")).config);
 * const store = createWeightStore(space, { inputChannels: 1, numClasses: 10 }, 0);
 * const g = maskedSupernetGraph(store, space, largestConfig(space), { inputShape: [1, 28, 28] });
 * console.assert(g.outputs[0].name === "logits");
 * ```
 */
export function maskedSupernetGraph(
  store: WeightStore,
  space: SearchSpace,
  config: SubnetConfig,
  opts: { readonly inputShape: readonly number[]; readonly bnStats?: BnStats },
): GraphData {
  const plan = planSubnet(space, config, store.shape);
  const dims = spatialDims(space.kind);
  const g = new GraphBuilder("masked-supernet");
  const full = (name: string) => {
    const t = storeTensor(store, name);
    return g.param(name, { dtype: "float32", shape: t.shape, data: t.data });
  };
  const channelShape = (c: number) => [1, c, ...Array<number>(dims).fill(1)];
  const mask = (x: Tensor, from: number, to: number, name: string) => {
    const c = x.dim(1), m = new Float32Array(c);
    m.fill(1, from, to);
    return mul(x, g.param(name, { dtype: "float32", shape: channelShape(c), data: m }));
  };
  /** BN (inference, padded stats) + ReLU + mask on the full output `y`. */
  const bnReluMask = (y: Tensor, bn: string, rows: readonly [number, number]) => {
    const c = y.dim(1), mean = new Float32Array(c), variance = new Float32Array(c).fill(1);
    const s = opts.bnStats?.get(bn);
    if (s) {
      mean.set(s.mean, rows[0]);
      variance.set(s.variance, rows[0]);
    }
    const p = (suffix: string, data: Float32Array) =>
      g.param(`${bn}.${suffix}`, { dtype: "float32", shape: [c], data });
    const z = batchNormalization(y, {
      scale: full(`${bn}.gamma`),
      bias: full(`${bn}.beta`),
      mean: p("mean", mean),
      variance: p("var", variance),
    }, { epsilon: BN_EPSILON });
    return mask(relu(z), rows[0], rows[1], `${bn}.mask`);
  };
  const convFull = (x: Tensor, w: Tensor, k: number, s: number, group = 1) => {
    const p = Math.floor(k / 2);
    return conv(x, w, undefined, {
      pads: Array<number>(2 * dims).fill(p),
      strides: Array<number>(dims).fill(s),
      ...(group > 1 ? { group } : {}),
    });
  };
  /** The rank-r reconstruction of the masked full conv weight of block `i`. */
  const lowRankWeight = (i: number, cin: number, cout: number, rank: number) => {
    const t = storeTensor(store, `b${i}.conv.w`);
    const [rows, width] = t.shape, inner = t.data.length / (rows * width);
    const cols = width * inner, m = new Float64Array(rows * cols);
    for (let r = 0; r < cout; r++) {
      for (let j = 0; j < cin * inner; j++) m[r * cols + j] = t.data[r * cols + j];
    }
    const d = svd(m, rows, cols);
    const w = new Float32Array(rows * cols);
    for (let k = 0; k < rank; k++) {
      for (let r = 0; r < rows; r++) {
        const a = d.s[k] * d.u[k][r];
        for (let j = 0; j < cols; j++) w[r * cols + j] += a * d.v[k][j];
      }
    }
    return g.param(`b${i}.lr.w`, { dtype: "float32", shape: t.shape, data: w });
  };

  const input = g.input("input", "float32", ["N", ...opts.inputShape]);
  const stem = plan.net.stem;
  let x = bnReluMask(
    convFull(input, full("stem.w"), stem.kernel, stem.stride),
    "stem.bn",
    [0, stem.channels],
  );
  for (const b of plan.net.blocks) {
    const p = `b${b.index}`, k = b.kernel, s = b.stride;
    let y: Tensor;
    switch (b.op) {
      case "skip":
        continue;
      case "conv":
        y = bnReluMask(convFull(x, full(`${p}.conv.w`), k, s), `${p}.conv.bn`, [0, b.cout]);
        break;
      case "dw": {
        const groups = x.dim(1);
        const h = bnReluMask(convFull(x, full(`${p}.dw.w`), k, s, groups), `${p}.dw.bn`, [
          0,
          b.cin,
        ]);
        y = bnReluMask(convFull(h, full(`${p}.pw.w`), 1, 1), `${p}.pw.bn`, [0, b.cout]);
        break;
      }
      case "fire": {
        const q = b.squeeze!, e1 = Math.ceil(b.cout / 2);
        const sq = bnReluMask(convFull(x, full(`${p}.squeeze.w`), 1, 1), `${p}.squeeze.bn`, [0, q]);
        const a = bnReluMask(convFull(sq, full(`${p}.expand1.w`), 1, s), `${p}.expand1.bn`, [
          0,
          e1,
        ]);
        const c = bnReluMask(
          convFull(sq, full(`${p}.expandk.w`), k, s),
          `${p}.expandk.bn`,
          [0, b.cout - e1],
        );
        y = interleaveChannels(a, c, `${p}.interleave`);
        break;
      }
      case "lowRank":
        y = bnReluMask(
          convFull(x, lowRankWeight(b.index, b.cin, b.cout, b.rank!), k, s),
          `${p}.lr.bn`,
          [0, b.cout],
        );
        break;
    }
    x = b.residual ? add(x, y) : y;
  }
  const features = flatten(globalAveragePool(x));
  g.output(gemm(features, full("head.w"), full("head.b"), { transB: true }), "logits");
  return g.toGraph();
}
