/**
 * Checks feeds against a model's declared inputs before a backend sees them, so a wrong
 * shape or dtype is reported in adaspring's words (input name, expected, given, fix) rather
 * than as a runtime's internal error.
 *
 * @module
 */
import { badInput } from "../errors.ts";
import { allocate, formatShape, sizeOf } from "../onnx/dtype.ts";
import type { ModelData, Shape, TensorData, ValueInfo } from "../onnx/types.ts";

/** A model's declared inputs (initializers excluded) and outputs. */
export interface ModelIo {
  readonly inputs: readonly ValueInfo[];
  readonly outputs: readonly ValueInfo[];
}

/**
 * The inputs a caller must feed and the outputs it gets.
 *
 * @example
 * ```ts
 * import { GraphBuilder } from "../onnx/graph.ts";
 * import { declaredIo } from "./feeds.ts";
 * const g = new GraphBuilder();
 * g.output(g.add1("Relu", [g.input("x", "float32", ["N", 2])]));
 * console.assert(declaredIo(g.toModel()).inputs[0].name === "x");
 * ```
 */
export function declaredIo(model: ModelData): ModelIo {
  const inits = new Set(model.graph.initializers.map((t) => t.name));
  return {
    inputs: model.graph.inputs.filter((v) => !inits.has(v.name)),
    outputs: model.graph.outputs,
  };
}

/**
 * Throws a bad-input error when `feeds` do not match `inputs`: a missing or unknown name,
 * a wrong dtype, a wrong rank or static dimension, a symbolic dimension bound to two sizes,
 * or a data length that does not match the shape.
 */
export function checkFeeds(
  inputs: readonly ValueInfo[],
  feeds: Readonly<Record<string, TensorData>>,
  source = "model",
): void {
  const expected = inputs.map((v) => `${v.name}${formatShape(v.shape)}:${v.dtype}`).join(", ");
  for (const name of Object.keys(feeds)) {
    if (!inputs.some((v) => v.name === name)) {
      throw badInput(`${source}: "${name}" is not an input of the model; it expects ${expected}`);
    }
  }
  const bound = new Map<string, [number, string]>();
  for (const v of inputs) {
    const f = feeds[v.name];
    if (f === undefined) {
      throw badInput(`${source}: input "${v.name}" is missing; the model expects ${expected}`);
    }
    if (f.dtype !== v.dtype) {
      throw badInput(
        `${source}: input "${v.name}" expects dtype ${v.dtype}, was given ${f.dtype}; ` +
          `convert the data to ${v.dtype}`,
      );
    }
    if (f.data.length !== sizeOf(f.shape)) {
      throw badInput(
        `${source}: input "${v.name}" has shape ${formatShape(f.shape)} ` +
          `but ${f.data.length} elements (expected ${sizeOf(f.shape)})`,
      );
    }
    if (v.shape === undefined) continue;
    const mismatch = () =>
      badInput(
        `${source}: input "${v.name}" expects shape ${formatShape(v.shape)}, ` +
          `was given ${formatShape(f.shape)}; reshape the data or re-export the model`,
      );
    if (f.shape.length !== v.shape.length) throw mismatch();
    v.shape.forEach((d, i) => {
      const given = f.shape[i];
      if (typeof d === "number") {
        if (d !== given) throw mismatch();
        return;
      }
      const prior = bound.get(d);
      if (prior && prior[0] !== given) {
        throw badInput(
          `${source}: dimension "${d}" is ${prior[0]} in input "${prior[1]}" but ${given} ` +
            `in input "${v.name}"; feed inputs with a consistent "${d}"`,
        );
      }
      bound.set(d, [given, v.name]);
    });
  }
}

/** A static shape for `shape`, binding symbolic dims from `dims` (1 by default). */
export function bindShape(shape: Shape, dims: Readonly<Record<string, number>> = {}): number[] {
  return shape.map((d) => (typeof d === "number" ? d : dims[d] ?? 1));
}

/** Zero-filled feeds for every input (for warm-up and smoke runs). */
export function zeroFeeds(
  inputs: readonly ValueInfo[],
  dims: Readonly<Record<string, number>> = {},
): Record<string, TensorData> {
  const feeds: Record<string, TensorData> = {};
  for (const v of inputs) {
    const shape = bindShape(v.shape ?? [], dims);
    feeds[v.name] = { dtype: v.dtype, shape, data: allocate(v.dtype, sizeOf(shape)) };
  }
  return feeds;
}
