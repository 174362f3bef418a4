import assert from "node:assert/strict";
import { loadPlatformConfig } from "../../lib/config/platform.ts";
import { featureNames, predictAccuracy } from "../../lib/profile/accuracy_predictor.ts";
import { buildLut, lutObjective, predictLatency } from "../../lib/profile/lut.ts";
import { paretoFront, paretoFrontBruteForce } from "../../lib/profile/pareto.ts";
import { spacePareto } from "../../lib/profile/pareto_space.ts";
import { configAt, subnetCost } from "../../lib/supernet/mod.ts";
import { createRng } from "../../lib/util/rng.ts";
import { MNIST_INPUT, mnistSpace, syntheticSource } from "./fixtures.ts";

Deno.test("sort-and-sweep equals brute force, ties and duplicates included", () => {
  const rng = createRng(1);
  for (let trial = 0; trial < 60; trial++) {
    const k = 1 + (trial % 4), n = 1 + rng.int(150), levels = 2 + rng.int(8);
    const cols = Array.from(
      { length: k },
      () => Float64Array.from({ length: n }, () => rng.int(levels)),
    );
    assert.deepEqual([...paretoFront(cols)], [...paretoFrontBruteForce(cols)], `trial ${trial}`);
  }
});

Deno.test("the whole-space front equals brute force over predicted metrics", async () => {
  const space = await mnistSpace();
  const lut = await buildLut(space, syntheticSource(space), { warmup: 1, repeats: 3, trim: 0 });
  const rng = createRng(4);
  const names = featureNames(space);
  const model = {
    kind: "ridge" as const,
    lambda: 1,
    featureNames: names,
    weights: names.map(() => -0.02 * rng.next()),
    intercept: 0.97,
  };
  const { config: platform, path } = await loadPlatformConfig("pi4");
  const correction = { slope: 1.1, perUnit: -0.01, intercept: 0.05 };
  const res = spacePareto({
    space,
    input: MNIST_INPUT,
    accuracy: model,
    latency: lutObjective(space, lut, correction),
    latencySource: "LUT",
    power: platform.power,
    platformPath: path,
  });
  assert.equal(res.configurations, 576000);
  console.log(
    `mnist: ${res.configurations} configurations, front ${res.front.length}, evaluate ` +
      `${res.timingsMs.evaluate.toFixed(0)} ms, filter ${res.timingsMs.filter.toFixed(0)} ms`,
  );
  // Brute force on a random subset plus the front: recompute every metric per configuration.
  const idx = [
    ...new Set([
      ...res.front.map((p) => p.index),
      ...Array.from({ length: 400 }, () => rng.int(576000)),
    ]),
  ];
  const cols = [0, 1, 2].map(() => new Float64Array(idx.length));
  idx.forEach((i, j) => {
    const c = configAt(space, i);
    cols[0][j] = -predictAccuracy(space, model, c);
    cols[1][j] = predictLatency(space, lut, correction, c);
    cols[2][j] = subnetCost(space, c, MNIST_INPUT).weightBytes;
  });
  const brute = new Set([...paretoFrontBruteForce(cols)].map((j) => idx[j]));
  // Every whole-space front point is non-dominated within any subset containing it.
  for (const p of res.front) assert.ok(brute.has(p.index), p.id);
  const p = res.front[0];
  const j = idx.indexOf(p.index);
  assert.ok(Math.abs(p.latency.value - cols[1][j]) < 1e-9);
  assert.ok(Math.abs(p.accuracy.value + cols[0][j]) < 1e-12);
  assert.equal(p.weightBytes.value, cols[2][j]);
  assert.equal(p.energy.provenance, "modeled");
  assert.ok(Math.abs(p.energy.value - platform.power.activeWatts.value * p.latency.value) < 1e-9);
});
