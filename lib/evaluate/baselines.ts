/**
 * The hand-crafted compression baselines of the evaluation, as configurations of the task's own
 * search space (so they are materialized, measured and predicted by the same code as the
 * supernet's subnets), each with its training recipe:
 *
 * | kind              | configuration                               | recipe                   |
 * | ----------------- | ------------------------------------------- | ------------------------ |
 * | `backbone`        | the largest (plain conv, width 1, all blocks) | trained from scratch   |
 * | `width-0.5`       | plain conv at width 0.5 (MobileNet's alpha) | trained from scratch     |
 * | `depthwise`       | depthwise-separable in every block (MobileNet) | trained from scratch  |
 * | `fire`            | fire modules in every block (SqueezeNet)    | trained from scratch     |
 * | `low-rank`        | low-rank at the largest offered rank        | SVD of the trained backbone, fine-tuned |
 * | `int8-ptq`        | the backbone, int8 weights                  | post-training quantization |
 * | `magnitude-prune` | the backbone, `sparsity` of weights zeroed   | masked fine-tuning of the backbone |
 *
 * The stem always runs at full width (the space's rule), so "everywhere" means every block.
 * A baseline whose operator the task's pool lacks is listed with the reason instead of a
 * configuration.
 *
 * @module
 */
import { largestConfig } from "../supernet/extremes.ts";
import type { BlockOp, SearchSpace, SubnetConfig } from "../supernet/space.ts";

/** The hand-crafted baselines, in report order. */
export const HAND_CRAFTED = [
  "backbone",
  "width-0.5",
  "depthwise",
  "fire",
  "low-rank",
  "int8-ptq",
  "magnitude-prune",
] as const;

/** One hand-crafted baseline kind. */
export type HandCraftedKind = typeof HAND_CRAFTED[number];

/** How a baseline's weights are obtained. */
export type Recipe = "scratch" | "finetune-backbone" | "post-training";

/** A baseline of one task. */
export interface BaselineSpec {
  readonly kind: HandCraftedKind;
  /** What it is, for tables. */
  readonly label: string;
  readonly recipe: Recipe;
  /** Its configuration, or `null` when the task's operator pool lacks it (see `unavailable`). */
  readonly config: SubnetConfig | null;
  readonly unavailable?: string;
}

/** Knobs of the baselines. */
export interface BaselineKnobs {
  /** Fraction of weights zeroed by magnitude pruning (default 0.5). */
  readonly sparsity?: number;
}

/** Every block set to `op` (optional blocks follow their input width), or why not. */
function uniformConfig(
  space: SearchSpace,
  op: BlockOp,
  width: number,
  rank: number | null,
): SubnetConfig | string {
  const choices: number[] = [];
  for (const b of space.blocks) {
    const i = b.choices.findIndex((c) =>
      c.op === op && (b.residual ? c.width === null : c.width === width) &&
      (rank === null || c.rank === rank)
    );
    if (i < 0) {
      return `block ${b.index} has no ${op}${b.residual ? "" : ` at width ${width}`} choice ` +
        `in task ${space.task}'s operator pool`;
    }
    choices.push(i);
  }
  return { choices, int8: false };
}

/**
 * The hand-crafted baselines of `space`.
 *
 * @example
 * ```ts
 * import { handCraftedBaselines } from "./baselines.ts";
 * import { createSearchSpace, formatConfigId } from "../supernet/mod.ts";
 * import { loadTaskConfig } from "../config/task.ts";
 * const space = createSearchSpace((await loadTaskConfig("mnist")).config);
 * const dw = handCraftedBaselines(space).find((b) => b.kind === "depthwise")!;
 * console.assert(formatConfigId(space, dw.config!) === "b0:dw-w1|b1:dw|b2:dw-w1|b3:dw|b4:dw-w1");
 * ```
 */
export function handCraftedBaselines(
  space: SearchSpace,
  knobs: BaselineKnobs = {},
): BaselineSpec[] {
  const sparsity = knobs.sparsity ?? 0.5;
  const largest = largestConfig(space);
  const make = (
    kind: HandCraftedKind,
    label: string,
    recipe: Recipe,
    c: SubnetConfig | string,
  ): BaselineSpec =>
    typeof c === "string"
      ? { kind, label, recipe, config: null, unavailable: c }
      : { kind, label, recipe, config: c };
  const rank = space.ranks[0];
  return [
    make("backbone", "uncompressed backbone", "scratch", largest),
    make(
      "width-0.5",
      "width multiplier 0.5 (MobileNet-style)",
      "scratch",
      space.widths.includes(0.5)
        ? uniformConfig(space, "conv", 0.5, null)
        : `width 0.5 is not in task ${space.task}'s widths [${space.widths}]`,
    ),
    make(
      "depthwise",
      "depthwise-separable everywhere (MobileNet)",
      "scratch",
      uniformConfig(space, "dw", 1, null),
    ),
    make(
      "fire",
      "fire modules everywhere (SqueezeNet)",
      "scratch",
      uniformConfig(space, "fire", 1, null),
    ),
    make(
      "low-rank",
      `low-rank SVD at rank ${rank ?? "-"} + fine-tuning`,
      "finetune-backbone",
      rank === undefined
        ? `task ${space.task} offers no low-rank operator`
        : uniformConfig(space, "lowRank", 1, rank),
    ),
    make(
      "int8-ptq",
      "int8 post-training quantization of the backbone",
      "post-training",
      space.int8 ? { ...largest, int8: true } : `task ${space.task} does not offer int8`,
    ),
    make(
      "magnitude-prune",
      `magnitude pruning ${Math.round(sparsity * 100)}% + fine-tuning`,
      "finetune-backbone",
      largest,
    ),
  ];
}
