/**
 * Log-mel features: STFT power -> mel filterbank -> `log(mel + offset)`, the input of every
 * adaspring audio model, shaped `[1, nMels, frames]` (one channel, mel bands as rows).
 *
 * @module
 */
import { applyMel, melFilterbank } from "./mel.ts";
import { createStft, frameCount, type PadMode, type WindowKind } from "./stft.ts";

/** Everything that fixes the feature layout. */
export interface LogMelOptions {
  sampleRate: number;
  nFft: number;
  hop: number;
  window: WindowKind;
  pad: PadMode;
  nMels: number;
  fMin: number;
  fMax: number;
  /** Added to mel power before the natural log. */
  logOffset: number;
}

/** A featuriser for clips of one fixed length. */
export interface LogMel {
  /** `[1, nMels, frames]`. */
  inputShape: [number, number, number];
  /** Values per clip: `nMels * frames`. */
  size: number;
  /** Write the features of `clip` (of the fixed length) into `out` starting at `offset`. */
  write(clip: Float32Array, out: Float32Array, offset: number): void;
}

/**
 * Build a log-mel featuriser for clips of `clipLength` samples.
 *
 * @example
 * ```ts
 * import { createLogMel } from "./logmel.ts";
 * const lm = createLogMel({
 *   sampleRate: 16000, nFft: 512, hop: 160, window: "hann", pad: "reflect",
 *   nMels: 40, fMin: 20, fMax: 8000, logOffset: 1e-6,
 * }, 16000);
 * const out = new Float32Array(lm.size);
 * lm.write(new Float32Array(16000), out, 0);
 * console.assert(lm.inputShape[2] === 101 && Math.abs(out[0] - Math.log(1e-6)) < 1e-5);
 * ```
 */
export function createLogMel(options: LogMelOptions, clipLength: number): LogMel {
  const stft = createStft({
    nFft: options.nFft,
    hop: options.hop,
    window: options.window,
    pad: options.pad,
  });
  const fb = melFilterbank(options);
  const frames = frameCount(clipLength, options.hop);
  const size = options.nMels * frames;
  return {
    inputShape: [1, options.nMels, frames],
    size,
    write(clip: Float32Array, out: Float32Array, offset: number): void {
      if (clip.length !== clipLength) {
        throw new RangeError(`log-mel expects clips of ${clipLength} samples, got ${clip.length}`);
      }
      const spec = stft(clip);
      const mel = applyMel(fb, spec.power, spec.frames);
      for (let i = 0; i < size; i++) out[offset + i] = Math.log(mel[i] + options.logOffset);
    },
  };
}
