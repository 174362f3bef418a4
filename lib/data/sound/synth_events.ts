/**
 * Sound-event models for the synthetic `sound` source: ten everyday event classes, each a small
 * physical or perceptual model with per-clip random pitch, timing, duration and envelope.
 *
 * They are built to overlap where real recordings do: knocking and footsteps are both trains
 * of damped low resonances with contact noise, differing in pitch range and rhythm; clapping
 * shares their impulsive noise; alarm beeps, bird chirps and glass clinks are all high tonal
 * events; engine hum and running water resemble the brown and pink backgrounds they are mixed
 * with. Each generator returns a buffer of `n` samples with the event placed at a random time.
 *
 * @module
 */
import type { Rng } from "../../util/rng.ts";
import {
  addDampedSine,
  addNoiseBurst,
  brownNoise,
  lowPass,
  normalize,
  pinkNoise,
  resonate,
} from "./synth_dsp.ts";

/** Generate one event of `n` samples at `rate` Hz. */
export type EventGenerator = (rng: Rng, rate: number, n: number) => Float64Array;

/** Log-uniform draw in [lo, hi): pitches and rates vary multiplicatively. */
function logUniform(rng: Rng, lo: number, hi: number): number {
  return lo * (hi / lo) ** rng.next();
}

/** Uniform draw scaled by a relative jitter: `x * (1 +- rel)`. */
function jitter(rng: Rng, x: number, rel: number): number {
  return x * (1 + rel * (2 * rng.next() - 1));
}

/**
 * Add a tone with partials `amps` (amps[h-1] for harmonic h) whose fundamental follows
 * `freqAt(i)` (Hz at sample i of the tone), with raised-cosine ramps of `ramp` samples.
 */
function addTone(
  out: Float64Array,
  start: number,
  len: number,
  freqAt: (i: number) => number,
  amps: number[],
  rate: number,
  ramp: number,
): void {
  let phase = 0;
  const end = Math.min(len, out.length - start);
  for (let i = 0; i < end; i++) {
    phase += (2 * Math.PI * freqAt(i)) / rate;
    let v = 0;
    for (let h = 0; h < amps.length; h++) v += amps[h] * Math.sin((h + 1) * phase);
    const edge = Math.min(i, len - 1 - i);
    const env = edge < ramp ? 0.5 - 0.5 * Math.cos((Math.PI * edge) / ramp) : 1;
    if (start + i >= 0) out[start + i] += env * v;
  }
}

/** Electronic alarm: a train of constant beeps, sometimes alternating between two tones. */
function alarm(rng: Rng, rate: number, n: number): Float64Array {
  const out = new Float64Array(n);
  const f1 = logUniform(rng, 700, 3000);
  const f2 = rng.next() < 0.3 ? f1 * rng.uniform(1.15, 1.5) : f1;
  const amps = [1, rng.uniform(0, 0.4), rng.uniform(0, 0.3)]; // timbre: sine to square-ish
  const beep = rng.uniform(0.06, 0.25) * rate, gap = rng.uniform(0.04, 0.25) * rate;
  const end = n * rng.uniform(0.6, 1);
  let k = 0;
  for (let t = rng.uniform(0, 0.25) * rate; t + beep <= end; t += beep + gap, k++) {
    const f = k % 2 === 0 ? f1 : f2;
    addTone(out, Math.round(t), Math.round(beep), () => f, amps, rate, 0.003 * rate);
  }
  return out;
}

/** Emergency siren: a harmonic tone swept slowly (wail) or fast (yelp). */
function siren(rng: Rng, rate: number, n: number): Float64Array {
  const out = new Float64Array(n);
  const centre = logUniform(rng, 500, 1300), depth = rng.uniform(0.2, 0.45);
  const modRate = rng.next() < 0.5 ? rng.uniform(0.3, 0.9) : rng.uniform(3, 7);
  const phase0 = rng.uniform(0, 2 * Math.PI);
  const amps = [1, 0, rng.uniform(0.1, 0.35), 0, rng.uniform(0, 0.15)];
  const start = Math.round(rng.uniform(0, 0.2) * rate);
  const freqAt = (i: number) =>
    centre * (1 + depth * Math.sin((2 * Math.PI * modRate * i) / rate + phase0));
  addTone(out, start, n - start, freqAt, amps, rate, 0.02 * rate);
  return out;
}

/** Impacts: a regular train of damped resonances plus contact noise (knocks, steps, claps). */
function impacts(
  rng: Rng,
  out: Float64Array,
  rate: number,
  count: number,
  interval: number,
  strike: (at: number, gain: number) => void,
): void {
  let t = rng.uniform(0.02, Math.max(0.03, out.length / rate - count * interval)) * rate;
  for (let k = 0; k < count && t < out.length; k++) {
    strike(Math.round(t), jitter(rng, 1, 0.3));
    t += jitter(rng, interval, 0.12) * rate;
  }
}

/** Knocking on a door or table: 2-5 quick knocks on a wooden resonance. */
function knock(rng: Rng, rate: number, n: number): Float64Array {
  const out = new Float64Array(n);
  const f = logUniform(rng, 130, 520), ratio = rng.uniform(1.8, 2.7);
  const decay = rng.uniform(0.01, 0.04), noiseFreq = rng.uniform(900, 3000);
  impacts(rng, out, rate, 2 + rng.int(4), rng.uniform(0.1, 0.28), (at, g) => {
    addDampedSine(out, at, jitter(rng, f, 0.03), decay, g, rate);
    addDampedSine(out, at, f * ratio, decay * 0.6, 0.4 * g, rate);
    addNoiseBurst(out, rng, at, { freq: noiseFreq, bw: 1500, decay: 0.004, amp: 0.5 * g, rate });
  });
  return out;
}

/** Footsteps: 2-4 steps at walking pace, a low heel thud plus a sole scuff. */
function footsteps(rng: Rng, rate: number, n: number): Float64Array {
  const out = new Float64Array(n);
  const f = logUniform(rng, 60, 240), decay = rng.uniform(0.02, 0.06);
  const scuff = rng.uniform(0.15, 1), scuffFreq = rng.uniform(800, 3500);
  impacts(rng, out, rate, 2 + rng.int(3), rng.uniform(0.3, 0.6), (at, g) => {
    addDampedSine(out, at, jitter(rng, f, 0.08), decay, g, rate);
    addDampedSine(out, at, f * rng.uniform(2, 3), decay * 0.5, 0.3 * g, rate);
    addNoiseBurst(out, rng, at + Math.round(rng.uniform(0, 0.03) * rate), {
      freq: scuffFreq,
      bw: 2000,
      decay: rng.uniform(0.015, 0.06),
      amp: scuff * g,
      rate,
    });
  });
  return out;
}

/** Hand clapping: a train of short band-limited noise bursts. */
function clapping(rng: Rng, rate: number, n: number): Float64Array {
  const out = new Float64Array(n);
  const freq = rng.uniform(800, 2500), bw = rng.uniform(600, 2000);
  impacts(rng, out, rate, 3 + rng.int(6), rng.uniform(0.12, 0.35), (at, g) => {
    addNoiseBurst(out, rng, at, { freq, bw, decay: rng.uniform(0.006, 0.02), amp: g, rate });
  });
  return out;
}

/** Vowel formants (F1, F2, F3 in Hz), roughly an adult speaker's /a e i o u/ and schwa. */
const VOWELS: [number, number, number][] = [
  [730, 1090, 2440],
  [530, 1840, 2480],
  [270, 2290, 3010],
  [570, 840, 2410],
  [300, 870, 2240],
  [500, 1500, 2500],
];

/**
 * Speech-like babble: a glottal pulse train with a falling pitch contour, through three formant
 * resonators that change every syllable, with some noisy fricative onsets.
 */
export function speech(rng: Rng, rate: number, n: number): Float64Array {
  const out = new Float64Array(n);
  const f0 = logUniform(rng, 90, 250), scale = rng.uniform(0.9, 1.2); // vocal tract length
  const start = Math.round(rng.uniform(0, 0.25) * rate);
  const end = Math.round(n * rng.uniform(0.7, 1));
  // Glottal source for the whole utterance.
  const source = new Float64Array(n);
  let phase = 0;
  for (let i = start; i < end; i++) {
    const f = f0 * (1.1 - (0.25 * (i - start)) / (end - start)) * (1 + 0.02 * Math.sin(i / 300));
    phase += f / rate;
    if (phase >= 1) {
      phase -= 1;
      source[i] = 1;
    }
  }
  lowPass(source, 800, rate); // spectral tilt of the glottal pulse
  for (let s = start; s < end;) {
    const len = Math.min(end - s, Math.round(rng.uniform(0.1, 0.25) * rate));
    const vowel = VOWELS[rng.int(VOWELS.length)];
    const seg = source.subarray(s, s + len);
    const voiced = new Float64Array(len);
    for (let k = 0; k < 3; k++) {
      const fk = jitter(rng, vowel[k] * scale, 0.08);
      const y = resonate(seg, fk, 60 + 40 * k, rate);
      for (let i = 0; i < len; i++) voiced[i] += y[i] * (k === 0 ? 1 : 0.5);
    }
    for (let i = 0; i < len; i++) {
      out[s + i] += voiced[i] * Math.sin((Math.PI * i) / len) ** 2; // syllable envelope
    }
    if (rng.next() < 0.25) {
      const fricative = { freq: rng.uniform(3500, 6000), bw: 2500, decay: 0.02, amp: 0.3, rate };
      addNoiseBurst(out, rng, s, fricative);
    }
    s += len;
  }
  return normalize(out);
}

/** Running water: a dense random stream of small rising bubble chirps over a hiss. */
function water(rng: Rng, rate: number, n: number): Float64Array {
  const hiss = pinkNoise(rng, n);
  const out = new Float64Array(n);
  const density = logUniform(rng, 80, 400), fLo = rng.uniform(400, 1200);
  const fHi = fLo * rng.uniform(2, 4), hissLevel = rng.uniform(0.05, 0.3);
  for (let t = rng.next() / density; t * rate < n; t += -Math.log(1 - rng.next()) / density) {
    const f = logUniform(rng, fLo, fHi), decay = rng.uniform(0.002, 0.008);
    const at = Math.round(t * rate), amp = rng.uniform(0.2, 1);
    const len = Math.min(n - at, Math.ceil(6 * decay * rate));
    const rise = rng.uniform(0.5, 2) / (decay * rate); // Minnaert bubbles chirp upwards
    let phase = 0, env = amp;
    const k = Math.exp(-1 / (decay * rate));
    for (let i = 0; i < len; i++) {
      phase += (2 * Math.PI * f * (1 + rise * i)) / rate;
      out[at + i] += env * Math.sin(phase);
      env *= k;
    }
  }
  normalize(out);
  for (let i = 0; i < n; i++) out[i] += hissLevel * hiss[i];
  return out;
}

/** Engine hum: firing pulses at 25-70 Hz with cylinder imbalance, through body resonances. */
function engine(rng: Rng, rate: number, n: number): Float64Array {
  const pulses = new Float64Array(n);
  const f0 = rng.uniform(25, 70), drift = rng.uniform(0, 0.06), driftRate = rng.uniform(0.2, 1);
  const cylinders = 2 + rng.int(3), imbalance = rng.uniform(0.05, 0.4);
  let phase = 0, k = 0;
  for (let i = 0; i < n; i++) {
    phase += (f0 * (1 + drift * Math.sin((2 * Math.PI * driftRate * i) / rate))) / rate;
    if (phase >= 1) {
      phase -= 1;
      pulses[i] = 1 - (k++ % cylinders === 0 ? imbalance : 0);
    }
  }
  const body = resonate(pulses, rng.uniform(80, 300), rng.uniform(60, 200), rate);
  const exhaust = resonate(pulses, rng.uniform(500, 1200), 300, rate);
  const out = normalize(body);
  normalize(exhaust);
  const rumble = brownNoise(rng, n), e = rng.uniform(0.05, 0.3), r = rng.uniform(0.1, 0.5);
  for (let i = 0; i < n; i++) out[i] += e * exhaust[i] + r * rumble[i];
  return out;
}

/** Glass clink: 1-3 strikes of a few inharmonic, slowly decaying high partials. */
function glass(rng: Rng, rate: number, n: number): Float64Array {
  const out = new Float64Array(n);
  const f1 = logUniform(rng, 1800, 4500), decay = rng.uniform(0.12, 0.45);
  const ratios = [1, rng.uniform(2.2, 2.5), rng.uniform(4, 4.5), rng.uniform(6.2, 7)];
  impacts(rng, out, rate, 1 + rng.int(3), rng.uniform(0.15, 0.4), (at, g) => {
    ratios.forEach((r, h) => {
      if (f1 * r < rate / 2.2) {
        addDampedSine(out, at, f1 * r, decay / Math.sqrt(r), g / (h + 1), rate, rng.next() * 6);
      }
    });
    addNoiseBurst(out, rng, at, { freq: 5000, bw: 3000, decay: 0.002, amp: 0.3 * g, rate });
  });
  return out;
}

/** Bird song: 3-8 frequency-swept whistles, some with a fast trill. */
function bird(rng: Rng, rate: number, n: number): Float64Array {
  const out = new Float64Array(n);
  const base = logUniform(rng, 2000, 5000), trill = rng.next() < 0.4 ? rng.uniform(20, 60) : 0;
  let t = rng.uniform(0, 0.2) * rate;
  for (let k = 2 + rng.int(6); k > 0 && t < n; k--) {
    const len = Math.round(rng.uniform(0.04, 0.15) * rate);
    const fa = jitter(rng, base, 0.2), fb = fa * logUniform(rng, 0.6, 1.6);
    const freqAt = (i: number) =>
      (fa + ((fb - fa) * i) / len) * (1 + 0.05 * Math.sin((2 * Math.PI * trill * i) / rate));
    addTone(out, Math.round(t), len, freqAt, [1, 0.1], rate, len / 2);
    t += len + rng.uniform(0.03, 0.15) * rate;
  }
  return out;
}

/** The event classes, in label order. */
export const SOUND_EVENTS: readonly { name: string; generate: EventGenerator }[] = [
  { name: "alarm", generate: alarm },
  { name: "siren", generate: siren },
  { name: "knock", generate: knock },
  { name: "footsteps", generate: footsteps },
  { name: "clapping", generate: clapping },
  { name: "speech", generate: speech },
  { name: "water", generate: water },
  { name: "engine", generate: engine },
  { name: "glass", generate: glass },
  { name: "bird", generate: bird },
];
