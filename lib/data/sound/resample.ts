/**
 * Sample-rate conversion by windowed-sinc interpolation.
 *
 * Each output sample is a sum of input samples weighted by a low-pass sinc kernel with a Hann
 * window, 16 zero crossings wide on each side. The cutoff is 0.95 of the lower of the two
 * Nyquist frequencies, so downsampling (44.1 kHz -> 16 kHz) does not fold content above the new
 * Nyquist back into the band, which linear interpolation would. Samples outside the signal
 * count as zero; the kernel is normalised to unit DC gain.
 *
 * @module
 */

/** Zero crossings of the sinc kernel on each side of its centre. */
const ZERO_CROSSINGS = 16;
/** Cutoff as a fraction of the lower Nyquist frequency, leaving room for the transition band. */
const ROLLOFF = 0.95;

/**
 * Resample `input` from `fromRate` to `toRate` Hz. Output length is `round(n * toRate /
 * fromRate)`. Returns a copy when the rates are equal.
 *
 * @example
 * ```ts
 * import { resample } from "./resample.ts";
 * const x = new Float32Array(44100).fill(0.5);
 * const y = resample(x, 44100, 16000);
 * console.assert(y.length === 16000 && Math.abs(y[8000] - 0.5) < 1e-3);
 * ```
 */
export function resample(input: Float32Array, fromRate: number, toRate: number): Float32Array {
  if (!(fromRate > 0) || !(toRate > 0)) {
    throw new RangeError(`resample: rates must be positive, got ${fromRate} -> ${toRate}`);
  }
  if (fromRate === toRate) return input.slice();
  const ratio = toRate / fromRate;
  const cutoff = ROLLOFF * Math.min(1, ratio); // in units of the input Nyquist
  const halfWidth = ZERO_CROSSINGS / cutoff; // in input samples
  const n = input.length;
  const out = new Float32Array(Math.round(n * ratio));
  for (let j = 0; j < out.length; j++) {
    const t = j / ratio; // position in input samples
    const lo = Math.ceil(t - halfWidth);
    const hi = Math.floor(t + halfWidth);
    let acc = 0;
    let norm = 0;
    for (let i = lo; i <= hi; i++) {
      const d = t - i;
      const w = kernel(d, cutoff, halfWidth);
      norm += w;
      if (i >= 0 && i < n) acc += w * input[i];
    }
    out[j] = norm === 0 ? 0 : acc / norm;
  }
  return out;
}

/** Hann-windowed sinc low-pass at `cutoff` (fraction of Nyquist), evaluated at offset `d`. */
function kernel(d: number, cutoff: number, halfWidth: number): number {
  const u = d / halfWidth;
  if (u <= -1 || u >= 1) return 0;
  const x = Math.PI * cutoff * d;
  const sinc = x === 0 ? 1 : Math.sin(x) / x;
  return cutoff * sinc * 0.5 * (1 + Math.cos(Math.PI * u));
}
