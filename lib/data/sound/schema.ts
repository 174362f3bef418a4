/**
 * `dataset:` options of the `sound` source: audio clips as log-mel spectrograms.
 *
 * Without `path`, clips come from the built-in event generator (see `synthetic.ts`); with
 * `path`, from a folder of WAV files with one subfolder per class (Speech Commands or ESC-50
 * style, see `folder.ts`). Either way every clip is resampled to `sampleRate`, padded or
 * trimmed to `clipSeconds`, and turned into `log(mel power + logOffset)` of shape
 * `[1, nMels, frames]`, with `frames = 1 + floor(sampleRate * clipSeconds / hop)`.
 *
 * @example
 * ```ts
 * import { soundOptionsSchema } from "./schema.ts";
 * const spec = soundOptionsSchema.parse({ source: "sound", synthetic: { clipsPerClass: 10 } });
 * console.assert(spec.nMels === 40 && spec.hop === 160 && spec.synthetic.clipsPerClass === 10);
 * ```
 *
 * @module
 */
import { z } from "zod";
import { datasetCommonShape } from "../../config/dataset_common.ts";

const positiveInt = (error: string) => z.int({ error }).positive({ error });

/** Parameters of the synthetic event generator. */
export const soundSyntheticSchema = z.strictObject({
  clipsPerClass: positiveInt("expected a positive integer").default(300)
    .describe("clips generated per event class"),
  snrDb: z.tuple([z.number(), z.number()])
    .refine(([lo, hi]) => lo <= hi, { error: "expected [low, high] with low <= high" })
    .default([0, 20])
    .describe("event-to-background signal-to-noise ratio, drawn uniformly from [low, high] dB"),
});

/** `dataset:` block of the `sound` source. */
export const soundOptionsSchema = z.strictObject({
  source: z.literal("sound"),
  ...datasetCommonShape,
  sampleRate: positiveInt("expected a sample rate in Hz (positive integer)").default(16000),
  clipSeconds: z.number().positive({ error: "expected a duration in seconds > 0" }).default(1),
  nFft: positiveInt("expected a power of two").refine((n) => n >= 16 && (n & (n - 1)) === 0, {
    error: "expected a power of two >= 16 (FFT size)",
  }).default(512),
  hop: positiveInt("expected a hop in samples (positive integer)").default(160)
    .describe("samples between STFT frames (160 = 10 ms at 16 kHz)"),
  window: z.enum(["hann", "hamming"]).default("hann"),
  pad: z.enum(["reflect", "zero"]).default("reflect")
    .describe("how the signal is extended for the centred first and last frames"),
  nMels: positiveInt("expected a positive integer").default(40),
  fMin: z.number().min(0, { error: "expected a frequency >= 0 Hz" }).default(20),
  fMax: z.number().positive({ error: "expected a frequency > 0 Hz" }).optional()
    .describe("upper edge of the mel filterbank; default sampleRate / 2"),
  logOffset: z.number().positive({ error: "expected a number > 0" }).default(1e-6)
    .describe("added to mel power before the log, so silence stays finite"),
  synthetic: soundSyntheticSchema.prefault({}),
}).superRefine((s, ctx) => {
  const nyquist = s.sampleRate / 2;
  const fMax = s.fMax ?? nyquist;
  if (fMax > nyquist) {
    ctx.addIssue({
      code: "custom",
      path: ["fMax"],
      message: `expected at most sampleRate / 2 = ${nyquist} Hz`,
    });
  }
  if (s.fMin >= fMax) {
    ctx.addIssue({ code: "custom", path: ["fMin"], message: `expected less than fMax (${fMax})` });
  }
  if (s.hop > s.nFft) {
    ctx.addIssue({
      code: "custom",
      path: ["hop"],
      message: `expected at most nFft (${s.nFft}), or samples are skipped`,
    });
  }
});

/** A parsed `sound` dataset block. */
export type SoundSpec = z.output<typeof soundOptionsSchema>;
