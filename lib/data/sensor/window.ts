/**
 * Cutting mote series into labelled windows, grouped by contiguous time block.
 *
 * Why blocks: windows overlap (stride < window), so two neighbouring windows share readings.
 * If they landed in train and test, the test set would contain readings seen in training.
 * Each mote's time line is therefore cut into blocks of `block` readings; a window lies
 * entirely inside one block (readings that would straddle a boundary are not windowed), and
 * the block is the window's group, which the split keeps on one side.
 *
 * @module
 */
import type { Samples } from "../types.ts";
import type { MoteSeries } from "./csv.ts";
import type { SENSOR_FEATURES, SENSOR_LABEL_RULES } from "./schema.ts";

/** How windows are cut and labelled (the `sensor` options that matter here). */
export interface WindowOptions {
  window: number;
  stride: number;
  block: number;
  features: readonly (typeof SENSOR_FEATURES)[number][];
  label: (typeof SENSOR_LABEL_RULES)[number];
}

/** Windows of all motes: samples (x is `[features, window]` per sample) and bookkeeping. */
export interface SensorWindows {
  samples: Samples & { groups: Int32Array };
  /** Mote id of each window. */
  mote: Int32Array;
  /** Number of groups (time blocks that yielded at least one window). */
  groupCount: number;
}

/** Label of one window of readings `labels[start .. start+length)` under `rule`. */
export function windowLabel(
  labels: Uint8Array,
  start: number,
  length: number,
  rule: WindowOptions["label"],
): 0 | 1 {
  if (rule === "last") return labels[start + length - 1] ? 1 : 0;
  let hits = 0;
  for (let i = start; i < start + length; i++) hits += labels[i];
  if (rule === "any") return hits > 0 ? 1 : 0;
  return hits * 2 > length ? 1 : 0;
}

/**
 * Cut every mote's series into windows (see the module doc for the block rule). Windows must
 * cover consecutive reading numbers: a gap in the readings ends the windows before it.
 *
 * @example
 * ```ts
 * import { windowSeries } from "./window.ts";
 * const n = 8;
 * const series = [{
 *   mote: 1, reading: Int32Array.from({ length: n }, (_, i) => i + 1),
 *   humidity: new Float64Array(n).fill(40), temperature: new Float64Array(n).fill(20),
 *   label: Uint8Array.from([0, 0, 0, 0, 0, 0, 1, 0]),
 * }];
 * const w = windowSeries(series,
 *   { window: 2, stride: 2, block: 4, features: ["humidity"], label: "any" });
 * console.assert(w.samples.y.join() === "0,0,0,1" && w.samples.groups.join() === "0,0,1,1");
 * ```
 */
export function windowSeries(series: MoteSeries[], opts: WindowOptions): SensorWindows {
  const starts: { s: MoteSeries; start: number; group: number }[] = [];
  let group = 0;
  for (const s of series) {
    const n = s.reading.length;
    let a = 0;
    while (a < n) {
      // [a, b): the readings of one block, by reading number, so gaps do not shift blocks.
      const blockIndex = Math.floor((s.reading[a] - s.reading[0]) / opts.block);
      let b = a;
      while (b < n && Math.floor((s.reading[b] - s.reading[0]) / opts.block) === blockIndex) b++;
      let emitted = false;
      for (let start = a; start + opts.window <= b; start += opts.stride) {
        if (s.reading[start + opts.window - 1] - s.reading[start] !== opts.window - 1) continue;
        starts.push({ s, start, group });
        emitted = true;
      }
      if (emitted) group++;
      a = b;
    }
  }
  const c = opts.features.length, l = opts.window;
  const x = new Float32Array(starts.length * c * l);
  const y = new Int32Array(starts.length);
  const groups = new Int32Array(starts.length);
  const mote = new Int32Array(starts.length);
  starts.forEach(({ s, start, group }, i) => {
    opts.features.forEach((f, ch) => {
      const values = s[f];
      const base = (i * c + ch) * l;
      for (let t = 0; t < l; t++) x[base + t] = values[start + t];
    });
    y[i] = windowLabel(s.label, start, l, opts.label);
    groups[i] = group;
    mote[i] = s.mote;
  });
  return { samples: { x, y, groups }, mote, groupCount: group };
}
