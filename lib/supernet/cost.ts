/**
 * Static cost of a configuration: parameters, weight bytes, MACs/FLOPs and peak activation
 * memory, computed from shapes alone (no weights, no runtime).
 *
 * Conventions (the numbers describe the exported inference model):
 *
 * - Shapes are `[C, H, W]` (conv2d) or `[C, L]` (conv1d), batch 1. Every conv pads
 *   `floor(k / 2)` on each side ("same" for odd kernels), so a spatial size `n` becomes
 *   `floor((n + 2 * floor(k / 2) - k) / s) + 1`.
 * - The network is stem conv, blocks (see `arch.ts`), global average pooling, linear classifier
 *   to `numClasses` (with bias).
 * - BatchNorm is folded into its conv at export: each conv followed by BN contributes its
 *   weights plus one bias per output channel (the first low-rank factor has neither BN nor bias).
 * - **params**: weights + biases. **weightBytesFloat32**: 4 bytes each. **weightBytesInt8**:
 *   symmetric per-output-channel int8 weights (1 byte each, zero points omitted) plus one float32
 *   scale per output channel, biases kept float32. **weightBytes** follows the config's flag.
 * - **macs**: multiply-accumulates of convs and the classifier (a conv's weights times its
 *   output positions); **flops** = 2 x MACs. ReLU, residual adds and pooling are not counted.
 * - **peakActivationBytes**: the most float32 activation bytes live at once (activations stay
 *   float32 under weight-only int8). A step holds its input and its output; inside a residual
 *   block the block input stays live until the add; the two fire expands' outputs are
 *   counted once, as the block output they are interleaved into (the interleave's copy is
 *   not counted).
 *
 * @module
 */
import { badInput } from "../errors.ts";
import { type ConvLayer, convWeights, resolveSubnet, spatialDims } from "./arch.ts";
import type { SearchSpace, SubnetConfig } from "./space.ts";

/** What the cost needs to know about the task's data. */
export interface CostInput {
  /** One sample's shape: `[C, H, W]` for conv2d, `[C, L]` for conv1d. */
  readonly inputShape: readonly number[];
  readonly numClasses: number;
}

/** Cost of one part of the network: the stem, a block, or the pooling + classifier head. */
export interface PartCost {
  /** `stem`, `b0`, `b1`, ..., `head`. */
  readonly name: string;
  /** The block's choice token (`dw-w.5`, `skip`), or the part name. */
  readonly choice: string;
  readonly inShape: readonly number[];
  readonly outShape: readonly number[];
  readonly params: number;
  readonly weightBytesFloat32: number;
  readonly weightBytesInt8: number;
  readonly macs: number;
  readonly peakActivationBytes: number;
}

/** Cost of a whole configuration. */
export interface SubnetCost {
  readonly params: number;
  /** Bytes of the weights as exported: int8 when the configuration says so, else float32. */
  readonly weightBytes: number;
  readonly weightBytesFloat32: number;
  readonly weightBytesInt8: number;
  readonly macs: number;
  readonly flops: number;
  readonly peakActivationBytes: number;
  /** Per part, in network order. */
  readonly parts: readonly PartCost[];
}

const FLOAT_BYTES = 4;

/** Output spatial size of a conv with 'same'-style padding `floor(k / 2)`. */
export function convOutSize(size: number, kernel: number, stride: number): number {
  return Math.floor((size + 2 * Math.floor(kernel / 2) - kernel) / stride) + 1;
}

const positions = (spatial: readonly number[]) => spatial.reduce((a, b) => a * b, 1);

interface LayerCost {
  params: number;
  float32: number;
  int8: number;
  macs: number;
  outSpatial: number[];
}

function layerCost(layer: ConvLayer, dims: number, inSpatial: readonly number[]): LayerCost {
  const weights = convWeights(layer, dims);
  const biases = layer.bnRelu ? layer.cout : 0;
  const outSpatial = inSpatial.map((n) => convOutSize(n, layer.kernel, layer.stride));
  return {
    params: weights + biases,
    float32: FLOAT_BYTES * (weights + biases),
    int8: weights + FLOAT_BYTES * (layer.cout + biases),
    macs: weights * positions(outSpatial),
    outSpatial,
  };
}

function checkInput(space: SearchSpace, input: CostInput): void {
  const want = spatialDims(space.kind) + 1;
  const shape = input.inputShape;
  if (shape.length !== want || !shape.every((n) => Number.isInteger(n) && n > 0)) {
    throw badInput(
      `task ${space.task}: input shape [${shape.join(", ")}] does not fit a ${space.kind} model; ` +
        `expected ${want} positive integers (${want === 3 ? "[C, H, W]" : "[C, L]"}).`,
    );
  }
  if (!Number.isInteger(input.numClasses) || input.numClasses < 1) {
    throw badInput(
      `task ${space.task}: numClasses must be a positive integer, got ${input.numClasses}.`,
    );
  }
}

/**
 * The static cost of a configuration for the task's input shape.
 *
 * @example
 * ```ts
 * import { createSearchSpace } from "./space.ts";
 * import { largestConfig, smallestConfig } from "./extremes.ts";
 * import { subnetCost } from "./cost.ts";
 * import { loadTaskConfig } from "../config/task.ts";
 * const space = createSearchSpace((await loadTaskConfig("mnist")).config);
 * const input = { inputShape: [1, 28, 28], numClasses: 10 };
 * const big = subnetCost(space, largestConfig(space), input);
 * const small = subnetCost(space, smallestConfig(space), input);
 * console.assert(small.macs < big.macs && small.weightBytes < big.weightBytes);
 * ```
 */
export function subnetCost(
  space: SearchSpace,
  config: SubnetConfig,
  input: CostInput,
): SubnetCost {
  checkInput(space, input);
  const net = resolveSubnet(space, config);
  const dims = spatialDims(space.kind);
  const parts: PartCost[] = [];

  const [inChannels, ...inSpatial] = input.inputShape;
  const stem = layerCost(
    {
      name: "stem",
      cin: inChannels,
      cout: net.stem.channels,
      kernel: net.stem.kernel,
      stride: net.stem.stride,
      groups: 1,
      bnRelu: true,
    },
    dims,
    inSpatial,
  );
  let shape = [net.stem.channels, ...stem.outSpatial];
  parts.push({
    name: "stem",
    choice: "stem",
    inShape: [...input.inputShape],
    outShape: shape,
    params: stem.params,
    weightBytesFloat32: stem.float32,
    weightBytesInt8: stem.int8,
    macs: stem.macs,
    peakActivationBytes: FLOAT_BYTES * (positions(input.inputShape) + positions(shape)),
  });

  for (const block of net.blocks) {
    const inShape = shape;
    const blockInput = positions(inShape);
    let spatial = inShape.slice(1);
    let current = blockInput;
    let params = 0, float32 = 0, int8 = 0, macs = 0, peak = 0;
    block.stages.forEach((stage, j) => {
      let outSpatial = spatial, outElems = 0;
      for (const layer of stage) {
        const c = layerCost(layer, dims, spatial);
        params += c.params;
        float32 += c.float32;
        int8 += c.int8;
        macs += c.macs;
        outSpatial = c.outSpatial;
        outElems += layer.cout * positions(c.outSpatial);
      }
      const held = block.residual && j > 0 ? blockInput : 0;
      peak = Math.max(peak, current + outElems + held);
      spatial = outSpatial;
      current = outElems;
    });
    shape = [block.cout, ...spatial];
    const choice = space.blocks[block.index].choices[config.choices[block.index]].token;
    parts.push({
      name: `b${block.index}`,
      choice,
      inShape,
      outShape: shape,
      params,
      weightBytesFloat32: float32,
      weightBytesInt8: int8,
      macs,
      peakActivationBytes: FLOAT_BYTES * peak,
    });
  }

  // Global average pooling, then the linear classifier on the first `features` channels.
  const features = net.features, n = input.numClasses;
  parts.push({
    name: "head",
    choice: "head",
    inShape: shape,
    outShape: [n],
    params: features * n + n,
    weightBytesFloat32: FLOAT_BYTES * (features * n + n),
    weightBytesInt8: features * n + FLOAT_BYTES * (n + n),
    macs: features * n,
    peakActivationBytes: FLOAT_BYTES * Math.max(positions(shape) + features, features + n),
  });

  const sum = (key: "params" | "weightBytesFloat32" | "weightBytesInt8" | "macs") =>
    parts.reduce((s, p) => s + p[key], 0);
  const weightBytesFloat32 = sum("weightBytesFloat32"), weightBytesInt8 = sum("weightBytesInt8");
  const macs = sum("macs");
  return {
    params: sum("params"),
    weightBytes: config.int8 ? weightBytesInt8 : weightBytesFloat32,
    weightBytesFloat32,
    weightBytesInt8,
    macs,
    flops: 2 * macs,
    peakActivationBytes: Math.max(...parts.map((p) => p.peakActivationBytes)),
    parts,
  };
}
