/**
 * Retraining-free int8 weight quantization: symmetric, per output channel (axis 0), zero point
 * 0, values in [-127, 127] (the -128 code is left unused so that the range is symmetric).
 *
 * @module
 */

/** A weight quantized per output channel. */
export interface QuantizedWeight {
  readonly q: Int8Array;
  /** One scale per output channel: `w ≈ q * scale`. */
  readonly scale: Float32Array;
}

/**
 * Quantizes a row-major weight whose axis 0 has `rows` output channels. A channel of zeros gets
 * scale 1 (any scale represents it exactly). Rounding is half-to-even, as ONNX QuantizeLinear.
 *
 * @example
 * ```ts
 * import { quantizePerChannel } from "./quantize.ts";
 * const { q, scale } = quantizePerChannel(new Float32Array([0.5, -1, 2, 1]), 2);
 * console.assert(q[1] === -127 && q[2] === 127 && Math.abs(scale[1] - 2 / 127) < 1e-9);
 * ```
 */
export function quantizePerChannel(w: ArrayLike<number>, rows: number): QuantizedWeight {
  const per = (w.length / rows) | 0;
  const q = new Int8Array(w.length), scale = new Float32Array(rows);
  // Plain comparisons (no Math.abs/Math.max calls, no `%`) and integer loop bounds: this runs on
  // every weight of an int8 configuration at evolution time.
  for (let r = 0, base = 0; r < rows; r++, base += per) {
    let max = 0;
    for (let i = base, end = base + per; i < end; i++) {
      const v = w[i];
      if (v > max) max = v;
      else if (-v > max) max = -v;
    }
    const s = Math.fround(max > 0 ? max / 127 : 1);
    scale[r] = s;
    for (let i = base, end = base + per; i < end; i++) {
      const v = w[i] / s;
      let n = Math.round(v); // ties up; to even below, as ONNX QuantizeLinear
      if (n - v === 0.5 && (n & 1) !== 0) n -= 1;
      q[i] = n > 127 ? 127 : n < -127 ? -127 : n;
    }
  }
  return { q, scale };
}
