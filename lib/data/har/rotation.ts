/**
 * 3-D rotations for the motion generator: 3x3 matrices, row-major in a Float64Array(9).
 *
 * @module
 */
import type { Rng } from "../../util/rng.ts";

/** A 3x3 matrix, row-major. */
export type Mat3 = Float64Array;

const DEG = Math.PI / 180;

/** Rotation by `rad` about the x axis. */
export function rotX(rad: number): Mat3 {
  const c = Math.cos(rad), s = Math.sin(rad);
  return Float64Array.of(1, 0, 0, 0, c, -s, 0, s, c);
}

/** Rotation by `rad` about the y axis. */
export function rotY(rad: number): Mat3 {
  const c = Math.cos(rad), s = Math.sin(rad);
  return Float64Array.of(c, 0, s, 0, 1, 0, -s, 0, c);
}

/** Rotation by `rad` about the z axis. */
export function rotZ(rad: number): Mat3 {
  const c = Math.cos(rad), s = Math.sin(rad);
  return Float64Array.of(c, -s, 0, s, c, 0, 0, 0, 1);
}

/**
 * Matrix product `a * b * ...` (the rightmost rotation is applied first).
 *
 * @example
 * ```ts
 * import { matMul, rotZ } from "./rotation.ts";
 * const m = matMul(rotZ(Math.PI / 2), rotZ(-Math.PI / 2));
 * console.assert(Math.abs(m[0] - 1) < 1e-12 && Math.abs(m[1]) < 1e-12);
 * ```
 */
export function matMul(...ms: Mat3[]): Mat3 {
  let out = Float64Array.of(1, 0, 0, 0, 1, 0, 0, 0, 1);
  for (const m of ms) {
    const r = new Float64Array(9);
    for (let i = 0; i < 3; i++) {
      for (let j = 0; j < 3; j++) {
        r[3 * i + j] = out[3 * i] * m[j] + out[3 * i + 1] * m[3 + j] + out[3 * i + 2] * m[6 + j];
      }
    }
    out = r;
  }
  return out;
}

/**
 * A random rotation with independent normal angles (std `stdDeg` degrees) about x, y and z:
 * a phone sitting slightly askew.
 *
 * @example
 * ```ts
 * import { jitterRotation } from "./rotation.ts";
 * import { createRng } from "../../util/rng.ts";
 * const m = jitterRotation(createRng(1), 0);
 * console.assert(m[0] === 1 && m[4] === 1 && m[8] === 1);
 * ```
 */
export function jitterRotation(rng: Rng, stdDeg: number): Mat3 {
  const s = stdDeg * DEG;
  return matMul(rotZ(s * rng.normal()), rotY(s * rng.normal()), rotX(s * rng.normal()));
}

/** Degrees to radians. */
export function rad(deg: number): number {
  return deg * DEG;
}
