/**
 * Mel scale and triangular mel filterbank.
 *
 * The **HTK** mel scale is used: `mel(f) = 2595 log10(1 + f / 700)`, so 1000 Hz is (almost
 * exactly) 1000 mel. It is the scale of HTK, Kaldi and TensorFlow's `linear_to_mel_weight_matrix`
 * (librosa's `htk=True`), and unlike Slaney's it has one formula over the whole range.
 *
 * Filters are triangles on the linear-frequency axis with corners at `nMels + 2` points equally
 * spaced in mel between `fMin` and `fMax`; each peaks at 1 at its centre frequency
 * (no area normalisation), and neighbouring triangles sum to 1 between the first and last
 * centre, so a flat spectrum stays flat in the mel domain.
 *
 * @module
 */

/**
 * Hertz to HTK mel.
 *
 * @example
 * ```ts
 * import { hzToMel } from "./mel.ts";
 * console.assert(Math.abs(hzToMel(1000) - 1000) < 0.02);
 * ```
 */
export function hzToMel(hz: number): number {
  return 2595 * Math.log10(1 + hz / 700);
}

/**
 * HTK mel to hertz (inverse of {@link hzToMel}).
 *
 * @example
 * ```ts
 * import { hzToMel, melToHz } from "./mel.ts";
 * console.assert(Math.abs(melToHz(hzToMel(440)) - 440) < 1e-9);
 * ```
 */
export function melToHz(mel: number): number {
  return 700 * (10 ** (mel / 2595) - 1);
}

/** Filterbank parameters. */
export interface MelOptions {
  sampleRate: number;
  nFft: number;
  nMels: number;
  fMin: number;
  /** At most `sampleRate / 2`. */
  fMax: number;
}

/**
 * A mel filterbank, stored densely by row with each row's non-zero range for speed:
 * `weights[m * bins + k]` weights FFT bin k in mel band m.
 */
export interface MelFilterbank {
  nMels: number;
  bins: number;
  weights: Float64Array;
  /** First bin with a non-zero weight, per band. */
  lo: Int32Array;
  /** One past the last bin with a non-zero weight, per band. */
  hi: Int32Array;
  /** Centre frequency (Hz) of each band. */
  centers: Float64Array;
}

/**
 * Build the filterbank. Throws a RangeError when a band gets no FFT bin (too many mels for
 * the FFT's resolution), since an all-zero band only feeds `log(offset)` to the model.
 *
 * @example
 * ```ts
 * import { melFilterbank } from "./mel.ts";
 * const fb = melFilterbank({ sampleRate: 16000, nFft: 512, nMels: 40, fMin: 20, fMax: 8000 });
 * console.assert(fb.bins === 257 && fb.centers.length === 40);
 * ```
 */
export function melFilterbank(options: MelOptions): MelFilterbank {
  const { sampleRate, nFft, nMels, fMin, fMax } = options;
  if (!(fMin >= 0 && fMax > fMin && fMax <= sampleRate / 2)) {
    throw new RangeError(
      `mel range must satisfy 0 <= fMin < fMax <= sampleRate/2, got ${fMin}..${fMax} Hz ` +
        `at ${sampleRate} Hz`,
    );
  }
  const bins = nFft / 2 + 1;
  const lowMel = hzToMel(fMin), highMel = hzToMel(fMax);
  const corners = new Float64Array(nMels + 2);
  for (let i = 0; i < nMels + 2; i++) {
    corners[i] = melToHz(lowMel + ((highMel - lowMel) * i) / (nMels + 1));
  }
  const weights = new Float64Array(nMels * bins);
  const lo = new Int32Array(nMels).fill(bins), hi = new Int32Array(nMels).fill(0);
  for (let m = 0; m < nMels; m++) {
    const left = corners[m], centre = corners[m + 1], right = corners[m + 2];
    for (let k = 0; k < bins; k++) {
      const f = (k * sampleRate) / nFft;
      const up = (f - left) / (centre - left);
      const down = (right - f) / (right - centre);
      const w = Math.max(0, Math.min(up, down));
      if (w > 0) {
        weights[m * bins + k] = w;
        lo[m] = Math.min(lo[m], k);
        hi[m] = k + 1;
      }
    }
    if (hi[m] === 0) {
      throw new RangeError(
        `mel band ${m} (${left.toFixed(1)}-${right.toFixed(1)} Hz) contains no FFT bin: ` +
          `use fewer mel bands, a larger nFft, or a higher fMin`,
      );
    }
  }
  return { nMels, bins, weights, lo, hi, centers: corners.slice(1, nMels + 1) };
}

/**
 * Apply a filterbank to a frame-major power spectrogram; the result is band-major
 * (`out[m * frames + t]`), i.e. an image of nMels rows and one column per frame.
 *
 * @example
 * ```ts
 * import { applyMel, melFilterbank } from "./mel.ts";
 * const fb = melFilterbank({ sampleRate: 8000, nFft: 64, nMels: 4, fMin: 0, fMax: 4000 });
 * const mel = applyMel(fb, new Float64Array(2 * 33).fill(1), 2);
 * console.assert(mel.length === 8);
 * ```
 */
export function applyMel(fb: MelFilterbank, power: Float64Array, frames: number): Float64Array {
  const { nMels, bins, weights, lo, hi } = fb;
  if (power.length !== frames * bins) {
    throw new RangeError(`applyMel: expected ${frames}x${bins} power values, got ${power.length}`);
  }
  const out = new Float64Array(nMels * frames);
  for (let m = 0; m < nMels; m++) {
    const w0 = m * bins;
    for (let t = 0; t < frames; t++) {
      const p0 = t * bins;
      let acc = 0;
      for (let k = lo[m]; k < hi[m]; k++) acc += weights[w0 + k] * power[p0 + k];
      out[m * frames + t] = acc;
    }
  }
  return out;
}
