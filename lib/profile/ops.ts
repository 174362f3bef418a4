/**
 * The op-level breakdown of a configuration that the latency model needs: per part (stem,
 * blocks, head), every kernel the exported inference graph runs, with its op kind, FLOPs and the
 * bytes it moves. `subnetCost` (lib/supernet/cost.ts) gives per-part totals; this module splits a
 * part into kernels because a depthwise and a pointwise conv run at very different speeds.
 *
 * Conventions (follow the exported inference graph; see cost.ts for shapes and padding):
 *
 * - op kinds: `conv` (dense k x k, k > 1), `depthwise` (groups = channels), `pointwise` (dense
 *   1 x 1, incl. the low-rank second factor), `gemm` (the classifier), `elementwise` (residual
 *   add, global average pooling, and int8 weight dequantization). ReLU is fused into the conv
 *   by ONNX Runtime, so it costs nothing here.
 * - FLOPs = 2 x MACs for convs and the classifier, one per output element for an add, one per
 *   input element for pooling and per weight for dequantization.
 * - bytes = float32 input and output activations + the weights as stored (1 byte each under
 *   int8, 4 otherwise) + float32 biases.
 *
 * @module
 */
import { type ConvLayer, convWeights, resolveSubnet, spatialDims } from "../supernet/arch.ts";
import { convOutSize, type CostInput } from "../supernet/cost.ts";
import type { SearchSpace, SubnetConfig } from "../supernet/space.ts";
import type { OP_KINDS } from "../config/platform.ts";

/** An op kind whose throughput a platform states. */
export type OpKind = typeof OP_KINDS[number];

/** One kernel of the inference graph. */
export interface OpCost {
  readonly kind: OpKind;
  readonly flops: number;
  readonly bytes: number;
}

/** The kernels of one part (`stem`, `b0`, ..., `head`). */
export interface PartOps {
  readonly name: string;
  readonly ops: readonly OpCost[];
}

const F32 = 4;
const prod = (xs: readonly number[]) => xs.reduce((a, b) => a * b, 1);

function convKind(layer: ConvLayer): OpKind {
  if (layer.groups > 1 && layer.groups === layer.cin) return "depthwise";
  return layer.kernel === 1 ? "pointwise" : "conv";
}

function convOps(
  layer: ConvLayer,
  dims: number,
  inSpatial: readonly number[],
  int8: boolean,
): { ops: OpCost[]; outSpatial: number[] } {
  const outSpatial = inSpatial.map((n) => convOutSize(n, layer.kernel, layer.stride));
  const weights = convWeights(layer, dims);
  const biases = layer.bnRelu ? layer.cout : 0;
  const inBytes = F32 * layer.cin * prod(inSpatial);
  const outBytes = F32 * layer.cout * prod(outSpatial);
  const ops: OpCost[] = [{
    kind: convKind(layer),
    flops: 2 * weights * prod(outSpatial),
    bytes: inBytes + outBytes + (int8 ? 1 : F32) * weights + F32 * biases,
  }];
  // Weight-only int8 exports a DequantizeLinear per weight tensor, run on every inference.
  if (int8) ops.push({ kind: "elementwise", flops: weights, bytes: (1 + F32) * weights });
  return { ops, outSpatial };
}

/**
 * The kernels of every part of a configuration, in network order.
 *
 * @example
 * ```ts
 * import { createSearchSpace, largestConfig } from "../supernet/mod.ts";
 * import { loadTaskConfig } from "../config/task.ts";
 * import { partOps } from "./ops.ts";
 * const space = createSearchSpace((await loadTaskConfig("mnist")).config);
 * const parts = partOps(space, largestConfig(space), { inputShape: [1, 28, 28], numClasses: 10 });
 * console.assert(parts[0].name === "stem" && parts.at(-1)?.name === "head");
 * ```
 */
export function partOps(space: SearchSpace, config: SubnetConfig, input: CostInput): PartOps[] {
  const net = resolveSubnet(space, config);
  const dims = spatialDims(space.kind);
  const [inChannels, ...inSpatial] = input.inputShape;
  const stemLayer: ConvLayer = {
    name: "stem",
    cin: inChannels,
    cout: net.stem.channels,
    kernel: net.stem.kernel,
    stride: net.stem.stride,
    groups: 1,
    bnRelu: true,
  };
  const stem = convOps(stemLayer, dims, inSpatial, net.int8);
  const parts: PartOps[] = [{ name: "stem", ops: stem.ops }];
  let spatial = stem.outSpatial;
  for (const block of net.blocks) {
    const ops: OpCost[] = [];
    const blockSpatial = spatial;
    for (const stage of block.stages) {
      let next = spatial;
      for (const layer of stage) {
        const c = convOps(layer, dims, spatial, net.int8);
        ops.push(...c.ops);
        next = c.outSpatial;
      }
      spatial = next;
    }
    if (block.residual && block.stages.length > 0) {
      const elems = block.cout * prod(blockSpatial);
      ops.push({ kind: "elementwise", flops: elems, bytes: 3 * F32 * elems });
    }
    parts.push({ name: `b${block.index}`, ops });
  }
  const features = net.features, n = input.numClasses;
  const pooled = features * prod(spatial);
  const head: OpCost[] = [
    { kind: "elementwise", flops: pooled, bytes: F32 * (pooled + features) },
    {
      kind: "gemm",
      flops: 2 * features * n,
      bytes: F32 * (features + n + n) + (net.int8 ? 1 : F32) * features * n,
    },
  ];
  if (net.int8) head.push({ kind: "elementwise", flops: features * n, bytes: 5 * features * n });
  parts.push({ name: "head", ops: head });
  return parts;
}
