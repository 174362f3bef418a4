import assert from "node:assert/strict";
import { createLogMel } from "../../lib/data/sound/logmel.ts";
import { applyMel, hzToMel, melFilterbank, melToHz } from "../../lib/data/sound/mel.ts";
import { createStft, frameCount, makeWindow } from "../../lib/data/sound/stft.ts";
import { createRng } from "../../lib/util/rng.ts";
import { tone } from "./fixtures_sound.ts";

const close = (a: number, b: number, tol: number, what = "") =>
  assert.ok(Math.abs(a - b) <= tol, `${what} ${a} vs ${b} (tol ${tol})`);

Deno.test("periodic Hann and Hamming windows have their textbook values", () => {
  const hann = makeWindow("hann", 8);
  [0, 0.1464466, 0.5, 0.8535534, 1, 0.8535534, 0.5, 0.1464466].forEach((v, i) =>
    close(hann[i], v, 1e-7, `hann[${i}]`)
  );
  const hamming = makeWindow("hamming", 4);
  [0.08, 0.54, 1, 0.54].forEach((v, i) => close(hamming[i], v, 1e-12, `hamming[${i}]`));
});

Deno.test("STFT frame count and shape follow the centred convention", () => {
  assert.equal(frameCount(16000, 160), 101);
  assert.equal(frameCount(16000, 256), 63);
  const spec = createStft({ nFft: 512, hop: 160 })(new Float32Array(16000));
  assert.equal(spec.frames, 101);
  assert.equal(spec.bins, 257);
  assert.equal(spec.power.length, 101 * 257);
});

Deno.test("a pure sine's power sits in the bin of its frequency, at the expected level", () => {
  const rate = 16000, nFft = 512;
  const bin = 32; // 32 * 16000 / 512 = 1000 Hz, exactly on a bin
  const spec = createStft({ nFft, hop: 160 })(tone(1000, rate, rate, 0.5));
  const t = 50; // a frame well inside the signal
  const row = spec.power.subarray(t * spec.bins, (t + 1) * spec.bins);
  const total = row.reduce((a, b) => a + b);
  const peak = row.indexOf(Math.max(...row));
  assert.equal(peak, bin);
  // A Hann window spreads a bin-centred sine over the bin and its two neighbours only.
  close((row[bin - 1] + row[bin] + row[bin + 1]) / total, 1, 1e-6, "share in bins 31-33");
  // |X[k]| = A * sum(w) / 2 = 0.5 * 256 / 2 for a periodic Hann of 512.
  close(Math.sqrt(row[bin]), 64, 1e-4, "peak magnitude");
  // Between bins (1015.625 Hz = bin 32.5), the peak is still at 32 or 33.
  const off = createStft({ nFft, hop: 160 })(tone(1015.625, rate, rate));
  const r2 = off.power.subarray(50 * off.bins, 51 * off.bins);
  assert.ok([32, 33].includes(r2.indexOf(Math.max(...r2))));
});

Deno.test("Parseval: frame energy equals the one-sided spectrum's energy / N", () => {
  const rng = createRng(4);
  const nFft = 256, hop = 100;
  const x = Float32Array.from({ length: 2000 }, () => rng.normal());
  const spec = createStft({ nFft, hop, pad: "zero" })(x);
  const w = makeWindow("hann", nFft);
  for (const t of [0, 7, spec.frames - 1]) {
    let timeEnergy = 0;
    for (let k = 0; k < nFft; k++) {
      const i = t * hop - nFft / 2 + k;
      const v = i >= 0 && i < x.length ? x[i] * w[k] : 0; // zero padding outside
      timeEnergy += v * v;
    }
    const p = spec.power.subarray(t * spec.bins, (t + 1) * spec.bins);
    let freqEnergy = p[0] + p[nFft / 2];
    for (let k = 1; k < nFft / 2; k++) freqEnergy += 2 * p[k];
    close(freqEnergy / nFft, timeEnergy, 1e-9 * timeEnergy, `frame ${t}`);
  }
});

Deno.test("reflect padding mirrors the signal without repeating the edge sample", () => {
  // With nFft 4 and hop 1, frame 0 covers x[-2..1] = x[2], x[1], x[0], x[1] (reflected).
  const x = Float32Array.of(1, 2, 3, 4, 5);
  const reflect = createStft({ nFft: 4, hop: 1, pad: "reflect" })(x);
  const w = makeWindow("hann", 4); // [0, 0.5, 1, 0.5]
  const frame = [3 * w[0], 2 * w[1], 1 * w[2], 2 * w[3]];
  close(reflect.power[0], frame.reduce((a, b) => a + b) ** 2, 1e-12, "DC of frame 0");
  const zero = createStft({ nFft: 4, hop: 1, pad: "zero" })(x);
  close(zero.power[0], (1 * w[2] + 2 * w[3]) ** 2, 1e-12, "DC of zero-padded frame 0");
});

Deno.test("HTK mel scale: known values and inverse", () => {
  close(hzToMel(1000), 1000, 0.02, "mel(1000 Hz)");
  close(hzToMel(700), 2595 * Math.log10(2), 1e-9, "mel(700 Hz)");
  close(hzToMel(0), 0, 0);
  close(hzToMel(8000), 2840.02, 0.01, "mel(8000 Hz)");
  for (const f of [20, 440, 3999, 8000]) close(melToHz(hzToMel(f)), f, 1e-9);
});

Deno.test("mel filterbank: peaks next to the centre frequency, rows sum to one across the range", () => {
  const opts = { sampleRate: 16000, nFft: 512, nMels: 40, fMin: 20, fMax: 8000 };
  const fb = melFilterbank(opts);
  assert.equal(fb.bins, 257);
  const binHz = 16000 / 512;
  for (let m = 0; m < 40; m++) {
    const row = fb.weights.subarray(m * 257, (m + 1) * 257);
    const peak = row.indexOf(Math.max(...row));
    // The peak is on one of the two bins around the centre (triangles are asymmetric).
    const c = fb.centers[m] / binHz;
    assert.ok(
      peak === Math.floor(c) || peak === Math.ceil(c),
      `band ${m}: peak ${peak}, centre ${c}`,
    );
    assert.ok(row[peak] <= 1 && row[peak] > 0);
    assert.ok(fb.hi[m] > fb.lo[m]);
  }
  // Centres equally spaced in mel.
  const step = hzToMel(fb.centers[1]) - hzToMel(fb.centers[0]);
  close(hzToMel(fb.centers[39]) - hzToMel(fb.centers[38]), step, 1e-9, "mel spacing");
  close(step, (hzToMel(8000) - hzToMel(20)) / 41, 1e-9, "mel step");
  // Triangles tile: between the first and last centre, the weights of each bin sum to 1.
  for (let k = Math.ceil(fb.centers[0] / binHz); k <= Math.floor(fb.centers[39] / binHz); k++) {
    let s = 0;
    for (let m = 0; m < 40; m++) s += fb.weights[m * 257 + k];
    close(s, 1, 1e-9, `column ${k}`);
  }
  assert.throws(() => melFilterbank({ ...opts, nMels: 128, nFft: 128 }), /contains no FFT bin/);
  assert.throws(() => melFilterbank({ ...opts, fMax: 9000 }), RangeError);
});

Deno.test("applyMel: a tone lands in the band centred nearest to it", () => {
  const fb = melFilterbank({ sampleRate: 16000, nFft: 512, nMels: 40, fMin: 20, fMax: 8000 });
  const spec = createStft({ nFft: 512, hop: 160 })(tone(2000, 16000, 16000));
  const mel = applyMel(fb, spec.power, spec.frames);
  const column = Array.from({ length: 40 }, (_, m) => mel[m * spec.frames + 50]);
  const best = column.indexOf(Math.max(...column));
  const nearest = [...fb.centers].map((c) => Math.abs(hzToMel(c) - hzToMel(2000)));
  assert.ok(Math.abs(best - nearest.indexOf(Math.min(...nearest))) <= 1);
});

Deno.test("log-mel: silence gives log(offset); shape [1, nMels, frames]; louder is larger", () => {
  const opts = {
    sampleRate: 16000,
    nFft: 512,
    hop: 160,
    window: "hann" as const,
    pad: "reflect" as const,
    nMels: 40,
    fMin: 20,
    fMax: 8000,
    logOffset: 1e-6,
  };
  const lm = createLogMel(opts, 16000);
  assert.deepEqual(lm.inputShape, [1, 40, 101]);
  const out = new Float32Array(2 * lm.size);
  lm.write(new Float32Array(16000), out, 0);
  for (let i = 0; i < lm.size; i++) close(out[i], Math.log(1e-6), 1e-5);
  lm.write(tone(1000, 16000, 16000, 0.1), out, lm.size);
  const quiet = out.slice(lm.size);
  lm.write(tone(1000, 16000, 16000, 0.2), out, lm.size);
  // Doubling the amplitude adds log(4) where the tone dominates the offset.
  const band = 20 * 101 + 50; // frame 50 of a mid band
  const b = Array.from({ length: 40 }, (_, m) => quiet[m * 101 + 50]);
  const m = b.indexOf(Math.max(...b));
  close(out[lm.size + m * 101 + 50] - quiet[m * 101 + 50], Math.log(4), 1e-4, "log(4)");
  assert.ok(Number.isFinite(out[lm.size + band]));
  assert.throws(() => lm.write(new Float32Array(100), out, 0), RangeError);
});
