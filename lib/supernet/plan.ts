/**
 * The slicing plan of a configuration: every conv of the resolved subnet (`arch.ts`) tied to
 * the store tensor and the rows/columns it is cut from, and to its BatchNorm.
 *
 * Slicing rules (see `weights.ts` for the store layout):
 * - a conv producing `cout` of a block's channels keeps rows `[0, cout)`, and reads the first
 *   `cin` input channels (columns `[0, cin)`);
 * - fire: the squeeze keeps rows `[0, q)`; `expand1` rows `[0, e1)` and `expandk` rows
 *   `[0, ek)`, interleaved into block channels (row `i` of `expand1` is channel `2i`, of
 *   `expandk` channel `2i + 1`, at every width);
 * - depthwise: rows `[0, cin)` of `dw.w` (`[cin, 1, k...]`), one group per channel;
 * - low-rank: both factors come from the `conv.w` slice `[0, cout) x [0, cin)` by SVD.
 *
 * @module
 */
import { type ConvLayer, type ResolvedSubnet, resolveSubnet, spatialDims } from "./arch.ts";
import type { StoreSlice } from "./slice.ts";
import type { BlockOp, SearchSpace, SubnetConfig } from "./space.ts";

/** One conv of a subnet and where its weights come from. */
export interface PlanConv {
  /** Unique name in the subnet: `stem`, `b2.dw`, `b3.expandk`, `b4.lr.u`, ... */
  readonly name: string;
  readonly cin: number;
  readonly cout: number;
  readonly kernel: number;
  readonly stride: number;
  readonly groups: number;
  /** The weight slice (for low-rank factors, the conv slice they are derived from). */
  readonly weight: StoreSlice;
  /** BN prefix in the store (`b2.dw.bn`), or `null` for the first low-rank factor. */
  readonly bn: string | null;
  /** Output channels of the BN slice in the store: rows of `${bn}.gamma`. */
  readonly bnRows: readonly [number, number];
}

/** One block of the plan. */
export interface PlanBlock {
  readonly index: number;
  readonly op: BlockOp;
  readonly residual: boolean;
  /** Stages as in `arch.ts`: convs of a stage read the same input, outputs concatenated. */
  readonly stages: readonly (readonly PlanConv[])[];
}

/** The full plan of a configuration. */
export interface SubnetPlan {
  readonly net: ResolvedSubnet;
  /** Spatial dims: 2 (conv2d) or 1 (conv1d). */
  readonly dims: number;
  readonly stem: PlanConv;
  readonly blocks: readonly PlanBlock[];
  /** Classifier: `head.w` rows all classes, columns `[0, features)`. */
  readonly head: { readonly weight: StoreSlice; readonly bias: StoreSlice };
  readonly numClasses: number;
}

function planConv(
  block: number,
  layer: ConvLayer,
  cin: number,
  cout: number,
  rank: number | null,
): PlanConv {
  const p = `b${block}`;
  const base = {
    name: `${p}.${layer.name}`,
    cin: layer.cin,
    cout: layer.cout,
    kernel: layer.kernel,
    stride: layer.stride,
    groups: layer.groups,
  };
  const slice = (tensor: string, rows: [number, number], cols: [number, number]): StoreSlice => ({
    tensor,
    rows,
    cols,
    derived: null,
  });
  switch (layer.name) {
    case "dw":
      return {
        ...base,
        weight: slice(`${p}.dw.w`, [0, layer.cin], [0, 1]),
        bn: `${p}.dw.bn`,
        bnRows: [0, layer.cin],
      };
    case "lr.u":
    case "lr.v": {
      const conv = slice(`${p}.conv.w`, [0, cout], [0, cin]);
      return {
        ...base,
        weight: {
          ...conv,
          derived: { kind: layer.name === "lr.u" ? "svd-u" : "svd-v", rank: rank! },
        },
        bn: layer.name === "lr.v" ? `${p}.lr.bn` : null,
        bnRows: [0, layer.cout],
      };
    }
    // conv, pw, squeeze, expand1, expandk (fire's expands interleave rows [0, e) of each)
    default:
      return {
        ...base,
        weight: slice(`${p}.${layer.name}.w`, [0, layer.cout], [0, layer.cin]),
        bn: `${p}.${layer.name}.bn`,
        bnRows: [0, layer.cout],
      };
  }
}

/**
 * The slicing plan of `config`.
 *
 * @example
 * ```ts
 * import { planSubnet } from "./plan.ts";
 * import { createSearchSpace, parseConfigId } from "./mod.ts";
 * import { loadTaskConfig } from "../config/task.ts";
 * const space = createSearchSpace((await loadTaskConfig("mnist")).config);
 * const cfg = parseConfigId(space, "b0:conv-w.5|b1:skip|b2:dw-w.5|b3:fire|b4:lr.25-w.5");
 * const plan = planSubnet(space, cfg, { inputChannels: 1, numClasses: 10 });
 * console.assert(plan.blocks[0].stages[0][0].weight.rows[1] === 16);
 * ```
 */
export function planSubnet(
  space: SearchSpace,
  config: SubnetConfig,
  io: { readonly inputChannels: number; readonly numClasses: number },
): SubnetPlan {
  const net = resolveSubnet(space, config);
  const s = net.stem;
  const stem: PlanConv = {
    name: "stem",
    cin: io.inputChannels,
    cout: s.channels,
    kernel: s.kernel,
    stride: s.stride,
    groups: 1,
    weight: { tensor: "stem.w", rows: [0, s.channels], cols: [0, io.inputChannels], derived: null },
    bn: "stem.bn",
    bnRows: [0, s.channels],
  };
  const blocks = net.blocks.map((b): PlanBlock => ({
    index: b.index,
    op: b.op,
    residual: b.residual,
    stages: b.stages.map((stage) => stage.map((l) => planConv(b.index, l, b.cin, b.cout, b.rank))),
  }));
  return {
    net,
    dims: spatialDims(space.kind),
    stem,
    blocks,
    head: {
      weight: {
        tensor: "head.w",
        rows: [0, io.numClasses],
        cols: [0, net.features],
        derived: null,
      },
      bias: { tensor: "head.b", rows: [0, io.numClasses], cols: null, derived: null },
    },
    numClasses: io.numClasses,
  };
}
