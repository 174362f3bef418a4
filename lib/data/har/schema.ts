/**
 * `dataset:` options of the `har` source: human activity recognition from a waist-worn
 * phone's 3-axis accelerometer, six activities, windows of `windowLength` samples at
 * `sampleRate` Hz, shaped `[3, windowLength]` (x, y, z rows, in g, gravity included).
 *
 * Without `path`, windows come from the built-in motion generator (see `synthetic.ts`); with
 * `path`, from a copy of the UCI HAR Dataset (the folder holding `activity_labels.txt`,
 * `train/` and `test/`, see `uci.ts`), whose windows are 128 samples at 50 Hz.
 *
 * @example
 * ```ts
 * import { harOptionsSchema } from "./schema.ts";
 * const spec = harOptionsSchema.parse({ source: "har", synthetic: { subjects: 6 } });
 * console.assert(spec.windowLength === 128 && spec.synthetic.subjects === 6);
 * ```
 *
 * @module
 */
import { z } from "zod";
import { datasetCommonShape } from "../../config/dataset_common.ts";

const positiveInt = (error: string) => z.int({ error }).positive({ error });
const degrees = () => z.number().min(0, { error: "expected an angle >= 0 degrees" });

/** Parameters of the synthetic motion generator. */
export const harSyntheticSchema = z.strictObject({
  subjects: z.int().min(2, { error: "expected at least 2 subjects (splits are by subject)" })
    .default(30).describe("simulated people; each is one split group (as UCI HAR's 30)"),
  windowsPerActivity: positiveInt("expected a positive integer").default(57)
    .describe("windows per subject and activity (UCI HAR averages 57)"),
  noise: z.number().min(0, { error: "expected a noise level >= 0 g" }).default(0.015)
    .describe("accelerometer white noise, standard deviation in g"),
  mountJitterDeg: degrees().default(10)
    .describe("per-person random rotation of the phone on the waist, std per axis (degrees)"),
  windowJitterDeg: degrees().default(3)
    .describe("per-window random rotation (the phone shifting in the belt), std per axis"),
});

/** `dataset:` block of the `har` source. */
export const harOptionsSchema = z.strictObject({
  source: z.literal("har"),
  ...datasetCommonShape,
  sampleRate: z.number().positive({ error: "expected a sample rate in Hz > 0" }).default(50),
  windowLength: z.int().min(16, { error: "expected a window of at least 16 samples" })
    .default(128),
  synthetic: harSyntheticSchema.prefault({}),
});

/** A parsed `har` dataset block. */
export type HarSpec = z.output<typeof harOptionsSchema>;
