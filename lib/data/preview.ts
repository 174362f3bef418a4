/**
 * A picture of a few training samples per class, drawn the way the modality is read: an image
 * grid for images, heatmaps for spectrograms, signal traces for motion and sensor windows.
 * Samples are shown in their original units (normalisation undone).
 *
 * @module
 */
import { heatmapGrid, imageGrid, lineTraces } from "../plot/mod.ts";
import type { SampleView } from "./registry.ts";
import type { PreparedDataset } from "./types.ts";

/** Indices of the first `perClass` training samples of each class (deterministic). */
export function firstPerClass(y: Int32Array, classes: number, perClass: number): number[][] {
  const out = Array.from({ length: classes }, () => [] as number[]);
  for (let i = 0; i < y.length; i++) {
    if (out[y[i]].length < perClass) out[y[i]].push(i);
  }
  return out;
}

/** Sample `i` of the training split, de-normalised, as a fresh array. */
function rawSample(ds: PreparedDataset, i: number): Float32Array {
  const size = ds.inputShape.reduce((a, b) => a * b, 1);
  const per = size / ds.inputShape[0];
  const x = ds.train.x.slice(i * size, (i + 1) * size);
  for (let k = 0; k < size; k++) {
    const c = Math.floor(k / per);
    x[k] = x[k] * ds.normalization.std[c] + ds.normalization.mean[c];
  }
  return x;
}

/**
 * SVG of training samples per class (`perClass` defaults: 8 images, 2 spectrograms or traces).
 *
 * @example
 * ```ts ignore
 * import { samplePreview } from "./preview.ts";
 * const svg = await samplePreview(prepared, "image");
 * ```
 */
export async function samplePreview(
  ds: PreparedDataset,
  view: SampleView,
  perClass = view === "image" ? 8 : 2,
): Promise<string> {
  const picks = firstPerClass(ds.train.y, ds.classes.length, perClass);
  const title = `${ds.task}: training samples per class (${ds.provenance})`;
  const [channels, rows, cols] = ds.inputShape;
  if (view === "image") {
    const images = picks.flatMap((list, c) =>
      list.map((i) => ({
        pixels: rawSample(ds, i),
        height: rows,
        width: cols,
        channels: channels === 3 ? 3 as const : 1 as const,
        label: ds.classes[c],
      }))
    );
    return imageGrid(images, { columns: perClass, title });
  }
  if (view === "spectrogram") {
    const panels = picks.flatMap((list, c) =>
      list.map((i, k) => ({
        values: rawSample(ds, i),
        rows,
        cols,
        label: `${ds.classes[c]} #${k + 1}`,
      }))
    );
    return heatmapGrid(panels, {
      columns: perClass * 2,
      title,
      xTitle: "frame",
      yTitle: "mel bin",
      legendTitle: "log power",
    });
  }
  const length = rows;
  const panels = picks.flatMap((list, c) =>
    list.map((i, k) => {
      const x = rawSample(ds, i);
      return {
        label: `${ds.classes[c]} #${k + 1}`,
        series: Array.from({ length: channels }, (_, ch) => ({
          name: ds.channelNames?.[ch] ?? `channel ${ch}`,
          values: x.subarray(ch * length, (ch + 1) * length),
        })),
      };
    })
  );
  return await lineTraces(panels, { columns: perClass * 2, title, xTitle: "time step" });
}
