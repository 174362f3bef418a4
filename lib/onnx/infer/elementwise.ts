/**
 * Shape rules of element-wise ops (unary, broadcasting binary and variadic, comparisons),
 * casts and the quantization pair.
 *
 * @module
 */
import { getInt, getTensor } from "../attr.ts";
import { dtypeFromCode } from "../dtype.ts";
import type { DType, Shape } from "../types.ts";
import { broadcast, input, sameAsInput, shapeError, type ShapeRule } from "./common.ts";

function broadcasting(dtype?: DType, from = 0): ShapeRule {
  return (ctx) => {
    const ins = ctx.inputs.slice(from);
    if (ins.length === 0) throw shapeError(ctx, "needs at least one input");
    const first = input(ctx, from);
    const shapes = ins.map((v) => v?.shape);
    const shape = shapes.every((s): s is Shape => s !== undefined)
      ? broadcast(ctx, shapes)
      : undefined;
    return [{ dtype: dtype ?? first.dtype, shape }];
  };
}

const where: ShapeRule = (ctx) => {
  const shapes = [0, 1, 2].map((i) => input(ctx, i).shape);
  const shape = shapes.every((s): s is Shape => s !== undefined)
    ? broadcast(ctx, shapes)
    : undefined;
  return [{ dtype: input(ctx, 1).dtype, shape }];
};

const cast: ShapeRule = (ctx) => {
  const code = getInt(ctx.node.attributes, "to", 0);
  const dtype = dtypeFromCode(code);
  if (dtype === undefined) throw shapeError(ctx, `unsupported target type code ${code}`);
  return [{ dtype, shape: input(ctx, 0).shape }];
};

const dropout: ShapeRule = (ctx) => {
  const x = input(ctx, 0);
  return [{ dtype: x.dtype, shape: x.shape }, { dtype: "bool", shape: x.shape }];
};

const quantize: ShapeRule = (ctx) => {
  const x = input(ctx, 0);
  const zeroPoint = ctx.inputs[2];
  return [{ dtype: zeroPoint?.dtype ?? "uint8", shape: x.shape }];
};

const dequantize: ShapeRule = (ctx) => {
  const scale = input(ctx, 1);
  return [{ dtype: scale.dtype, shape: input(ctx, 0).shape }];
};

const constant: ShapeRule = (ctx) => {
  const t = getTensor(ctx.node.attributes, "value");
  if (t === undefined) throw shapeError(ctx, "only Constant with a `value` tensor is supported");
  return [{ dtype: t.dtype, shape: t.shape }];
};

const UNARY = [
  "Identity",
  "Relu",
  "LeakyRelu",
  "Elu",
  "Selu",
  "HardSigmoid",
  "HardSwish",
  "Sigmoid",
  "Softplus",
  "Tanh",
  "Exp",
  "Log",
  "Neg",
  "Sqrt",
  "Abs",
  "Reciprocal",
  "Floor",
  "Ceil",
  "Round",
  "Erf",
  "Sign",
  "Not",
  "Softmax",
  "LogSoftmax",
  "Clip",
  "LRN",
  "InstanceNormalization",
  "LayerNormalization",
] as const;

const ARITHMETIC = ["Add", "Sub", "Mul", "Div", "Pow", "Sum", "Max", "Min", "Mean", "PRelu"];
const COMPARISON = ["Equal", "Greater", "Less", "GreaterOrEqual", "LessOrEqual", "And", "Or"];

function table(): Record<string, ShapeRule> {
  const rules: Record<string, ShapeRule> = {};
  for (const op of UNARY) rules[op] = sameAsInput;
  for (const op of ARITHMETIC) rules[op] = broadcasting();
  for (const op of COMPARISON) rules[op] = broadcasting("bool");
  rules.Where = where;
  rules.Cast = cast;
  rules.Dropout = dropout;
  rules.QuantizeLinear = quantize;
  rules.DequantizeLinear = dequantize;
  rules.Constant = constant;
  return rules;
}

/** Rules of this module by op type. */
export const elementwiseRules: Readonly<Record<string, ShapeRule>> = table();
