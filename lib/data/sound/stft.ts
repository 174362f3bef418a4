/**
 * Short-time Fourier transform: framing, windowing, and the power spectrum of each frame.
 *
 * Conventions (the same as librosa's defaults, so figures compare):
 * - frames are centred: frame `t` covers samples `[t*hop - nFft/2, t*hop + nFft/2)`, so a
 *   signal of `n` samples gives `1 + floor(n / hop)` frames (101 for 1 s at 16 kHz, hop 160);
 * - the signal is extended at both ends by **reflection** (`x[-i] = x[i]`, edge not repeated)
 *   or by zeros, as configured; reflection avoids the artificial onset zero padding creates;
 * - windows are periodic (the DFT-even form, `w[k] = 0.5 - 0.5 cos(2 pi k / N)` for Hann),
 *   as spectral analysis wants, with window length = `nFft`;
 * - the output is unscaled power `|X[k]|^2`, bins `0 .. nFft/2` (one-sided).
 *
 * The FFT itself is fft.js's radix-4 real transform.
 *
 * @module
 */
import FFT from "fft.js";

/** Analysis window shape. */
export type WindowKind = "hann" | "hamming";
/** How the signal is extended beyond its ends for the centred first and last frames. */
export type PadMode = "reflect" | "zero";

/** STFT parameters. */
export interface StftOptions {
  /** FFT size and window length; a power of two (fft.js requirement). */
  nFft: number;
  /** Samples between frame starts. */
  hop: number;
  /** Default "hann". */
  window?: WindowKind;
  /** Default "reflect". */
  pad?: PadMode;
}

/** A power spectrogram, frame-major: `power[t * bins + k]` is bin k of frame t. */
export interface Spectrogram {
  frames: number;
  /** `nFft / 2 + 1`. */
  bins: number;
  power: Float64Array;
}

/**
 * A periodic window of `length` samples.
 *
 * @example
 * ```ts
 * import { makeWindow } from "./stft.ts";
 * const w = makeWindow("hann", 4);
 * console.assert(w[0] === 0 && Math.abs(w[2] - 1) < 1e-12);
 * ```
 */
export function makeWindow(kind: WindowKind, length: number): Float64Array {
  const a0 = kind === "hann" ? 0.5 : 0.54;
  const w = new Float64Array(length);
  for (let k = 0; k < length; k++) w[k] = a0 - (1 - a0) * Math.cos((2 * Math.PI * k) / length);
  return w;
}

/**
 * Number of centred frames for a signal of `n` samples.
 *
 * @example
 * ```ts
 * import { frameCount } from "./stft.ts";
 * console.assert(frameCount(16000, 160) === 101);
 * ```
 */
export function frameCount(n: number, hop: number): number {
  return 1 + Math.floor(n / hop);
}

/** Index into a signal of length n, extended by reflection (period 2(n-1)). */
function reflectIndex(i: number, n: number): number {
  if (n === 1) return 0;
  const period = 2 * (n - 1);
  let j = ((i % period) + period) % period;
  if (j >= n) j = period - j;
  return j;
}

/**
 * Build an STFT for fixed options; the returned function reuses its FFT plan and buffers, so
 * call it for many clips.
 *
 * @example
 * ```ts
 * import { createStft } from "./stft.ts";
 * const stft = createStft({ nFft: 512, hop: 160 });
 * const spec = stft(new Float32Array(16000));
 * console.assert(spec.frames === 101 && spec.bins === 257);
 * ```
 */
export function createStft(options: StftOptions): (signal: Float32Array) => Spectrogram {
  const { nFft, hop } = options;
  if (!Number.isInteger(nFft) || nFft < 4 || (nFft & (nFft - 1)) !== 0) {
    throw new RangeError(`STFT nFft must be a power of two >= 4, got ${nFft}`);
  }
  if (!Number.isInteger(hop) || hop < 1) {
    throw new RangeError(`STFT hop must be a positive integer, got ${hop}`);
  }
  const pad = options.pad ?? "reflect";
  const window = makeWindow(options.window ?? "hann", nFft);
  const fft = new FFT(nFft);
  const frame = new Float64Array(nFft);
  const spectrum = new Float64Array(2 * nFft);
  const bins = nFft / 2 + 1;
  const half = nFft / 2;

  return (signal: Float32Array): Spectrogram => {
    const n = signal.length;
    if (n === 0) throw new RangeError("STFT of an empty signal");
    const frames = frameCount(n, hop);
    const power = new Float64Array(frames * bins);
    for (let t = 0; t < frames; t++) {
      const start = t * hop - half;
      for (let k = 0; k < nFft; k++) {
        const i = start + k;
        let v: number;
        if (i >= 0 && i < n) v = signal[i];
        else v = pad === "reflect" ? signal[reflectIndex(i, n)] : 0;
        frame[k] = v * window[k];
      }
      fft.realTransform(spectrum, frame);
      const row = t * bins;
      for (let k = 0; k < bins; k++) {
        const re = spectrum[2 * k], im = spectrum[2 * k + 1];
        power[row + k] = re * re + im * im;
      }
    }
    return { frames, bins, power };
  };
}
