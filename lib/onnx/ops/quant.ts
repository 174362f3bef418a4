/**
 * Typed helpers for the QDQ quantization pair (QuantizeLinear / DequantizeLinear), per tensor
 * or per channel (`axis`). Rounding is half-to-even and saturating, as ONNX specifies.
 *
 * @example
 * ```ts
 * import { GraphBuilder } from "../graph.ts";
 * import { dequantizeLinear, quantizeLinear } from "./quant.ts";
 * import { tensor } from "../dtype.ts";
 * const g = new GraphBuilder();
 * const x = g.input("x", "float32", [4]);
 * const s = g.constant(tensor("float32", [], [0.1]));
 * const z = g.constant(tensor("int8", [], [0]));
 * const y = dequantizeLinear(quantizeLinear(x, s, z), s, z);
 * console.assert(y.dtype === "float32");
 * ```
 *
 * @module
 */
import { attr, definedAttrs } from "../attr.ts";
import type { Tensor } from "../graph.ts";
import type { Named } from "./nn.ts";

/** Options of the quantization helpers. */
export interface QuantOptions extends Named {
  /** Channel axis for per-channel scales (1-D scale/zero point). */
  readonly axis?: number;
}

/** `saturate(round(x / scale) + zeroPoint)` in the zero point's dtype (uint8 when omitted). */
export function quantizeLinear(
  x: Tensor,
  scale: Tensor,
  zeroPoint?: Tensor,
  o: QuantOptions = {},
): Tensor {
  const attrs = definedAttrs({ axis: o.axis === undefined ? undefined : attr.int(o.axis) });
  const ins = zeroPoint ? [x, scale, zeroPoint] : [x, scale];
  return x.graph.add1("QuantizeLinear", ins, attrs, { name: o.name });
}

/** `(x - zeroPoint) * scale` as float. */
export function dequantizeLinear(
  x: Tensor,
  scale: Tensor,
  zeroPoint?: Tensor,
  o: QuantOptions = {},
): Tensor {
  const attrs = definedAttrs({ axis: o.axis === undefined ? undefined : attr.int(o.axis) });
  const ins = zeroPoint ? [x, scale, zeroPoint] : [x, scale];
  return x.graph.add1("DequantizeLinear", ins, attrs, { name: o.name });
}
