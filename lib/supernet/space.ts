/**
 * The elastic search space of the self-evolutionary network (DESIGN.md section 3), built from a
 * task config and kept apart from any search algorithm (Once-for-All style).
 *
 * A {@link SearchSpace} lists, per backbone block, every choice the compression operator pool Δ
 * allows there; a {@link SubnetConfig} picks one choice per block plus the int8 flag.
 *
 * How width flows through the network (the decisions the rest of the project relies on):
 *
 * - The **stem** always runs at full width: it is cheap (few input channels) and every block
 *   then sees the same kind of input whatever the configuration.
 * - A **plain block** (not `optional`) has a width choice `w`: it keeps its first
 *   `max(1, round(w * channels))` output channels. Its input width is the previous block's output
 *   width (the stem's full width for block 0).
 * - An **optional block** is residual (`y = x + f(x)`, the task schema demands stride 1 and
 *   unchanged channels), so its output width is forced to equal its input width: it has no width
 *   choice of its own and follows the previous block. It may be skipped (`skip`) when
 *   `operators.depth` is true; skipping keeps the width unchanged.
 * - The **classifier** reads the first `k` features of global average pooling, where `k` is the
 *   last block's output width.
 *
 * Block operators (each keeps the block's kernel `k` and stride `s`; see `arch.ts`):
 * `conv` plain k x k conv; `dw` depthwise k x k + pointwise 1 x 1 (when `operators.depthwise`);
 * `fire` squeeze 1 x 1 to `round(squeeze * out)` then expand 1 x 1 and k x k, concatenated (when
 * `operators.fire`); `lr<r>` low-rank factorisation at rank fraction `r` of the full rank (for
 * each `operators.lowRank.ranks`). The global int8 flag (weights quantized at export) is a choice
 * when `operators.int8`.
 *
 * @module
 */
import { badInput } from "../errors.ts";
import type { TaskConfig } from "../config/task.ts";

/** A block operator; `skip` drops an optional block. */
export type BlockOp = "conv" | "dw" | "fire" | "lowRank" | "skip";

/** One choice for one block. */
export interface BlockChoice {
  /** The token in configuration ids, e.g. `conv-w.75`, `dw` (residual block), `lr.25-w.5`, `skip`. */
  readonly token: string;
  readonly op: BlockOp;
  /** Output width multiplier; `null` when the width follows the input (residual block, skip). */
  readonly width: number | null;
  /** Rank fraction of a low-rank choice; `null` for other operators. */
  readonly rank: number | null;
}

/** The choices of one backbone block, with its full-width shape. */
export interface BlockSpace {
  readonly index: number;
  /** Output channels at full width. */
  readonly channels: number;
  readonly kernel: number;
  readonly stride: number;
  /** True for optional blocks: residual, width follows the input, skippable under depth scaling. */
  readonly residual: boolean;
  /** Every choice, largest first (plain conv at the widest width is always index 0). */
  readonly choices: readonly BlockChoice[];
}

/** The elastic space of one task. */
export interface SearchSpace {
  /** Task name, used in messages. */
  readonly task: string;
  readonly kind: "conv2d" | "conv1d";
  /** The stem (always full width). */
  readonly stem: { readonly channels: number; readonly kernel: number; readonly stride: number };
  readonly blocks: readonly BlockSpace[];
  /** Width multipliers offered, distinct, widest first. */
  readonly widths: readonly number[];
  /** Fire squeeze ratio, or `null` when the fire module is not in the pool. */
  readonly fireSqueeze: number | null;
  /** Whether the int8 flag is a choice (otherwise every configuration is float). */
  readonly int8: boolean;
  /** Whether optional blocks may be skipped. */
  readonly depth: boolean;
  /** Whether the depthwise-separable operator is in the pool. */
  readonly depthwise: boolean;
  /** Low-rank fractions offered, distinct, largest first (empty when low-rank is off). */
  readonly ranks: readonly number[];
}

/**
 * A configuration (subnet): one choice index per block into {@link BlockSpace.choices}, plus the
 * int8 flag. Its readable, stable form is the string id of `config_id.ts`.
 */
export interface SubnetConfig {
  readonly choices: readonly number[];
  readonly int8: boolean;
}

/** What a space needs from a task config (tests may build one without a dataset). */
export type SpaceSource = Pick<TaskConfig, "name" | "model" | "operators">;

/**
 * Format a fraction compactly for ids: `1` -> `"1"`, `0.75` -> `".75"`.
 *
 * @example
 * ```ts
 * import { formatFraction } from "./space.ts";
 * console.assert(formatFraction(0.5) === ".5" && formatFraction(1) === "1");
 * ```
 */
export function formatFraction(x: number): string {
  const s = String(x);
  return s.startsWith("0.") ? s.slice(1) : s;
}

/** Channels kept at width multiplier `w` of `channels` (at least one). */
export function keptChannels(channels: number, w: number): number {
  return Math.max(1, Math.round(w * channels));
}

/** Distinct values, largest first (duplicates in a config would give clashing ids). */
function distinctDescending(values: readonly number[]): number[] {
  return [...new Set(values)].sort((a, b) => b - a);
}

/**
 * Build the search space of a task.
 *
 * @example
 * ```ts
 * import { createSearchSpace } from "./space.ts";
 * import { loadTaskConfig } from "../config/task.ts";
 * const space = createSearchSpace((await loadTaskConfig("mnist")).config);
 * console.assert(space.blocks[0].choices[0].token === "conv-w1");
 * ```
 */
export function createSearchSpace(task: SpaceSource): SearchSpace {
  const ops = task.operators;
  const widths = distinctDescending(ops.width);
  const ranks = ops.lowRank === false ? [] : distinctDescending(ops.lowRank.ranks);
  if (ranks.includes(0)) {
    throw badInput(
      `task ${task.name}: operators.lowRank.ranks contains 0, which is no factorisation; ` +
        `use rank fractions in (0, 1], e.g. [0.5, 0.25].`,
    );
  }
  // Operator names in pool order (most expensive first, as in the paper's table of Δ).
  const opTokens: { op: BlockOp; name: string; rank: number | null }[] = [
    { op: "conv", name: "conv", rank: null },
  ];
  if (ops.depthwise) opTokens.push({ op: "dw", name: "dw", rank: null });
  if (ops.fire !== false) opTokens.push({ op: "fire", name: "fire", rank: null });
  for (const r of ranks) opTokens.push({ op: "lowRank", name: `lr${formatFraction(r)}`, rank: r });

  const blocks = task.model.blocks.map((b, index): BlockSpace => {
    const choices: BlockChoice[] = [];
    for (const o of opTokens) {
      if (b.optional) {
        choices.push({ token: o.name, op: o.op, width: null, rank: o.rank });
      } else {
        for (const w of widths) {
          const token = `${o.name}-w${formatFraction(w)}`;
          choices.push({ token, op: o.op, width: w, rank: o.rank });
        }
      }
    }
    if (b.optional && ops.depth) {
      choices.push({ token: "skip", op: "skip", width: null, rank: null });
    }
    return {
      index,
      channels: b.channels,
      kernel: b.kernel,
      stride: b.stride,
      residual: b.optional,
      choices,
    };
  });
  return {
    task: task.name,
    kind: task.model.kind,
    stem: { ...task.model.stem },
    blocks,
    widths,
    fireSqueeze: ops.fire === false ? null : ops.fire.squeeze,
    int8: ops.int8,
    depth: ops.depth,
    depthwise: ops.depthwise,
    ranks,
  };
}

/**
 * Check that a configuration object fits a space (right block count, indices in range, int8 only
 * where offered); throws an AdaspringError naming the first problem.
 */
export function assertConfig(space: SearchSpace, config: SubnetConfig): void {
  if (config.choices.length !== space.blocks.length) {
    throw badInput(
      `task ${space.task}: a configuration needs ${space.blocks.length} block choices, ` +
        `got ${config.choices.length}; build it from this task's search space.`,
    );
  }
  config.choices.forEach((c, i) => {
    const n = space.blocks[i].choices.length;
    if (!Number.isInteger(c) || c < 0 || c >= n) {
      throw badInput(
        `task ${space.task}: block b${i} choice index ${c} is out of range; expected 0..${n - 1}.`,
      );
    }
  });
  if (config.int8 && !space.int8) {
    throw badInput(
      `task ${space.task}: the configuration asks for int8 weights but operators.int8 is false; ` +
        `drop the flag or enable int8 in the task config.`,
    );
  }
}

/** The choice a configuration makes at block `index`. */
export function choiceAt(space: SearchSpace, config: SubnetConfig, index: number): BlockChoice {
  return space.blocks[index].choices[config.choices[index]];
}
