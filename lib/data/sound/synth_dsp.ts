/**
 * Signal building blocks for the synthetic sound generator: coloured noise, resonators,
 * damped partials, and mixing at a given signal-to-noise ratio. All buffers are float64 and
 * every random draw comes from the caller's {@link Rng}.
 *
 * @module
 */
import type { Rng } from "../../util/rng.ts";

/**
 * Uniform white noise in [-1, 1) (uniform rather than Gaussian: the spectrum is the same and
 * it costs one draw per sample).
 *
 * @example
 * ```ts
 * import { whiteNoise } from "./synth_dsp.ts";
 * import { createRng } from "../../util/rng.ts";
 * console.assert(whiteNoise(createRng(1), 8).length === 8);
 * ```
 */
export function whiteNoise(rng: Rng, n: number): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = 2 * rng.next() - 1;
  return out;
}

/** Pink (1/f) noise, Paul Kellet's refined 7-pole filter of white noise, unit RMS. */
export function pinkNoise(rng: Rng, n: number): Float64Array {
  const out = new Float64Array(n);
  let b0 = 0, b1 = 0, b2 = 0, b3 = 0, b4 = 0, b5 = 0, b6 = 0;
  for (let i = 0; i < n; i++) {
    const w = 2 * rng.next() - 1;
    b0 = 0.99886 * b0 + w * 0.0555179;
    b1 = 0.99332 * b1 + w * 0.0750759;
    b2 = 0.969 * b2 + w * 0.153852;
    b3 = 0.8665 * b3 + w * 0.3104856;
    b4 = 0.55 * b4 + w * 0.5329522;
    b5 = -0.7616 * b5 - w * 0.016898;
    out[i] = b0 + b1 + b2 + b3 + b4 + b5 + b6 + w * 0.5362;
    b6 = w * 0.115926;
  }
  return normalize(removeMean(out));
}

/**
 * Brown (1/f^2) noise: leaky-integrated white noise (the leak keeps it from drifting off),
 * unit RMS. Sounds like distant traffic or wind rumble.
 */
export function brownNoise(rng: Rng, n: number): Float64Array {
  const out = new Float64Array(n);
  let y = 0;
  for (let i = 0; i < n; i++) {
    y = 0.995 * y + 0.1 * (2 * rng.next() - 1);
    out[i] = y;
  }
  return normalize(removeMean(out));
}

/** Root mean square. */
export function rms(x: Float64Array): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i] * x[i];
  return Math.sqrt(s / Math.max(1, x.length));
}

/** Subtract the mean, in place. */
export function removeMean(x: Float64Array): Float64Array {
  let m = 0;
  for (let i = 0; i < x.length; i++) m += x[i];
  m /= Math.max(1, x.length);
  for (let i = 0; i < x.length; i++) x[i] -= m;
  return x;
}

/** Scale to unit RMS, in place (a silent buffer stays silent). */
export function normalize(x: Float64Array): Float64Array {
  const r = rms(x);
  if (r > 0) { for (let i = 0; i < x.length; i++) x[i] /= r; }
  return x;
}

/**
 * Filter `x` through a two-pole resonator (band-pass) at `freq` Hz with -3 dB bandwidth `bw`
 * Hz; returns a new buffer. Used for formants, body resonances and band-limited noise.
 */
export function resonate(x: Float64Array, freq: number, bw: number, rate: number): Float64Array {
  const r = Math.exp((-Math.PI * bw) / rate);
  const a1 = 2 * r * Math.cos((2 * Math.PI * freq) / rate), a2 = r * r;
  const gain = 1 - r; // rough peak-gain compensation; callers normalise anyway
  const out = new Float64Array(x.length);
  let y1 = 0, y2 = 0;
  for (let i = 0; i < x.length; i++) {
    const y = gain * x[i] + a1 * y1 - a2 * y2;
    out[i] = y;
    y2 = y1;
    y1 = y;
  }
  return out;
}

/** One-pole low-pass at `cutoff` Hz, in place. */
export function lowPass(x: Float64Array, cutoff: number, rate: number): Float64Array {
  const a = Math.exp((-2 * Math.PI * cutoff) / rate);
  let y = 0;
  for (let i = 0; i < x.length; i++) {
    y = (1 - a) * x[i] + a * y;
    x[i] = y;
  }
  return x;
}

/**
 * Add `amp * exp(-t / decay) * sin(2 pi f t + phase)` to `out` from sample `start` on, for
 * about 7 decay times (where it has fallen below 0.1%): a struck or plucked partial.
 */
export function addDampedSine(
  out: Float64Array,
  start: number,
  freq: number,
  decay: number,
  amp: number,
  rate: number,
  phase = 0,
): void {
  const end = Math.min(out.length, start + Math.ceil(7 * decay * rate));
  const w = (2 * Math.PI * freq) / rate, k = Math.exp(-1 / (decay * rate));
  let env = amp;
  for (let i = Math.max(0, start); i < end; i++) {
    out[i] += env * Math.sin(w * (i - start) + phase);
    env *= k;
  }
}

/**
 * Add a noise burst shaped by a fast attack and exponential decay, band-limited by a resonator:
 * the contact noise of a knock, clap or footstep scuff.
 */
export function addNoiseBurst(
  out: Float64Array,
  rng: Rng,
  start: number,
  opts: { freq: number; bw: number; decay: number; amp: number; rate: number },
): void {
  const len = Math.min(out.length - start, Math.ceil(6 * opts.decay * opts.rate));
  if (len <= 0) return;
  const burst = normalize(resonate(whiteNoise(rng, len), opts.freq, opts.bw, opts.rate));
  const k = Math.exp(-1 / (opts.decay * opts.rate));
  const attack = Math.max(1, Math.round(0.001 * opts.rate));
  let env = opts.amp;
  for (let i = 0; i < len; i++) {
    const a = i < attack ? i / attack : 1;
    if (start + i >= 0) out[start + i] += a * env * burst[i];
    env *= k;
  }
}

/**
 * Mix `event` with `noise` so that `20 log10(rms(event) / rms(scaled noise)) = snrDb`,
 * returning a new buffer. A silent event gets the noise at unit RMS.
 *
 * @example
 * ```ts
 * import { mixAtSnr, rms } from "./synth_dsp.ts";
 * const s = new Float64Array([1, -1, 1, -1]), n = new Float64Array([1, 1, -1, -1]);
 * const mix = mixAtSnr(s, n, 20);
 * console.assert(Math.abs(rms(mix.map((v, i) => v - s[i])) - 0.1) < 1e-12);
 * ```
 */
export function mixAtSnr(event: Float64Array, noise: Float64Array, snrDb: number): Float64Array {
  const es = rms(event), ns = rms(noise);
  const target = es > 0 ? es / 10 ** (snrDb / 20) : 1;
  const g = ns > 0 ? target / ns : 0;
  const out = new Float64Array(event.length);
  for (let i = 0; i < out.length; i++) out[i] = event[i] + g * noise[i];
  return out;
}
