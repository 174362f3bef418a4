/**
 * Configuration ids: the stable, readable string form of a {@link SubnetConfig}.
 *
 * Grammar (one canonical spelling per configuration, so ids can be compared as strings):
 *
 * ```
 * id     = block *("|" block) ["|q8"]
 * block  = "b" INDEX ":" choice          ; INDEX = 0, 1, 2, ... in order, every block present
 * choice = "skip"                        ; optional blocks only, when operators.depth
 *        | op "-w" FRACTION              ; plain blocks: operator and width multiplier
 *        | op                            ; optional (residual) blocks: width follows the input
 * op     = "conv" | "dw" | "fire" | "lr" FRACTION
 * ```
 *
 * `FRACTION` drops the leading zero: `1`, `.75`, `.5`, `.25`. `q8` (last) means int8 weights;
 * without it the weights are float32.
 *
 * Examples for the mnist task (blocks 1 and 3 are optional):
 *
 * - `b0:conv-w1|b1:conv|b2:conv-w1|b3:conv|b4:conv-w1`: the largest network;
 * - `b0:fire-w.25|b1:skip|b2:dw-w.25|b3:skip|b4:dw-w.25|q8`: the smallest;
 * - `b0:conv-w.75|b1:skip|b2:dw-w.5|b3:fire|b4:lr.25-w.5|q8`: a mixed one.
 *
 * @module
 */
import { AdaspringError, badInput } from "../errors.ts";
import {
  assertConfig,
  type BlockSpace,
  formatFraction,
  type SearchSpace,
  type SubnetConfig,
} from "./space.ts";

/** The id token of the int8 flag. */
export const INT8_TOKEN = "q8";

/**
 * Format a configuration as its id.
 *
 * @example
 * ```ts
 * import { createSearchSpace } from "./space.ts";
 * import { largestConfig } from "./extremes.ts";
 * import { formatConfigId } from "./config_id.ts";
 * import { loadTaskConfig } from "../config/task.ts";
 * const space = createSearchSpace((await loadTaskConfig("mnist")).config);
 * console.assert(formatConfigId(space, largestConfig(space)) ===
 *   "b0:conv-w1|b1:conv|b2:conv-w1|b3:conv|b4:conv-w1");
 * ```
 */
export function formatConfigId(space: SearchSpace, config: SubnetConfig): string {
  assertConfig(space, config);
  const parts = space.blocks.map((b, i) => `b${i}:${b.choices[config.choices[i]].token}`);
  if (config.int8) parts.push(INT8_TOKEN);
  return parts.join("|");
}

/**
 * Parse a configuration id; the inverse of {@link formatConfigId}. Throws an
 * {@link AdaspringError} (bad input) naming the block, the token and what is allowed there.
 *
 * @example
 * ```ts
 * import { createSearchSpace } from "./space.ts";
 * import { formatConfigId, parseConfigId } from "./config_id.ts";
 * import { loadTaskConfig } from "../config/task.ts";
 * const space = createSearchSpace((await loadTaskConfig("mnist")).config);
 * const id = "b0:conv-w.75|b1:skip|b2:dw-w.5|b3:fire|b4:lr.25-w.5|q8";
 * console.assert(formatConfigId(space, parseConfigId(space, id)) === id);
 * ```
 */
export function parseConfigId(space: SearchSpace, id: string): SubnetConfig {
  const fail = (what: string): AdaspringError =>
    badInput(
      `invalid configuration id "${id}" for task ${space.task}: ${what} ` +
        `(grammar: b0:<choice>|b1:<choice>|...[|${INT8_TOKEN}], e.g. "${exampleId(space)}").`,
    );
  if (id.trim() === "") throw fail("the id is empty");
  const parts = id.split("|");
  let int8 = false;
  if (parts[parts.length - 1] === INT8_TOKEN) {
    if (!space.int8) {
      throw fail(`"${INT8_TOKEN}" asks for int8 weights but operators.int8 is false; drop it`);
    }
    int8 = true;
    parts.pop();
  }
  const n = space.blocks.length;
  const choices: number[] = [];
  parts.forEach((part, pos) => {
    const m = /^b(\d+):(.*)$/.exec(part);
    if (m === null) {
      const flagHint = part === INT8_TOKEN
        ? `; the int8 flag "${INT8_TOKEN}" must come last`
        : !part.includes(":")
        ? `; the only flag is "${INT8_TOKEN}" (int8 weights), written last`
        : "";
      throw fail(`token ${pos + 1} "${part}" is not a block token b<index>:<choice>${flagHint}`);
    }
    const index = Number(m[1]);
    if (index !== pos || m[1] !== String(index)) {
      throw fail(
        `token ${pos + 1} "${part}" should be block b${pos}; blocks are written in order ` +
          `b0..b${n - 1}, each exactly once`,
      );
    }
    if (pos >= n) throw fail(`block b${pos} does not exist; this task has blocks b0..b${n - 1}`);
    const block = space.blocks[pos];
    const c = block.choices.findIndex((ch) => ch.token === m[2]);
    if (c < 0) throw fail(`block b${pos} token "${m[2]}": ${diagnose(space, block, m[2])}`);
    choices.push(c);
  });
  if (choices.length < n) {
    throw fail(
      `it names ${choices.length} of the ${n} blocks; add ${
        choices.length === n - 1 ? `b${n - 1}` : `b${choices.length}..b${n - 1}`
      }`,
    );
  }
  return { choices, int8 };
}

/** A short id of the space for messages: its largest configuration. */
function exampleId(space: SearchSpace): string {
  return space.blocks.map((b, i) => `b${i}:${b.choices[0].token}`).join("|");
}

/** Why `token` is not a choice of `block`, and what is allowed there. */
function diagnose(space: SearchSpace, block: BlockSpace, token: string): string {
  const allowed = describeAllowed(space, block);
  const dash = token.indexOf("-");
  const op = dash < 0 ? token : token.slice(0, dash);
  const suffix = dash < 0 ? null : token.slice(dash + 1);
  const opNames = operatorNames(space);
  const stray = /[^a-z0-9.-]/.exec(token);
  if (stray !== null) {
    return `"${stray[0]}" appears in no choice (blocks are separated by "|"); allowed: ${allowed}`;
  }
  if (op === "skip") {
    if (!block.residual) {
      return `block b${block.index} is not optional, so it cannot be skipped; allowed: ${allowed}`;
    }
    if (!space.depth) return `skipping is off (operators.depth is false); allowed: ${allowed}`;
    return `"skip" takes no width; write "skip"`;
  }
  if (!opNames.includes(op)) {
    const why = op === "dw"
      ? "the depthwise operator is off (operators.depthwise is false)"
      : op === "fire"
      ? "the fire operator is off (operators.fire is false)"
      : op.startsWith("lr") && space.ranks.length === 0
      ? "the low-rank operator is off (operators.lowRank is false)"
      : op.startsWith("lr")
      ? `rank "${op.slice(2)}" is not in operators.lowRank.ranks`
      : `unknown operator "${op}"`;
    return `${why}; allowed: ${allowed}`;
  }
  if (block.residual) {
    return `block b${block.index} is optional (residual), so its width follows its input: ` +
      `write "${op}" without a width; allowed: ${allowed}`;
  }
  if (suffix === null) {
    return `a width is missing, e.g. "${op}-w${formatFraction(space.widths[0])}"`;
  }
  return `width "${suffix}" is not offered (operators.width); allowed: ${allowed}`;
}

function operatorNames(space: SearchSpace): string[] {
  const names = new Set<string>();
  for (const c of space.blocks[0].choices) {
    if (c.op !== "skip") names.add(c.token.split("-")[0]);
  }
  return [...names];
}

/** E.g. `conv|dw|fire|lr.5|lr.25 with -w1|-w.75|-w.5|-w.25`, or `conv|dw|skip`. */
function describeAllowed(space: SearchSpace, block: BlockSpace): string {
  const ops = operatorNames(space).join("|");
  if (!block.residual) {
    return `${ops} with ${space.widths.map((w) => `-w${formatFraction(w)}`).join("|")}`;
  }
  return `${ops}${space.depth ? "|skip" : ""} (no width)`;
}
