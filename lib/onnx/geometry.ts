/**
 * Sliding-window geometry of Conv, ConvTranspose and the pooling ops, resolved once from the
 * attributes so that shape inference, the reference interpreter and the FLOPs counter agree.
 *
 * @module
 */
import { getInts, getString } from "./attr.ts";
import type { Attributes } from "./types.ts";

/** Resolved window parameters for `k` spatial dimensions. */
export interface Window {
  readonly kernel: readonly number[];
  readonly strides: readonly number[];
  readonly dilations: readonly number[];
  /** `k` begin pads then `k` end pads, as in ONNX. */
  readonly pads: readonly number[];
  /** Output spatial sizes. */
  readonly out: readonly number[];
}

/**
 * Resolves a forward window (Conv, MaxPool, AveragePool) over `spatial` input sizes.
 *
 * @example
 * ```ts
 * import { attr } from "./attr.ts";
 * import { forwardWindow } from "./geometry.ts";
 * const w = forwardWindow({ strides: attr.ints([2, 2]), pads: attr.ints([1, 1, 1, 1]) }, [3, 3], [32, 32]);
 * console.assert(w.out[0] === 16);
 * ```
 */
export function forwardWindow(
  attrs: Attributes,
  kernel: readonly number[],
  spatial: readonly number[],
  ceilMode = false,
): Window {
  const k = kernel.length;
  const strides = getInts(attrs, "strides", new Array(k).fill(1));
  const dilations = getInts(attrs, "dilations", new Array(k).fill(1));
  const autoPad = getString(attrs, "auto_pad", "NOTSET");
  let pads = [...getInts(attrs, "pads", new Array(2 * k).fill(0))];
  if (strides.length !== k || dilations.length !== k || pads.length !== 2 * k) {
    throw new RangeError(
      `window attributes do not match ${k} spatial dims: strides [${strides}], ` +
        `dilations [${dilations}], pads [${pads}]`,
    );
  }
  const out: number[] = [];
  for (let i = 0; i < k; i++) {
    const span = (kernel[i] - 1) * dilations[i] + 1;
    if (autoPad === "SAME_UPPER" || autoPad === "SAME_LOWER") {
      const o = Math.ceil(spatial[i] / strides[i]);
      const total = Math.max(0, (o - 1) * strides[i] + span - spatial[i]);
      const small = Math.floor(total / 2);
      pads[i] = autoPad === "SAME_UPPER" ? small : total - small;
      pads[i + k] = total - pads[i];
      out.push(o);
      continue;
    }
    if (autoPad === "VALID") pads = pads.map(() => 0);
    const room = spatial[i] + pads[i] + pads[i + k] - span;
    let o = (ceilMode ? Math.ceil(room / strides[i]) : Math.floor(room / strides[i])) + 1;
    // As in PyTorch and ORT: the last window must start inside the input or the begin pad.
    if (ceilMode && (o - 1) * strides[i] >= spatial[i] + pads[i]) o--;
    out.push(o);
  }
  return { kernel, strides, dilations, pads, out };
}

/**
 * Resolves a ConvTranspose window; `output_shape` overrides the computed size, and
 * `output_padding` adds to it, as in ONNX.
 */
export function transposeWindow(
  attrs: Attributes,
  kernel: readonly number[],
  spatial: readonly number[],
): Window & { readonly outputPadding: readonly number[] } {
  const k = kernel.length;
  const strides = getInts(attrs, "strides", new Array(k).fill(1));
  const dilations = getInts(attrs, "dilations", new Array(k).fill(1));
  const outputPadding = getInts(attrs, "output_padding", new Array(k).fill(0));
  const pads = [...getInts(attrs, "pads", new Array(2 * k).fill(0))];
  const outputShape = getInts(attrs, "output_shape", []);
  const autoPad = getString(attrs, "auto_pad", "NOTSET");
  const out: number[] = [];
  for (let i = 0; i < k; i++) {
    const span = (kernel[i] - 1) * dilations[i] + 1;
    const full = strides[i] * (spatial[i] - 1) + outputPadding[i] + span;
    const target = outputShape.length === k
      ? outputShape[i]
      : autoPad === "SAME_UPPER" || autoPad === "SAME_LOWER"
      ? spatial[i] * strides[i]
      : undefined;
    if (target !== undefined) {
      const total = Math.max(0, full - target);
      const small = Math.floor(total / 2);
      // ONNX puts the larger half at the start unless auto_pad is SAME_UPPER.
      pads[i] = autoPad === "SAME_UPPER" ? small : total - small;
      pads[i + k] = total - pads[i];
      out.push(target);
    } else {
      out.push(full - pads[i] - pads[i + k]);
    }
  }
  return { kernel, strides, dilations, pads, out, outputPadding };
}

/** The elements a Slice takes along one axis: first index, count and step. */
export interface SliceRange {
  readonly start: number;
  readonly count: number;
  readonly step: number;
}

/**
 * Clamps ONNX Slice bounds for one axis of size `dim` (negative bounds count from the end,
 * out-of-range bounds are clamped, as the ONNX spec says).
 *
 * @example
 * ```ts
 * import { sliceRange } from "./geometry.ts";
 * console.assert(sliceRange(10, -3, 1e9, 1).count === 3);
 * console.assert(sliceRange(10, -1, -1e9, -1).count === 10);
 * ```
 */
export function sliceRange(dim: number, start: number, end: number, step: number): SliceRange {
  if (step === 0) throw new RangeError("Slice step must not be 0");
  let s = start < 0 ? start + dim : start;
  let e = end < 0 ? end + dim : end;
  if (step > 0) {
    s = Math.min(Math.max(s, 0), dim);
    e = Math.min(Math.max(e, 0), dim);
  } else {
    s = Math.min(Math.max(s, 0), dim - 1);
    e = Math.min(Math.max(e, -1), dim - 1);
  }
  const count = Math.max(0, Math.ceil((e - s) / step));
  return { start: s, count, step };
}
