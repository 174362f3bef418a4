/**
 * `dataset:` options of the `sensor` source: anomaly detection on windows of the Suthaharan
 * single-hop sensor network readings (humidity and temperature of 4 TelosB motes, one reading
 * every 5 s over six hours, 149 readings labelled as an introduced event).
 *
 * Windows: per mote, `window` consecutive readings, one channel per feature, taken every
 * `stride` readings inside contiguous time blocks of `block` readings. A window never crosses a
 * block boundary, and a block is the split's group, so overlapping windows never land in two
 * splits. Label: see {@link SENSOR_LABEL_RULES}.
 *
 * @example
 * ```ts
 * import { sensorOptionsSchema } from "./schema.ts";
 * const spec = sensorOptionsSchema.parse({ source: "sensor", window: 32 });
 * console.assert(spec.stride === 4 && spec.label === "any" && spec.block === 64);
 * ```
 *
 * @module
 */
import { z } from "zod";
import { datasetCommonShape } from "../../config/dataset_common.ts";
import { positiveInt } from "../../config/fields.ts";

/** Features (CSV columns) a window may use, one channel each, in this order. */
export const SENSOR_FEATURES = ["humidity", "temperature"] as const;

/**
 * How a window's label follows from its readings' labels:
 * - `any`: anomalous when at least one reading is (detects an event as soon as it enters);
 * - `majority`: anomalous when more than half are (cleaner labels, fewer positives);
 * - `last`: the label of the newest reading (online detection of the current state).
 */
export const SENSOR_LABEL_RULES = ["any", "majority", "last"] as const;

/** `dataset:` block of the `sensor` source. */
export const sensorOptionsSchema = z.strictObject({
  source: z.literal("sensor"),
  ...datasetCommonShape,
  window: positiveInt().min(2, { error: "expected a window of at least 2 readings" }).default(16)
    .describe("readings per window (5 s apart): 16 = 80 s"),
  stride: positiveInt().default(4).describe("readings between the starts of two windows"),
  block: positiveInt().default(64)
    .describe("readings per contiguous time block (the split group); at least `window`"),
  features: z.array(z.enum(SENSOR_FEATURES)).min(1, { error: "expected at least one feature" })
    .default([...SENSOR_FEATURES])
    .refine((f) => new Set(f).size === f.length, { error: "expected each feature once" }),
  label: z.enum(SENSOR_LABEL_RULES).default("any"),
  motes: z.array(positiveInt()).min(1, { error: "expected at least one mote id" }).optional()
    .describe("mote ids to use (default: all in the file)"),
}).refine((s) => s.block >= s.window, {
  error: "expected block >= window: a window must fit inside one time block",
  path: ["block"],
});

/** A parsed `sensor` dataset block. */
export type SensorSpec = z.output<typeof sensorOptionsSchema>;
