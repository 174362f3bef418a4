/**
 * Fields every `dataset:` block shares, whatever its `source`: `path`, `split`, `limit`.
 *
 * Each source's schema spreads {@link datasetCommonShape} into its own `z.strictObject`, so the
 * common fields are spelled, defaulted and documented once.
 *
 * @example
 * ```ts
 * import { z } from "zod";
 * import { datasetCommonShape } from "./dataset_common.ts";
 * const schema = z.strictObject({ source: z.literal("mnist"), ...datasetCommonShape });
 * const spec = schema.parse({ source: "mnist" });
 * console.assert(spec.split.val === 0.1 && spec.split.test === 0.2);
 * ```
 *
 * @module
 */
import { z } from "zod";
import { positiveInt } from "./fields.ts";

const splitFraction = () =>
  z.number({ error: "expected a fraction between 0 and 0.5" })
    .min(0, { error: "expected a fraction between 0 and 0.5" })
    .max(0.5, { error: "expected a fraction between 0 and 0.5" });

/**
 * Fractions of the samples held out for validation and test.
 *
 * `test` is used only when the source has no official test set (sensor, synthetic sources);
 * MNIST, Fashion-MNIST and UCI HAR keep their own test set, and `val` is taken from their
 * training set. `val + test` must leave at least half of the samples for training.
 */
export const splitSchema = z.strictObject({
  val: splitFraction().default(0.1)
    .describe(
      "fraction of the samples held out for validation (of the training set when the source has an official test set)",
    ),
  test: splitFraction().default(0.2)
    .describe("fraction held out for test, when the source has no official test set"),
}).refine((s) => s.val + s.test <= 0.5, {
  error: "expected split.val + split.test <= 0.5, so that training keeps at least half the data",
});

/** A parsed `split:` block. */
export type SplitSpec = z.infer<typeof splitSchema>;

/**
 * The common fields, as a plain object of zod schemas to spread into a source's strictObject.
 *
 * - `path`: overrides where the source's files are read from; relative paths are resolved
 *   against the task YAML's directory. Each source documents its default.
 * - `split`: see {@link splitSchema}; defaults to `{ val: 0.1, test: 0.2 }`.
 * - `limit`: at most this many samples per split (train, val, test), taken after the seeded
 *   split so that a limited run sees a random, not a leading, subset. For quick runs and CI.
 */
export const datasetCommonShape = {
  path: z.string().min(1, { error: "expected a non-empty path" }).optional()
    .describe("where the source's files are read from (relative to the task YAML)"),
  split: splitSchema.default({ val: 0.1, test: 0.2 }),
  limit: positiveInt().optional()
    .describe("at most this many samples per split, for quick runs and CI"),
} as const;
