/**
 * The loader registry: for each dataset source, the function that loads it, its version (part
 * of the cache key: bump it when the loader's output changes) and how its samples are drawn
 * in previews. Loaders are imported lazily, so preparing MNIST does not load the audio stack.
 *
 * @module
 */
import type { DatasetSource, SpecOf } from "../config/dataset.ts";
import type { LoaderContext, RawDataset } from "./types.ts";

/** How a source's samples are pictured: image grid, spectrogram heatmaps, or signal traces. */
export type SampleView = "image" | "spectrogram" | "signal";

/** A registered loader. */
export interface LoaderEntry<S extends DatasetSource> {
  /** Load all samples of the source (before split and normalisation). */
  load(spec: SpecOf<S>, ctx: LoaderContext): Promise<RawDataset>;
  /** `<source>@<n>`: bump n whenever the loader's output for the same spec changes. */
  version: string;
  view: SampleView;
}

/** Every source's loader. */
export const LOADERS: { [S in DatasetSource]: LoaderEntry<S> } = {
  mnist: {
    load: async (spec, ctx) => (await import("./images/mod.ts")).loadMnist(spec, ctx),
    version: "mnist@1",
    view: "image",
  },
  fashion: {
    load: async (spec, ctx) => (await import("./images/mod.ts")).loadFashion(spec, ctx),
    version: "fashion@1",
    view: "image",
  },
  sensor: {
    load: async (spec, ctx) => (await import("./sensor/mod.ts")).loadSensor(spec, ctx),
    version: "sensor@1",
    view: "signal",
  },
  har: {
    load: async (spec, ctx) => (await import("./har/mod.ts")).loadHar(spec, ctx),
    version: "har@2",
    view: "signal",
  },
  sound: {
    load: async (spec, ctx) => (await import("./sound/mod.ts")).loadSound(spec, ctx),
    version: "sound@1",
    view: "spectrogram",
  },
};

/**
 * The loader entry of `source`.
 *
 * @example
 * ```ts
 * import { loaderFor } from "./registry.ts";
 * console.assert(loaderFor("mnist").view === "image");
 * ```
 */
export function loaderFor<S extends DatasetSource>(source: S): LoaderEntry<S> {
  return LOADERS[source] as LoaderEntry<S>;
}
