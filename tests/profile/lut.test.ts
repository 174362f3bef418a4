import assert from "node:assert/strict";
import {
  buildLut,
  CALL_KEY,
  fitCorrection,
  headKey,
  lutObjective,
  lutSum,
  measureNetworks,
  predictLatency,
  stemKey,
  validateLut,
  variantKey,
} from "../../lib/profile/lut.ts";
import { blockVariants, evaluateSpace, widthMap } from "../../lib/profile/space_eval.ts";
import { measureUnit, summarize } from "../../lib/profile/timing.ts";
import { configAt, sampleConfig } from "../../lib/supernet/mod.ts";
import { createRng } from "../../lib/util/rng.ts";
import { calibrationSamples } from "../../lib/profile/run_latency.ts";
import {
  CALL_MS,
  MNIST_INPUT,
  mnistSpace,
  syntheticSource,
  trueParts,
  trueUnitMs,
} from "./fixtures.ts";

const PROTOCOL = { warmup: 3, repeats: 20, trim: 0.2 };

Deno.test("summarize trims both ends and reports the unbiased variance", () => {
  const s = summarize([3, 1, 2, 100, 2, 2, 2, 2, 2, 0], 0.1);
  assert.equal(s.count, 8);
  assert.equal(s.mean, 2);
  assert.equal(s.median, 2);
  // kept: 1, 2 x6, 3 -> squared deviations 1 + 1 over n - 1 = 7
  assert.ok(Math.abs(s.var - 2 / 7) < 1e-12);
  assert.throws(() => summarize([], 0));
});

Deno.test("measureUnit discards warm-up runs and trims outliers", async () => {
  const space = await mnistSpace();
  const unit = { kind: "stem" as const, int8: false };
  const truth = trueUnitMs(space, unit);
  const s = await measureUnit(syntheticSource(space, 4, 3), unit, {
    warmup: 3,
    repeats: 40,
    trim: 0.1,
  });
  assert.equal(s.count, 32);
  assert.ok(Math.abs(s.mean / truth - 1) < 0.03, `${s.mean} vs ${truth}`);
  const cold = await measureUnit(syntheticSource(space, 4, 3), unit, {
    warmup: 0,
    repeats: 10,
    trim: 0,
  });
  assert.ok(cold.mean > 1.3 * truth, "without warm-up the cold runs inflate the mean");
});

Deno.test("the LUT has one entry per non-skip variant, stem and head, near the truth", async () => {
  const space = await mnistSpace();
  const map = widthMap(space);
  const lut = await buildLut(space, syntheticSource(space), PROTOCOL);
  const variants = blockVariants(space, map);
  const skips = variants.filter((v) => space.blocks[v.block].choices[v.choice].op === "skip");
  const heads = map.cins[space.blocks.length].length * 2;
  assert.equal(Object.keys(lut.entries).length, variants.length - skips.length + 2 + heads);
  for (const v of variants.filter((v) => !skips.includes(v))) {
    const e = lut.entries[variantKey(space, v)];
    const truth = trueUnitMs(space, { kind: "block", variant: v });
    assert.ok(
      Math.abs(e.mean / truth - 1) < 0.05,
      `${variantKey(space, v)}: ${e.mean} vs ${truth}`,
    );
    assert.equal(e.count, 12);
  }
  assert.ok(lut.entries[stemKey(true)].mean > 0 && lut.entries[headKey(128, false)].mean > 0);
  assert.equal(variantKey(space, { block: 2, choice: 5, cin: 24, int8: true }), "b2:dw-w.75@24|q8");
});

Deno.test("LUT prediction, whole-space evaluation and nn-Meter validation", async () => {
  const space = await mnistSpace();
  // Units are timed net of their empty twin, as the host source does.
  const lut = await buildLut(space, syntheticSource(space, 2, 2, true), PROTOCOL);
  const rng = createRng(9);
  const configs = Array.from({ length: 40 }, () => sampleConfig(space, rng));
  // The LUT sum is the compute of the parts alone: no per-unit call overhead is counted.
  for (const config of configs.slice(0, 10)) {
    const truth = trueParts(space, config).reduce((a, b) => a + b, 0);
    const sum = lutSum(space, lut, config).ms;
    assert.ok(Math.abs(sum / truth - 1) < 0.03, `${sum} vs ${truth}`);
  }
  const [col] = evaluateSpace(space, [lutObjective(space, lut)]);
  for (let t = 0; t < 20; t++) {
    const i = rng.int(col.length);
    assert.ok(Math.abs(col[i] - lutSum(space, lut, configAt(space, i)).ms) < 1e-9);
  }
  const measured = await measureNetworks(syntheticSource(space, 3), configs, PROTOCOL);
  const v = validateLut(space, lut, measured, rng.fork("split"));
  assert.equal(v.corrected.n, 12);
  assert.equal(v.trainCount, 28);
  assert.ok(v.corrected.rmspe < 5, `corrected RMSPE ${v.corrected.rmspe}`);
  assert.ok(v.corrected.within10 >= 0.9);
  // The raw sum misses the network's one call; the fitted intercept restores it.
  assert.ok(v.raw.rmspe > v.corrected.rmspe);
  assert.ok(Math.abs(v.correction.intercept - CALL_MS) < 0.01, `${v.correction.intercept}`);
  assert.ok(Math.abs(v.correction.slope - 1) < 0.05, `slope ${v.correction.slope}`);
  // The corrected objective over the whole space agrees with predictLatency.
  const [corr] = evaluateSpace(space, [lutObjective(space, lut, v.correction)]);
  const i = rng.int(corr.length);
  assert.ok(
    Math.abs(corr[i] - predictLatency(space, lut, v.correction, configAt(space, i))) < 1e-9,
  );
  assert.equal(v.points.filter((p) => p.heldOut).length, 12);
});

Deno.test("measureUnit subtracts the overhead twin run by run and never goes below 0", async () => {
  const space = await mnistSpace();
  const unit = { kind: "stem" as const, int8: false };
  const truth = trueUnitMs(space, unit);
  const s = await measureUnit(syntheticSource(space, 4, 3, true), unit, PROTOCOL);
  assert.ok(Math.abs(s.mean / (truth - CALL_MS) - 1) < 0.03, `${s.mean} vs ${truth - CALL_MS}`);
  let twinCalls = 0;
  const tiny = {
    name: "tiny",
    prepare: () => Promise.resolve({ run: () => 1, overhead: () => (twinCalls++, 1.5) }),
  };
  const t = await measureUnit(tiny, unit, { warmup: 2, repeats: 4, trim: 0 });
  assert.equal(twinCalls, 6, "one twin call after every warm-up and timed run");
  assert.equal(t.mean, 0);
  assert.equal(t.median, 0);
});

Deno.test("fitCorrection keeps every coefficient >= 0 and recovers an exact model", () => {
  const raw = [0.05, 0.1, 0.2, 0.3, 0.4].map((ms, i) => ({ ms, units: 3 + (i % 3) }));
  const exact = fitCorrection(raw, raw.map((r) => 1.1 * r.ms + 0.002 * r.units + 0.016));
  assert.ok(Math.abs(exact.slope - 1.1) < 1e-9, `${exact.slope}`);
  assert.ok(Math.abs(exact.perUnit - 0.002) < 1e-9, `${exact.perUnit}`);
  assert.ok(Math.abs(exact.intercept - 0.016) < 1e-9, `${exact.intercept}`);
  // Unconstrained, these points want a negative intercept (steep line through a tiny network),
  // which would predict <= 0 ms below 0.1 ms; constrained, the intercept stays at 0.
  const steep = fitCorrection(raw, raw.map((r) => 2 * r.ms - 0.09));
  assert.ok(steep.slope >= 0 && steep.perUnit >= 0 && steep.intercept >= 0, JSON.stringify(steep));
  const tinyPred = steep.slope * 0.01 + steep.perUnit * 2 + steep.intercept;
  assert.ok(tinyPred > 0, `prediction for a tiny network ${tinyPred}`);
  assert.deepEqual(fitCorrection([], []), { slope: 1, perUnit: 0, intercept: 0 });
});

Deno.test("calibration samples give twin-net LUT units back one network call", async () => {
  const space = await mnistSpace();
  const lut = await buildLut(space, syntheticSource(space, 5, 2, true), PROTOCOL);
  const rng = createRng(3);
  const configs = Array.from({ length: 20 }, () => sampleConfig(space, rng));
  const nets = await measureNetworks(syntheticSource(space, 6), configs, PROTOCOL);
  const samples = calibrationSamples(space, MNIST_INPUT, lut, nets);
  const stem = lut.entries[stemKey(false)].mean;
  const stemSample = samples[0];
  // The first sample is the float stem: its LUT time plus about one call (CALL_MS).
  assert.ok(Math.abs(stemSample.latencyMs - stem - CALL_MS) < 0.005, `${stemSample.latencyMs}`);
  // Every unit (not the derived call entry) and every network is a sample.
  assert.ok(
    Math.abs(lut.entries[CALL_KEY].mean - CALL_MS) < 0.002,
    `${lut.entries[CALL_KEY].mean}`,
  );
  assert.equal(samples.length, Object.keys(lut.entries).length - 1 + nets.length);
});
