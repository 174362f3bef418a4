/**
 * Synthetic labelled sound clips: one event from {@link SOUND_EVENTS} mixed into a background
 * (pink noise, brown noise, or the babble of several distant talkers) at a signal-to-noise
 * ratio drawn uniformly from a configured range, then scaled to a random recording level.
 *
 * Everything is drawn from the caller's {@link Rng}; the `sound` loader gives each clip its own
 * forked stream (by class and index), so clip k of a class is the same whatever the number of
 * clips requested.
 *
 * @module
 */
import type { Rng } from "../../util/rng.ts";
import { brownNoise, mixAtSnr, normalize, pinkNoise } from "./synth_dsp.ts";
import { SOUND_EVENTS, speech } from "./synth_events.ts";

/** Class names of the synthetic source, index = label. */
export const SOUND_CLASSES: readonly string[] = SOUND_EVENTS.map((e) => e.name);

/** Background noise kinds. */
export type Background = "pink" | "brown" | "babble";
const BACKGROUNDS: readonly Background[] = ["pink", "brown", "babble"];

/**
 * A unit-RMS background of `n` samples.
 *
 * @example
 * ```ts
 * import { backgroundNoise } from "./synthetic.ts";
 * import { createRng } from "../../util/rng.ts";
 * console.assert(backgroundNoise("brown", createRng(1), 16000, 1600).length === 1600);
 * ```
 */
export function backgroundNoise(kind: Background, rng: Rng, rate: number, n: number): Float64Array {
  if (kind === "pink") return pinkNoise(rng, n);
  if (kind === "brown") return brownNoise(rng, n);
  // Babble: 3-6 overlapping talkers at different levels, plus a little room noise.
  const out = pinkNoise(rng, n);
  for (let i = 0; i < n; i++) out[i] *= 0.1;
  for (let k = 3 + rng.int(4); k > 0; k--) {
    const voice = speech(rng, rate, n), level = rng.uniform(0.3, 1);
    for (let i = 0; i < n; i++) out[i] += level * voice[i];
  }
  return normalize(out);
}

/** A generated clip and how it was made. */
export interface SyntheticClip {
  samples: Float32Array;
  background: Background;
  snrDb: number;
}

/**
 * Generate one clip of class `label`, `n` samples at `rate` Hz, at an SNR drawn from
 * `snrDb = [low, high]`, peak-normalised to a random level in [0.1, 0.9].
 *
 * @example
 * ```ts
 * import { synthesizeClip } from "./synthetic.ts";
 * import { createRng } from "../../util/rng.ts";
 * const clip = synthesizeClip(2, createRng(7), 16000, 16000, [0, 20]);
 * console.assert(clip.samples.length === 16000 && clip.snrDb >= 0 && clip.snrDb <= 20);
 * ```
 */
export function synthesizeClip(
  label: number,
  rng: Rng,
  rate: number,
  n: number,
  snrDb: readonly [number, number],
): SyntheticClip {
  const event = SOUND_EVENTS[label];
  if (event === undefined) throw new RangeError(`no sound class ${label}`);
  const signal = event.generate(rng, rate, n);
  const background = BACKGROUNDS[rng.int(BACKGROUNDS.length)];
  const snr = rng.uniform(snrDb[0], snrDb[1]);
  const mix = mixAtSnr(signal, backgroundNoise(background, rng, rate, n), snr);
  let peak = 0;
  for (let i = 0; i < n; i++) peak = Math.max(peak, Math.abs(mix[i]));
  const gain = peak > 0 ? rng.uniform(0.1, 0.9) / peak : 0;
  const samples = new Float32Array(n);
  for (let i = 0; i < n; i++) samples[i] = mix[i] * gain;
  return { samples, background, snrDb: snr };
}
