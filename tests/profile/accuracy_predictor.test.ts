import assert from "node:assert/strict";
import {
  accuracyObjective,
  affineCalibration,
  features,
  fitAccuracyPredictor,
  fitRidge,
  logit,
  predictAccuracy,
} from "../../lib/profile/accuracy_predictor.ts";
import { evaluateSpace } from "../../lib/profile/space_eval.ts";
import { configAt, sampleConfig } from "../../lib/supernet/mod.ts";
import { createRng } from "../../lib/util/rng.ts";
import { mnistSpace } from "./fixtures.ts";

Deno.test("ridge with a tiny penalty recovers an exact linear function", () => {
  const rng = createRng(1);
  const xs = Array.from(
    { length: 30 },
    () => Float64Array.from([rng.next(), rng.next(), rng.next()]),
  );
  const ys = xs.map((x) => 0.5 + 2 * x[0] - x[1] + 0.25 * x[2]);
  const { weights, intercept } = fitRidge(xs, ys, 1e-10);
  [2, -1, 0.25].forEach((w, j) => assert.ok(Math.abs(weights[j] - w) < 1e-6));
  assert.ok(Math.abs(intercept - 0.5) < 1e-6);
  // A large penalty shrinks the weights towards 0 (the intercept is not penalized).
  const shrunk = fitRidge(xs, ys, 1e6);
  assert.ok(Math.abs(shrunk.weights[0]) < 0.01);
  assert.ok(Math.abs(shrunk.intercept - ys.reduce((a, b) => a + b) / ys.length) < 0.02);
});

Deno.test("the predictor ranks held-out configurations of a synthetic accuracy function", async () => {
  const space = await mnistSpace();
  const rng = createRng(2);
  // Ground truth: an additive effect per choice plus a small interaction and noise.
  const effects = space.blocks.map((b) => b.choices.map(() => -0.05 * rng.next()));
  const truth = (c: { choices: readonly number[]; int8: boolean }) =>
    0.98 + c.choices.reduce((a, ch, i) => a + effects[i][ch], 0) - (c.int8 ? 0.01 : 0) +
    (c.choices[0] === c.choices[2] ? 0.003 : 0);
  const samples = Array.from({ length: 240 }, () => {
    const config = sampleConfig(space, rng);
    return { config, accuracy: truth(config) + 0.002 * rng.normal() };
  });
  const fit = fitAccuracyPredictor(space, samples, { rng: rng.fork("fit") });
  assert.equal(fit.quality.n, 60);
  assert.ok(fit.quality.spearman > 0.9, `spearman ${fit.quality.spearman}`);
  assert.ok(fit.quality.kendallTau > 0.75, `kendall ${fit.quality.kendallTau}`);
  assert.ok(fit.quality.rmse < 0.01, `rmse ${fit.quality.rmse}`);
  assert.equal(fit.model.featureNames.length, features(space, samples[0].config).length);
  // The additive whole-space evaluation agrees with per-configuration prediction.
  const [col] = evaluateSpace(space, [accuracyObjective(space, fit.model)]);
  for (let t = 0; t < 20; t++) {
    const i = rng.int(col.length);
    assert.ok(Math.abs(col[i] - predictAccuracy(space, fit.model, configAt(space, i))) < 1e-12);
  }
});

Deno.test("too few measured configurations is a clear error", async () => {
  const space = await mnistSpace();
  const rng = createRng(3);
  const samples = [0, 1, 2].map(() => ({ config: sampleConfig(space, rng), accuracy: 0.5 }));
  assert.throws(() => fitAccuracyPredictor(space, samples, { rng }), /at least 4/);
});

Deno.test("a few very poor configurations do not scramble the ranking of the rest", async () => {
  const space = await mnistSpace();
  const rng = createRng(4);
  // Ground truth additive in logit space: accuracy saturates near 1 and has a long low tail.
  const effects = space.blocks.map((b) => b.choices.map(() => -2 * rng.next() ** 3));
  const truth = (c: { choices: readonly number[]; int8: boolean }) =>
    1 / (1 + Math.exp(-(4.5 + c.choices.reduce((a, ch, i) => a + effects[i][ch], 0))));
  const samples = Array.from({ length: 200 }, () => {
    const config = sampleConfig(space, rng);
    return { config, accuracy: truth(config) };
  });
  const fit = fitAccuracyPredictor(space, samples, { rng: rng.fork("fit") });
  assert.ok(fit.quality.kendallTau > 0.8, `kendall ${fit.quality.kendallTau}`);
});

Deno.test("the affine map back from logits keeps a positive slope", () => {
  assert.ok(Math.abs(logit(0.5)) < 1e-12);
  assert.ok(Number.isFinite(logit(1)) && Number.isFinite(logit(0)));
  const up = affineCalibration([0, 1, 2], [0.5, 0.7, 0.9]);
  assert.ok(Math.abs(up.slope - 0.2) < 1e-12 && Math.abs(up.offset - 0.5) < 1e-12);
  // Anti-correlated or constant logits fall back to a positive slope.
  assert.ok(affineCalibration([0, 1, 2], [0.9, 0.7, 0.5]).slope > 0);
  assert.ok(affineCalibration([1, 1, 1], [0.9, 0.7, 0.5]).slope > 0);
});

Deno.test("split-half tau: high for precise measurements, low for noisy ones, null without halves", async () => {
  const space = await mnistSpace();
  const rng = createRng(5);
  const effects = space.blocks.map((b) => b.choices.map(() => -0.05 * rng.next()));
  const truth = (c: { choices: readonly number[] }) =>
    0.95 + c.choices.reduce((a, ch, i) => a + effects[i][ch], 0);
  const configs = Array.from({ length: 120 }, () => sampleConfig(space, rng));
  const measure = (noise: number) =>
    configs.map((config) => {
      const t = truth(config);
      const halves = [t + noise * rng.normal(), t + noise * rng.normal()] as const;
      return { config, accuracy: (halves[0] + halves[1]) / 2, halves };
    });
  const precise = fitAccuracyPredictor(space, measure(0.001), { rng: createRng(6) });
  const noisy = fitAccuracyPredictor(space, measure(0.05), { rng: createRng(6) });
  assert.ok(precise.quality.splitHalfTau! > 0.8, `precise ${precise.quality.splitHalfTau}`);
  assert.ok(noisy.quality.splitHalfTau! < 0.5, `noisy ${noisy.quality.splitHalfTau}`);
  const plain = measure(0.001).map(({ config, accuracy }) => ({ config, accuracy }));
  assert.equal(
    fitAccuracyPredictor(space, plain, { rng: createRng(6) }).quality.splitHalfTau,
    null,
  );
});
