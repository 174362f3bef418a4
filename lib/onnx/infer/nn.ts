/**
 * Shape rules of the neural-network ops: convolutions, pooling, normalization, dense layers
 * and the cross-entropy loss.
 *
 * @module
 */
import { getInt, getInts, getString } from "../attr.ts";
import { formatShape } from "../dtype.ts";
import { forwardWindow, transposeWindow } from "../geometry.ts";
import type { Dim, Shape } from "../types.ts";
import {
  broadcast,
  type InferContext,
  input,
  num,
  type OutputType,
  rankedShape,
  shapeError,
  type ShapeRule,
} from "./common.ts";

function spatialOf(ctx: InferContext, x: Shape): number[] {
  return x.slice(2).map((d, i) => num(ctx, d, `spatial dimension ${i} of input 0`));
}

const conv: ShapeRule = (ctx) => {
  const xi = input(ctx, 0);
  const x = rankedShape(ctx, 0, 3);
  const w = rankedShape(ctx, 1, 3);
  if (x === undefined || w === undefined) return [{ dtype: xi.dtype, shape: undefined }];
  if (w.length !== x.length) throw shapeError(ctx, "weight rank must equal input rank");
  const group = getInt(ctx.node.attributes, "group", 1);
  const c = num(ctx, x[1], "input channels");
  const wc = num(ctx, w[1], "weight input channels");
  if (c !== wc * group) {
    throw shapeError(ctx, `input has ${c} channels but weight expects ${wc} x group ${group}`);
  }
  const kernel = getInts(ctx.node.attributes, "kernel_shape", w.slice(2) as number[]);
  const win = forwardWindow(ctx.node.attributes, kernel, spatialOf(ctx, x));
  if (win.out.some((o) => o < 1)) {
    throw shapeError(ctx, `output spatial size [${win.out}] is empty; the input is too small`);
  }
  return [{ dtype: xi.dtype, shape: [x[0], w[0], ...win.out] }];
};

const convTranspose: ShapeRule = (ctx) => {
  const xi = input(ctx, 0);
  const x = rankedShape(ctx, 0, 3);
  const w = rankedShape(ctx, 1, 3);
  if (x === undefined || w === undefined) return [{ dtype: xi.dtype, shape: undefined }];
  const group = getInt(ctx.node.attributes, "group", 1);
  if (num(ctx, x[1], "input channels") !== num(ctx, w[0], "weight dim 0")) {
    throw shapeError(ctx, "weight dim 0 must equal the input channels");
  }
  const kernel = getInts(ctx.node.attributes, "kernel_shape", w.slice(2) as number[]);
  const win = transposeWindow(ctx.node.attributes, kernel, spatialOf(ctx, x));
  const m = num(ctx, w[1], "weight dim 1") * group;
  return [{ dtype: xi.dtype, shape: [x[0], m, ...win.out] }];
};

function pool(withIndices: boolean): ShapeRule {
  return (ctx) => {
    const xi = input(ctx, 0);
    const x = rankedShape(ctx, 0, 3);
    if (x === undefined) return [{ dtype: xi.dtype, shape: undefined }];
    const kernel = getInts(ctx.node.attributes, "kernel_shape", []);
    if (kernel.length !== x.length - 2) {
      throw shapeError(ctx, `kernel_shape [${kernel}] must have ${x.length - 2} entries`);
    }
    const ceil = getInt(ctx.node.attributes, "ceil_mode", 0) === 1;
    const win = forwardWindow(ctx.node.attributes, kernel, spatialOf(ctx, x), ceil);
    if (win.out.some((o) => o < 1)) throw shapeError(ctx, `output size [${win.out}] is empty`);
    const shape = [x[0], x[1], ...win.out];
    const outs: OutputType[] = [{ dtype: xi.dtype, shape }];
    if (withIndices) outs.push({ dtype: "int64", shape });
    return outs;
  };
}

const globalPool: ShapeRule = (ctx) => {
  const xi = input(ctx, 0);
  const x = rankedShape(ctx, 0, 3);
  return [{ dtype: xi.dtype, shape: x && [x[0], x[1], ...x.slice(2).map(() => 1)] }];
};

const batchNorm: ShapeRule = (ctx) => {
  const xi = input(ctx, 0);
  const x = rankedShape(ctx, 0, 2);
  const c: Dim | undefined = x?.[1];
  for (let i = 1; i <= 4; i++) {
    const s = input(ctx, i).shape;
    if (s !== undefined && c !== undefined && (s.length !== 1 || s[0] !== c)) {
      throw shapeError(ctx, `input ${i} must have shape [${c}], has ${formatShape(s)}`);
    }
  }
  const stat = { dtype: input(ctx, 3).dtype, shape: c === undefined ? undefined : [c] };
  return [{ dtype: xi.dtype, shape: x }, stat, stat];
};

const gemm: ShapeRule = (ctx) => {
  const ai = input(ctx, 0);
  const a = rankedShape(ctx, 0, 2);
  const b = rankedShape(ctx, 1, 2);
  if (a === undefined || b === undefined) return [{ dtype: ai.dtype, shape: undefined }];
  if (a.length !== 2 || b.length !== 2) throw shapeError(ctx, "Gemm takes 2-D A and B");
  const ta = getInt(ctx.node.attributes, "transA", 0) === 1;
  const tb = getInt(ctx.node.attributes, "transB", 0) === 1;
  const [m, ka] = ta ? [a[1], a[0]] : [a[0], a[1]];
  const [kb, n] = tb ? [b[1], b[0]] : [b[0], b[1]];
  if (typeof ka === "number" && typeof kb === "number" && ka !== kb) {
    throw shapeError(ctx, `inner dimensions differ: ${ka} vs ${kb}`);
  }
  const shape: Shape = [m, n];
  const c = ctx.inputs[2]?.shape;
  if (c !== undefined) broadcast(ctx, [shape, c]);
  return [{ dtype: ai.dtype, shape }];
};

const matMul: ShapeRule = (ctx) => {
  const ai = input(ctx, 0);
  const a = rankedShape(ctx, 0, 1);
  const b = rankedShape(ctx, 1, 1);
  if (a === undefined || b === undefined) return [{ dtype: ai.dtype, shape: undefined }];
  const a2 = a.length === 1 ? [1, a[0]] : a;
  const b2 = b.length === 1 ? [b[0], 1] : b;
  const ka = a2[a2.length - 1];
  const kb = b2[b2.length - 2];
  if (typeof ka === "number" && typeof kb === "number" && ka !== kb) {
    throw shapeError(ctx, `inner dimensions differ: ${ka} vs ${kb}`);
  }
  const batch = broadcast(ctx, [a2.slice(0, -2), b2.slice(0, -2)]);
  const shape: Dim[] = [...batch];
  if (a.length > 1) shape.push(a2[a2.length - 2]);
  if (b.length > 1) shape.push(b2[b2.length - 1]);
  return [{ dtype: ai.dtype, shape }];
};

const softmaxCrossEntropy: ShapeRule = (ctx) => {
  const si = input(ctx, 0);
  const s = rankedShape(ctx, 0, 2);
  const labels = input(ctx, 1);
  if (labels.dtype !== "int64" && labels.dtype !== "int32") {
    throw shapeError(ctx, `labels must be int64 or int32, are ${labels.dtype}`);
  }
  const reduction = getString(ctx.node.attributes, "reduction", "mean");
  const loss: Shape | undefined = reduction === "none" ? s && [s[0], ...s.slice(2)] : [];
  return [{ dtype: si.dtype, shape: loss }, { dtype: si.dtype, shape: s }];
};

/** Rules of this module by op type. */
export const nnRules: Readonly<Record<string, ShapeRule>> = {
  Conv: conv,
  ConvTranspose: convTranspose,
  MaxPool: pool(true),
  AveragePool: pool(false),
  LpPool: pool(false),
  GlobalAveragePool: globalPool,
  GlobalMaxPool: globalPool,
  BatchNormalization: batchNorm,
  Gemm: gemm,
  MatMul: matMul,
  SoftmaxCrossEntropyLoss: softmaxCrossEntropy,
};
