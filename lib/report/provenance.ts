/**
 * Provenance of figures. Every number adaspring reports says where it came from, so a reader
 * can tell a measurement on this machine from one on a device from a model's estimate.
 *
 * @module
 */

/**
 * - `measured-here`: measured by this run on the machine that ran the command;
 * - `measured-on-device`: measured on a named device (e.g. a Pi 4 running adaspring, or a
 *   power-meter log the user supplied), `source` names it;
 * - `modeled`: computed from a model (a platform file, a predictor); `source` names the model.
 */
export type Provenance = "measured-here" | "measured-on-device" | "modeled";

/** All provenance labels, for validation. */
export const PROVENANCES: readonly Provenance[] = [
  "measured-here",
  "measured-on-device",
  "modeled",
];

/** A reported number with its unit and provenance. */
export interface Figure {
  value: number;
  unit: string;
  provenance: Provenance;
  /** What measured or modelled it: a device name, a predictor, a platform file. */
  source?: string;
}

/**
 * A figure measured by this run on this machine.
 *
 * @example
 * ```ts
 * import { measuredHere } from "./provenance.ts";
 * const f = measuredHere(1.25, "ms", "onnxruntime-web wasm, 1 thread");
 * console.assert(f.provenance === "measured-here");
 * ```
 */
export function measuredHere(value: number, unit: string, source?: string): Figure {
  return source === undefined
    ? { value, unit, provenance: "measured-here" }
    : { value, unit, provenance: "measured-here", source };
}

/** A figure measured on a named device (not this machine). */
export function measuredOnDevice(value: number, unit: string, device: string): Figure {
  return { value, unit, provenance: "measured-on-device", source: device };
}

/** A figure computed from a model; `source` names the model (e.g. `configs/platforms/pi4.yaml`). */
export function modeled(value: number, unit: string, source: string): Figure {
  return { value, unit, provenance: "modeled", source };
}

/** True when `x` has the shape of a {@link Figure}. */
export function isFigure(x: unknown): x is Figure {
  if (typeof x !== "object" || x === null) return false;
  const f = x as Record<string, unknown>;
  return typeof f.value === "number" && typeof f.unit === "string" &&
    PROVENANCES.includes(f.provenance as Provenance);
}
