/**
 * Per-channel standardisation. Statistics come from the training split only (computing them
 * on val/test would leak their distribution into training) and are applied to every split.
 *
 * @module
 */
import type { Normalization, Samples } from "./types.ts";

/** A channel whose spread is below this is left unscaled (std recorded as 1). */
const MIN_STD = 1e-6;

/**
 * Mean and (population) standard deviation of each channel over all samples of `x`, where a
 * sample is `channels` consecutive runs of equal length (channels-first layout).
 *
 * @example
 * ```ts
 * import { channelStats } from "./normalize.ts";
 * // two samples, 2 channels of 2 values: channel 0 = 1,3,1,3; channel 1 = 10 everywhere
 * const s = channelStats(Float32Array.from([1, 3, 10, 10, 1, 3, 10, 10]), 2, 4);
 * console.assert(s.mean.join() === "2,10" && s.std.join() === "1,1");
 * ```
 */
export function channelStats(x: Float32Array, channels: number, sampleSize: number): Normalization {
  const per = sampleSize / channels;
  if (!Number.isInteger(per)) {
    throw new RangeError(`sample size ${sampleSize} is not a multiple of ${channels} channels`);
  }
  const count = x.length / sampleSize;
  const mean: number[] = [], std: number[] = [];
  for (let c = 0; c < channels; c++) {
    // Two passes in float64: stable enough for 47M MNIST pixels, where one-pass sums are not.
    let sum = 0;
    for (let i = 0; i < count; i++) {
      const base = i * sampleSize + c * per;
      for (let t = 0; t < per; t++) sum += x[base + t];
    }
    const m = count ? sum / (count * per) : 0;
    let sq = 0;
    for (let i = 0; i < count; i++) {
      const base = i * sampleSize + c * per;
      for (let t = 0; t < per; t++) sq += (x[base + t] - m) ** 2;
    }
    const s = count ? Math.sqrt(sq / (count * per)) : 1;
    mean.push(m);
    std.push(s < MIN_STD ? 1 : s);
  }
  return { mean, std };
}

/**
 * Standardise `samples.x` in place with `stats` ((x - mean) / std per channel).
 *
 * @example
 * ```ts
 * import { applyNormalization } from "./normalize.ts";
 * const s = { x: Float32Array.from([1, 3]), y: Int32Array.from([0]) };
 * applyNormalization(s, { mean: [2], std: [1] }, 2);
 * console.assert(s.x.join() === "-1,1");
 * ```
 */
export function applyNormalization(
  samples: Samples,
  stats: Normalization,
  sampleSize: number,
): void {
  const channels = stats.mean.length, per = sampleSize / channels;
  const { x } = samples;
  for (let i = 0; i < x.length; i += sampleSize) {
    for (let c = 0; c < channels; c++) {
      const m = stats.mean[c], inv = 1 / stats.std[c];
      const base = i + c * per;
      for (let t = 0; t < per; t++) x[base + t] = (x[base + t] - m) * inv;
    }
  }
}
