/**
 * `dataset:` options of the `sensor` source: anomaly detection on windows of the Suthaharan
 * single-hop sensor network readings (humidity and temperature of 4 TelosB motes, one reading
 * every 5 s over six hours, 149 readings labelled as an introduced event).
 *
 * `path` names the single-hop CSV and `multiHopPath` the multi-hop one (both relative to the
 * task file); `network` picks which of them are read.
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

/**
 * Which deployment's readings to use: the single-hop network (the npm package, the default),
 * the multi-hop network (fetched by `scripts/fetch-sensor-multihop.sh`), or both, where the
 * multi-hop motes are numbered {@link MULTI_HOP_MOTE_OFFSET} + their id (101-104).
 */
export const SENSOR_NETWORKS = ["single-hop", "multi-hop", "both"] as const;

/** Added to multi-hop mote ids when both networks are loaded, so that ids stay unique. */
export const MULTI_HOP_MOTE_OFFSET = 100;

/** `dataset:` block of the `sensor` source. */
export const sensorOptionsSchema = z.strictObject({
  source: z.literal("sensor"),
  ...datasetCommonShape,
  network: z.enum(SENSOR_NETWORKS).default("single-hop")
    .describe("single-hop (default), multi-hop, or both deployments' readings"),
  multiHopPath: z.string().min(1).optional()
    .describe("the multi-hop CSV (default: cache/sources/, see scripts/fetch-sensor-multihop.sh)"),
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
