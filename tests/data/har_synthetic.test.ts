import assert from "node:assert/strict";
import { HAR_ACTIVITIES } from "../../lib/data/har/activities.ts";
import { loadHar } from "../../lib/data/har/mod.ts";
import { harOptionsSchema } from "../../lib/data/har/schema.ts";
import { generateHar, type HarGeneratorOptions } from "../../lib/data/har/synthetic.ts";
import type { Samples } from "../../lib/data/types.ts";
import { createRng } from "../../lib/util/rng.ts";

const OPTS: HarGeneratorOptions = {
  subjects: 4,
  windowsPerActivity: 3,
  sampleRate: 50,
  windowLength: 128,
  noise: 0.015,
  mountJitterDeg: 10,
  windowJitterDeg: 3,
};
const L = 128, SIZE = 3 * L;

const bytes = (a: ArrayBufferView) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

/** Mean acceleration vector of window i. */
function meanVector(s: Samples, i: number): number[] {
  return [0, 1, 2].map((c) => {
    let m = 0;
    for (let t = 0; t < L; t++) m += s.x[i * SIZE + c * L + t];
    return m / L;
  });
}

function angleDeg(a: number[], b: number[]): number {
  const dot = a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
  return (Math.acos(Math.min(1, dot / (Math.hypot(...a) * Math.hypot(...b)))) * 180) / Math.PI;
}

/** Magnitude of acceleration over window i. */
function magnitude(s: Samples, i: number): Float64Array {
  return Float64Array.from(
    { length: L },
    (_, t) => Math.hypot(s.x[i * SIZE + t], s.x[i * SIZE + L + t], s.x[i * SIZE + 2 * L + t]),
  );
}

/** Step frequency (Hz): the lag in 0.3-1 s with the largest (biased) autocorrelation. */
function stepHz(m: Float64Array): number {
  const mean = m.reduce((a, b) => a + b) / L;
  let best = -Infinity, bestLag = 0;
  for (let lag = 15; lag <= 50; lag++) {
    let r = 0;
    for (let t = 0; t + lag < L; t++) r += (m[t] - mean) * (m[t + lag] - mean);
    if (r > best) [best, bestLag] = [r, lag];
  }
  return 50 / bestLag;
}

Deno.test("HAR generator: same seed gives identical bytes, another seed differs", () => {
  const a = generateHar(createRng(11), OPTS), b = generateHar(createRng(11), OPTS);
  assert.deepEqual(bytes(a.x), bytes(b.x));
  assert.deepEqual(a.y, b.y);
  assert.deepEqual(a.groups, b.groups);
  const c = generateHar(createRng(12), OPTS);
  assert.notDeepEqual(bytes(a.x), bytes(c.x));
});

Deno.test("HAR generator: every subject is a group with every activity; windows are stable", () => {
  const s = generateHar(createRng(3), OPTS);
  assert.equal(s.y.length, 4 * 6 * 3);
  for (let subject = 1; subject <= 4; subject++) {
    const labels = [...s.y].filter((_, i) => s.groups![i] === subject);
    for (let a = 0; a < 6; a++) assert.equal(labels.filter((l) => l === a).length, 3);
  }
  // Window k of subject s / activity a does not depend on how many windows are requested.
  const more = generateHar(createRng(3), { ...OPTS, windowsPerActivity: 5 });
  const first = (x: Float32Array, per: number) => x.subarray(per * SIZE, per * SIZE + SIZE);
  assert.deepEqual(bytes(first(s.x, 3)), bytes(first(more.x, 5))); // subject 1, UPSTAIRS, w 0
});

Deno.test("HAR generator: gravity, postures and gait look physical", () => {
  const s = generateHar(createRng(5), { ...OPTS, subjects: 8, windowsPerActivity: 4 });
  const idx = (subject: number, activity: number, w: number) =>
    ((subject - 1) * 6 + activity) * 4 + w;
  let sitStand = 0, upCadence = 0, walkCadence = 0, downPeak = 0, upPeak = 0;
  for (let subject = 1; subject <= 8; subject++) {
    for (let w = 0; w < 4; w++) {
      // Static postures read about 1 g in total.
      for (const a of [3, 4, 5]) {
        const norm = Math.hypot(...meanVector(s, idx(subject, a, w)));
        assert.ok(Math.abs(norm - 1) < 0.06, `|g| = ${norm}`);
      }
      const stand = meanVector(s, idx(subject, 4, w));
      // Lying moves gravity far from where it is when standing; sitting only tilts it.
      assert.ok(angleDeg(meanVector(s, idx(subject, 5, w)), stand) > 45);
      sitStand += angleDeg(meanVector(s, idx(subject, 3, w)), stand) / 32;
      // Walking: step frequency in the human range.
      for (const a of [0, 1, 2]) {
        const hz = stepHz(magnitude(s, idx(subject, a, w)));
        assert.ok(hz >= 1.1 && hz <= 2.7, `${HAR_ACTIVITIES[a]} step frequency ${hz} Hz`);
      }
      walkCadence += stepHz(magnitude(s, idx(subject, 0, w))) / 32;
      upCadence += stepHz(magnitude(s, idx(subject, 1, w))) / 32;
      upPeak += Math.max(...magnitude(s, idx(subject, 1, w))) / 32;
      downPeak += Math.max(...magnitude(s, idx(subject, 2, w))) / 32;
    }
  }
  assert.ok(sitStand > 5 && sitStand < 35, `sitting vs standing tilt ${sitStand} deg`);
  assert.ok(upCadence < walkCadence, `upstairs ${upCadence} Hz, walking ${walkCadence} Hz`);
  assert.ok(downPeak > upPeak, `peak |a| downstairs ${downPeak} g, upstairs ${upPeak} g`);
});

/** Nearest-centroid accuracy on per-axis mean and std, training and testing on other people. */
function centroidAccuracy(s: Samples, testSubjects: Set<number>): number {
  const feats = Array.from({ length: s.y.length }, (_, i) => {
    const f: number[] = [];
    for (let c = 0; c < 3; c++) {
      let m = 0, q = 0;
      for (let t = 0; t < L; t++) m += s.x[i * SIZE + c * L + t];
      m /= L;
      for (let t = 0; t < L; t++) q += (s.x[i * SIZE + c * L + t] - m) ** 2;
      f.push(m, Math.sqrt(q / L));
    }
    return f;
  });
  const centroids = Array.from({ length: 6 }, () => new Array(6).fill(0));
  const counts = new Array(6).fill(0);
  feats.forEach((f, i) => {
    if (testSubjects.has(s.groups![i])) return;
    counts[s.y[i]]++;
    f.forEach((v, j) => centroids[s.y[i]][j] += v);
  });
  centroids.forEach((c, k) => c.forEach((_, j) => c[j] /= counts[k]));
  let right = 0, total = 0;
  feats.forEach((f, i) => {
    if (!testSubjects.has(s.groups![i])) return;
    const d = centroids.map((c) => c.reduce((acc, v, j) => acc + (v - f[j]) ** 2, 0));
    right += d.indexOf(Math.min(...d)) === s.y[i] ? 1 : 0;
    total++;
  });
  return right / total;
}

Deno.test("HAR generator: learnable across people, but not trivially separable", () => {
  const s = generateHar(createRng(0), { ...OPTS, subjects: 12, windowsPerActivity: 8 });
  const acc = centroidAccuracy(s, new Set([1, 2, 3, 4]));
  assert.ok(acc > 0.4, `nearest-centroid accuracy ${acc} should be well above chance (1/6)`);
  assert.ok(acc < 0.9, `nearest-centroid accuracy ${acc} means the task is too easy`);
});

Deno.test("loadHar (synthetic): provenance, shape, groups; limit shrinks the generated set", async () => {
  const ctx = { rng: createRng(1), baseDir: "." };
  const spec = harOptionsSchema.parse({
    source: "har",
    synthetic: { subjects: 5, windowsPerActivity: 10 },
  });
  const raw = await loadHar(spec, ctx);
  assert.equal(raw.provenance, "synthetic");
  assert.deepEqual(raw.classes, [...HAR_ACTIVITIES]);
  assert.deepEqual(raw.inputShape, [3, 128]);
  assert.equal(raw.samples.y.length, 5 * 6 * 10);
  assert.equal(raw.officialTest, undefined);
  assert.deepEqual([...new Set(raw.samples.groups)], [1, 2, 3, 4, 5]);
  const limited = await loadHar(harOptionsSchema.parse({ ...spec, limit: 6 }), ctx);
  // limit 6 per split, smallest split 10% -> 72 windows -> 3 per subject and activity.
  assert.equal(limited.samples.y.length, 5 * 6 * 3);
  assert.ok(limited.source.includes("x 3 windows"));
});
