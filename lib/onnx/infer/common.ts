/**
 * Shared vocabulary of the static shape-inference rules.
 *
 * @module
 */
import { AdaspringError } from "../../errors.ts";
import { formatShape, toNumbers } from "../dtype.ts";
import type { Dim, DType, NodeData, Shape, TensorData, ValueInfo } from "../types.ts";

/** Inferred type of one node output; `shape` is `undefined` when it cannot be known statically. */
export interface OutputType {
  readonly dtype: DType;
  readonly shape: Shape | undefined;
}

/** What a rule may look at: the node, its inputs' types, and inputs that are constants. */
export interface InferContext {
  readonly node: NodeData;
  /** Types of the node's inputs; `undefined` for an omitted (`""`) or untyped input. */
  readonly inputs: readonly (ValueInfo | undefined)[];
  /** The value of input `i` when it is an initializer or a Constant's output. */
  constant(i: number): TensorData | undefined;
}

/** A shape-inference rule: the types of all outputs the op can produce, in order. */
export type ShapeRule = (ctx: InferContext) => OutputType[];

/** An error naming the node, its inputs' shapes and the problem. */
export function shapeError(ctx: InferContext, problem: string): AdaspringError {
  const ins = ctx.node.inputs.map((n, i) => `${n || "<none>"}${formatShape(ctx.inputs[i]?.shape)}`);
  return new AdaspringError(
    `${ctx.node.opType} node "${ctx.node.name}" (inputs ${ins.join(", ")}): ${problem}`,
  );
}

/** Input `i`'s type; throws when the input is missing. */
export function input(ctx: InferContext, i: number): ValueInfo {
  const v = ctx.inputs[i];
  if (v === undefined) throw shapeError(ctx, `input ${i} is required`);
  return v;
}

/** Input `i`'s shape, or `undefined` when unknown. */
export function shapeOf(ctx: InferContext, i: number): Shape | undefined {
  return ctx.inputs[i]?.shape;
}

/** Input `i`'s shape with at least `minRank` dimensions, or `undefined` when unknown. */
export function rankedShape(ctx: InferContext, i: number, minRank: number): Shape | undefined {
  const s = input(ctx, i).shape;
  if (s !== undefined && s.length < minRank) {
    throw shapeError(ctx, `input ${i} needs rank >= ${minRank}, has shape ${formatShape(s)}`);
  }
  return s;
}

/** A dimension that must be a number for the arithmetic at hand. */
export function num(ctx: InferContext, d: Dim, what: string): number {
  if (typeof d !== "number") {
    throw shapeError(ctx, `${what} is the symbolic dimension "${d}"; give it a static size`);
  }
  return d;
}

/** Normalizes a possibly negative axis for a tensor of `rank`. */
export function axisOf(ctx: InferContext, axis: number, rank: number): number {
  const a = axis < 0 ? axis + rank : axis;
  if (a < 0 || a >= rank) throw shapeError(ctx, `axis ${axis} is out of range for rank ${rank}`);
  return a;
}

/** The integer values of constant input `i`, or `undefined` when it is not a constant. */
export function constInts(ctx: InferContext, i: number): number[] | undefined {
  const c = ctx.constant(i);
  return c === undefined ? undefined : toNumbers(c.data);
}

/** Multi-directional (numpy) broadcasting of shapes; symbolic dims broadcast against 1. */
export function broadcast(ctx: InferContext, shapes: readonly Shape[]): Shape {
  const rank = Math.max(0, ...shapes.map((s) => s.length));
  const out: Dim[] = [];
  for (let k = 0; k < rank; k++) {
    let d: Dim = 1;
    for (const s of shapes) {
      const e = s[s.length - rank + k];
      if (e === undefined || e === 1 || e === d) continue;
      if (d === 1) d = e;
      else if (typeof d === "number" && typeof e === "number") {
        throw shapeError(ctx, `shapes ${shapes.map(formatShape).join(" and ")} do not broadcast`);
      } else if (typeof d === "string" && typeof e === "number") d = e;
    }
    out.push(d);
  }
  return out;
}

/** Output shapes of a same-shape op: the first input's type. */
export function sameAsInput(ctx: InferContext): OutputType[] {
  const x = input(ctx, 0);
  return [{ dtype: x.dtype, shape: x.shape }];
}
