/**
 * Resolving a configuration to a concrete architecture: the channel counts and convolutions of
 * every block, as the cost model (and later the supernet slicer and ONNX exporter) see them.
 *
 * Each block is a list of **stages**; a stage is one or more convolutions that all read the
 * previous stage's output (the block input for the first stage) and whose outputs are
 * joined along channels (fire's two expands interleaved, see below). Per operator, with kernel `k`, stride `s`, input width `cin` and
 * output width `cout`:
 *
 * - `conv`: `[[k x k, cin -> cout, stride s]]`
 * - `dw`: `[[k x k depthwise on cin, stride s], [1 x 1, cin -> cout]]` (MobileNet)
 * - `fire`: `[[1 x 1 squeeze, cin -> q]], [[1 x 1, q -> e1, stride s], [k x k, q -> ek, stride s]]`
 *   with `q = max(1, round(squeeze * cout))`, `e1 = ceil(cout / 2)`, `ek = cout - e1`, their
 *   outputs **interleaved** (block channel `2i` is the 1 x 1 expand's channel `i`, `2i + 1` the
 *   k x k expand's), so every block channel has the same producer at every width (see
 *   `weights.ts`). The stride sits in the expands so the k x k expand sees the full-resolution
 *   squeezed map (a strided 1 x 1 squeeze would drop three quarters of the positions unseen).
 * - `lowRank` at fraction `f`: `[[k x k, cin -> r, stride s]], [[1 x 1, r -> cout]]`, the SVD
 *   factors of the `cout x (cin * k^d)` weight matrix, `r = max(1, round(f * min(cout, cin * k^d)))`.
 *
 * Every conv is followed by BatchNorm and ReLU, except the first low-rank factor (a linear map:
 * the factorisation replaces one conv, whose BN and ReLU follow the second factor).
 *
 * @module
 */
import {
  assertConfig,
  type BlockOp,
  keptChannels,
  type SearchSpace,
  type SubnetConfig,
} from "./space.ts";

/** One convolution of a resolved network. */
export interface ConvLayer {
  /** Role within its block: `conv`, `dw`, `pw`, `squeeze`, `expand1`, `expandk`, `lr.u`, `lr.v`. */
  readonly name: string;
  readonly cin: number;
  readonly cout: number;
  readonly kernel: number;
  readonly stride: number;
  /** 1 for a dense conv, `cin` for a depthwise one. */
  readonly groups: number;
  /** Followed by BatchNorm (folded into a per-channel bias at export) and ReLU. */
  readonly bnRelu: boolean;
}

/** A block with concrete channel counts. */
export interface ResolvedBlock {
  readonly index: number;
  readonly op: BlockOp;
  readonly cin: number;
  readonly cout: number;
  readonly kernel: number;
  readonly stride: number;
  /** `y = x + f(x)`: optional blocks. */
  readonly residual: boolean;
  /** Low-rank rank `r`, or `null`. */
  readonly rank: number | null;
  /** Fire squeeze channels `q`, or `null`. */
  readonly squeeze: number | null;
  /** Stages (see the module doc); empty for a skipped block. */
  readonly stages: readonly (readonly ConvLayer[])[];
}

/** A configuration resolved to concrete layers. */
export interface ResolvedSubnet {
  readonly kind: "conv2d" | "conv1d";
  /** The stem conv, always full width (its input channels come from the input shape). */
  readonly stem: { readonly channels: number; readonly kernel: number; readonly stride: number };
  readonly blocks: readonly ResolvedBlock[];
  /** Channels entering global average pooling and the linear classifier. */
  readonly features: number;
  readonly int8: boolean;
}

/** Spatial dimensions of the task kind: 2 for conv2d, 1 for conv1d. */
export function spatialDims(kind: "conv2d" | "conv1d"): number {
  return kind === "conv2d" ? 2 : 1;
}

function conv(
  name: string,
  cin: number,
  cout: number,
  kernel: number,
  stride: number,
  opts: { groups?: number; bnRelu?: boolean } = {},
): ConvLayer {
  return { name, cin, cout, kernel, stride, groups: opts.groups ?? 1, bnRelu: opts.bnRelu ?? true };
}

/**
 * Resolve a configuration to concrete channel counts and convolutions.
 *
 * @example
 * ```ts
 * import { createSearchSpace } from "./space.ts";
 * import { largestConfig } from "./extremes.ts";
 * import { resolveSubnet } from "./arch.ts";
 * import { loadTaskConfig } from "../config/task.ts";
 * const space = createSearchSpace((await loadTaskConfig("mnist")).config);
 * const net = resolveSubnet(space, largestConfig(space));
 * console.assert(net.features === 128);
 * ```
 */
export function resolveSubnet(space: SearchSpace, config: SubnetConfig): ResolvedSubnet {
  assertConfig(space, config);
  const d = spatialDims(space.kind);
  let width = space.stem.channels;
  const blocks = space.blocks.map((b, index): ResolvedBlock => {
    const choice = b.choices[config.choices[index]];
    const cin = width;
    const cout = choice.width === null ? cin : keptChannels(b.channels, choice.width);
    width = cout;
    const { kernel: k, stride: s } = b;
    const base = { index, op: choice.op, cin, cout, kernel: k, stride: s, residual: b.residual };
    switch (choice.op) {
      case "skip":
        return { ...base, rank: null, squeeze: null, stages: [] };
      case "conv":
        return { ...base, rank: null, squeeze: null, stages: [[conv("conv", cin, cout, k, s)]] };
      case "dw":
        return {
          ...base,
          rank: null,
          squeeze: null,
          stages: [[conv("dw", cin, cin, k, s, { groups: cin })], [conv("pw", cin, cout, 1, 1)]],
        };
      case "fire": {
        const q = keptChannels(cout, space.fireSqueeze ?? 0);
        const e1 = Math.ceil(cout / 2);
        const expand = [conv("expand1", q, e1, 1, s)];
        // With one output channel there is nothing for the k x k expand to produce.
        if (cout > e1) expand.push(conv("expandk", q, cout - e1, k, s));
        return {
          ...base,
          rank: null,
          squeeze: q,
          stages: [[conv("squeeze", cin, q, 1, 1)], expand],
        };
      }
      case "lowRank": {
        const r = keptChannels(Math.min(cout, cin * k ** d), choice.rank ?? 1);
        return {
          ...base,
          rank: r,
          squeeze: null,
          stages: [[conv("lr.u", cin, r, k, s, { bnRelu: false })], [conv("lr.v", r, cout, 1, 1)]],
        };
      }
    }
  });
  return {
    kind: space.kind,
    stem: { ...space.stem },
    blocks,
    features: width,
    int8: config.int8,
  };
}

/**
 * Weights of one conv: `cout * (cin / groups) * kernel^d`, with `d` spatial dimensions
 * (biases not included).
 */
export function convWeights(layer: ConvLayer, dims: number): number {
  return layer.cout * (layer.cin / layer.groups) * layer.kernel ** dims;
}

/** Weights of every conv of a block (biases not included); 0 for a skipped block. */
export function blockWeights(block: ResolvedBlock, dims: number): number {
  return block.stages.flat().reduce((s, l) => s + convWeights(l, dims), 0);
}
