import assert from "node:assert/strict";
import { loadSound } from "../../lib/data/sound/mod.ts";
import { soundOptionsSchema } from "../../lib/data/sound/schema.ts";
import { mixAtSnr, pinkNoise, rms } from "../../lib/data/sound/synth_dsp.ts";
import { backgroundNoise, SOUND_CLASSES, synthesizeClip } from "../../lib/data/sound/synthetic.ts";
import type { RawDataset } from "../../lib/data/types.ts";
import { createRng } from "../../lib/util/rng.ts";

const bytes = (a: ArrayBufferView) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
const spec = (extra: Record<string, unknown> = {}) =>
  soundOptionsSchema.parse({ source: "sound", synthetic: { clipsPerClass: 2 }, ...extra });

Deno.test("sound generator: at least 8 classes, same seed same bytes, another seed differs", async () => {
  assert.ok(SOUND_CLASSES.length >= 8);
  const a = await loadSound(spec(), { rng: createRng(9), baseDir: "." });
  const b = await loadSound(spec(), { rng: createRng(9), baseDir: "." });
  assert.equal(a.provenance, "synthetic");
  assert.deepEqual(a.classes, [...SOUND_CLASSES]);
  assert.deepEqual(a.inputShape, [1, 40, 101]);
  assert.equal(a.samples.y.length, 2 * SOUND_CLASSES.length);
  assert.deepEqual(bytes(a.samples.x), bytes(b.samples.x));
  assert.deepEqual(a.samples.y, b.samples.y);
  const c = await loadSound(spec(), { rng: createRng(10), baseDir: "." });
  assert.notDeepEqual(bytes(a.samples.x), bytes(c.samples.x));
  assert.ok(a.samples.x.every(Number.isFinite));
});

Deno.test("sound generator: clip k of a class does not depend on how many are requested", async () => {
  const two = await loadSound(spec(), { rng: createRng(1), baseDir: "." });
  const three = await loadSound(spec({ synthetic: { clipsPerClass: 3 } }), {
    rng: createRng(1),
    baseDir: ".",
  });
  const n = two.samples.y.length * 4040;
  assert.deepEqual(bytes(two.samples.x), bytes(three.samples.x.subarray(0, n)));
});

Deno.test("synthesizeClip: per-clip variation, level within [0.1, 0.9], SNR in range", () => {
  for (let label = 0; label < SOUND_CLASSES.length; label++) {
    const a = synthesizeClip(label, createRng(100 + label), 16000, 16000, [5, 10]);
    const b = synthesizeClip(label, createRng(200 + label), 16000, 16000, [5, 10]);
    assert.notDeepEqual(bytes(a.samples), bytes(b.samples));
    const peak = Math.max(...a.samples.map(Math.abs));
    assert.ok(peak >= 0.1 - 1e-6 && peak <= 0.9 + 1e-6, `${SOUND_CLASSES[label]} peak ${peak}`);
    assert.ok(a.snrDb >= 5 && a.snrDb <= 10);
  }
  assert.throws(() => synthesizeClip(99, createRng(0), 16000, 100, [0, 1]), RangeError);
});

Deno.test("mixAtSnr mixes at the requested signal-to-noise ratio", () => {
  const rng = createRng(2);
  const s = synthesizeClip(0, rng, 16000, 4000, [0, 0]).samples;
  const event = Float64Array.from(s), noise = pinkNoise(rng, 4000);
  for (const snr of [-5, 0, 12]) {
    const mix = mixAtSnr(event, noise, snr);
    const residual = mix.map((v, i) => v - event[i]);
    const measured = 20 * Math.log10(rms(event) / rms(residual));
    assert.ok(Math.abs(measured - snr) < 1e-9, `${measured} dB`);
  }
  for (const kind of ["pink", "brown", "babble"] as const) {
    assert.ok(Math.abs(rms(backgroundNoise(kind, rng, 16000, 8000)) - 1) < 1e-9, kind);
  }
});

/** Nearest-centroid accuracy on the mean and spread of each mel band, half train half test. */
function centroidAccuracy(raw: RawDataset): number {
  const [, bands, frames] = raw.inputShape, size = bands * frames, classes = raw.classes.length;
  const n = raw.samples.y.length;
  const feats = Array.from({ length: n }, (_, i) => {
    const f: number[] = [];
    for (let m = 0; m < bands; m++) {
      const row = raw.samples.x.subarray(i * size + m * frames, i * size + (m + 1) * frames);
      const mean = row.reduce((a, b) => a + b) / frames;
      f.push(mean, Math.sqrt(row.reduce((a, v) => a + (v - mean) ** 2, 0) / frames));
    }
    return f;
  });
  const train = (i: number) => i < n / 2; // classes are interleaved, so both halves have all
  const centroids = Array.from({ length: classes }, () => new Array(2 * bands).fill(0));
  const counts = new Array(classes).fill(0);
  feats.forEach((f, i) => {
    if (!train(i)) return;
    counts[raw.samples.y[i]]++;
    f.forEach((v, j) => centroids[raw.samples.y[i]][j] += v);
  });
  centroids.forEach((c, k) => c.forEach((_, j) => c[j] /= counts[k]));
  let right = 0;
  feats.forEach((f, i) => {
    if (train(i)) return;
    const d = centroids.map((c) => c.reduce((acc, v, j) => acc + (v - f[j]) ** 2, 0));
    right += d.indexOf(Math.min(...d)) === raw.samples.y[i] ? 1 : 0;
  });
  return right / (n - Math.ceil(n / 2));
}

Deno.test("sound generator: classes are learnable but not trivially separable", async () => {
  const raw = await loadSound(spec({ synthetic: { clipsPerClass: 24 } }), {
    rng: createRng(0),
    baseDir: ".",
  });
  const acc = centroidAccuracy(raw);
  assert.ok(acc > 0.25, `nearest-centroid accuracy ${acc} should be well above chance (0.1)`);
  assert.ok(acc < 0.9, `nearest-centroid accuracy ${acc} means the task is too easy`);
});

Deno.test("loadSound: limit shrinks the generated set; bad feature settings are bad input", async () => {
  const limited = await loadSound(spec({ synthetic: { clipsPerClass: 300 }, limit: 4 }), {
    rng: createRng(0),
    baseDir: ".",
  });
  // limit 4 per split, smallest split 10% -> 48 clips -> 5 per class.
  assert.equal(limited.samples.y.length, 5 * SOUND_CLASSES.length);
  assert.ok(limited.source.includes("x 5 clips"));
  await assert.rejects(
    loadSound(spec({ nMels: 128, nFft: 128, hop: 64 }), { rng: createRng(0), baseDir: "." }),
    (e: unknown) =>
      e instanceof Error && e.name === "AdaspringError" && /no FFT bin/.test(e.message),
  );
  const halfSecond = await loadSound(spec({ clipSeconds: 0.5, hop: 256, nMels: 32 }), {
    rng: createRng(0),
    baseDir: ".",
  });
  assert.deepEqual(halfSecond.inputShape, [1, 32, 32]);
});
