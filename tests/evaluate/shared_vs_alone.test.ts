import assert from "node:assert/strict";
import { classCounts } from "../../lib/data/cache.ts";
import {
  aloneNoiseStats,
  aloneSeedFields,
  derivedNoiseStats,
  derivedSeedFields,
  gapStats,
  sharedVsAloneRow,
} from "../../lib/evaluate/shared_vs_alone.ts";

const close = (a: number | null | undefined, b: number) =>
  assert.ok(typeof a === "number" && Math.abs(a - b) < 1e-12, `${a} != ${b}`);

Deno.test("shared vs alone row: balanced accuracy figures with provenance and their gap", () => {
  const alone = { testAccuracy: 0.9974, testBalancedAccuracy: 0.857, testSamples: 776 };
  const derived = { testAccuracy: 0.991, testBalancedAccuracy: 0.5, testSamples: 776 };
  const r = sharedVsAloneRow("spanning", "smallest", "b0:conv", alone, derived);
  close(r.gap, 0.9974 - 0.991);
  close(r.balancedGap, 0.857 - 0.5);
  for (const f of [r.aloneBalanced!, r.derivedBalanced!]) {
    assert.equal(f.provenance, "measured-here");
    assert.equal(f.unit, "fraction");
    assert.match(f.source!, /balanced accuracy .*776 samples/);
  }
  assert.equal(r.aloneBalanced!.value, 0.857);
  assert.equal(r.derivedBalanced!.value, 0.5);
  assert.match(r.derivedBalanced!.source!, /derived from the supernet/);
  assert.doesNotMatch(r.alone.source!, /balanced/);
});

Deno.test("shared vs alone row: results cached before balanced accuracy have none, and no gap", () => {
  const old = { testAccuracy: 0.99, testSamples: 776 };
  const fresh = { testAccuracy: 0.98, testBalancedAccuracy: 0.7, testSamples: 776 };
  const a = sharedVsAloneRow("baselines", "backbone", "b0:conv", old, fresh);
  assert.equal(a.aloneBalanced, undefined);
  close(a.derivedBalanced?.value, 0.7);
  assert.equal(a.balancedGap, undefined);
  assert.ok(!("balancedGap" in a), "no key, not an undefined value");
  const b = sharedVsAloneRow("baselines", "backbone", "b0:conv", fresh, old);
  assert.equal(b.derivedBalanced, undefined);
  assert.equal(b.balancedGap, undefined);
  close(b.gap, -0.01);
});

Deno.test("gap stats: mean and worst in both metrics; balanced null when any row lacks it", () => {
  const all = gapStats([{ gap: 0.02, balancedGap: 0.3 }, { gap: -0.01, balancedGap: 0.1 }]);
  close(all.meanGap, 0.005);
  close(all.worstGap, 0.02);
  close(all.meanBalancedGap, 0.2);
  close(all.worstBalancedGap, 0.3);
  const partial = gapStats([{ gap: 0.02, balancedGap: 0.3 }, { gap: -0.01 }]);
  close(partial.meanGap, 0.005);
  assert.equal(partial.meanBalancedGap, null);
  assert.equal(partial.worstBalancedGap, null);
  assert.deepEqual(gapStats([]), {
    meanGap: null,
    worstGap: null,
    meanBalancedGap: null,
    worstBalancedGap: null,
  });
});

Deno.test("class counts of a test split", () => {
  assert.deepEqual(classCounts(Int32Array.from([0, 2, 2, 0, 0]), 4), [3, 0, 2, 0]);
});

Deno.test("shared vs alone row: alone seeds, their mean, balanced ones when every seed has it", () => {
  const derived = { testAccuracy: 0.85, testBalancedAccuracy: 0.8, testSamples: 500 };
  const seed0 = { testAccuracy: 0.9011, testBalancedAccuracy: 0.9, testSamples: 500 };
  const seed1 = { testAccuracy: 0.8567, testBalancedAccuracy: 0.84, testSamples: 500 };
  const one = sharedVsAloneRow("spanning", "largest", "b0:conv", seed0, derived);
  for (const k of ["aloneSeeds", "aloneMean", "aloneBalancedSeeds", "aloneBalancedMean"]) {
    assert.ok(!(k in one), `no ${k} for one seed`);
  }
  const r = sharedVsAloneRow("spanning", "largest", "b0:conv", seed0, derived, [seed1]);
  assert.equal(r.alone.value, 0.9011, "alone stays seed 0");
  close(r.gap, 0.9011 - 0.85);
  assert.deepEqual(r.aloneSeeds!.map((f) => f.value), [0.9011, 0.8567]);
  assert.match(r.aloneSeeds![0].source!, /500 samples; trained alone with seed 0 of 2/);
  assert.match(r.aloneSeeds![1].source!, /seed 1 of 2/);
  close(r.aloneMean!.value, 0.8789);
  assert.deepEqual(r.aloneBalancedSeeds!.map((f) => f.value), [0.9, 0.84]);
  close(r.aloneBalancedMean!.value, 0.87);
  for (const f of [...r.aloneSeeds!, r.aloneMean!, ...r.aloneBalancedSeeds!]) {
    assert.equal(f.provenance, "measured-here");
  }
  // Seed 0 cached before balanced accuracy was recorded: accuracy seeds only.
  const { testBalancedAccuracy: _b, ...old } = seed0;
  const partial = aloneSeedFields([old, seed1]);
  assert.equal(partial.aloneSeeds!.length, 2);
  assert.equal(partial.aloneBalancedSeeds, undefined);
  assert.equal(partial.aloneBalancedMean, undefined);
});

Deno.test("alone noise: mean and max spread over configurations, gap to the seeds' mean", () => {
  const m = (a: number, b?: number) => ({
    testAccuracy: a,
    testBalancedAccuracy: b,
    testSamples: 9,
  });
  const rows = [
    sharedVsAloneRow("spanning", "largest", "a", m(0.9, 0.8), m(0.8, 0.7), [m(0.86, 0.7)]),
    sharedVsAloneRow("spanning", "smallest", "b", m(0.7, 0.6), m(0.7, 0.5), [m(0.72, 0.6)]),
  ];
  const s = aloneNoiseStats(rows);
  close(s.aloneNoise, (0.04 + 0.02) / 2);
  close(s.maxAloneNoise, 0.04);
  close(s.meanGapToAloneMean, ((0.88 - 0.8) + (0.71 - 0.7)) / 2);
  close(s.aloneBalancedNoise, (0.1 + 0) / 2);
  close(s.meanBalancedGapToAloneMean, ((0.75 - 0.7) + (0.6 - 0.5)) / 2);
  // One seed everywhere: no noise fields at all (nothing changes for aloneSeeds 1).
  assert.deepEqual(aloneNoiseStats([sharedVsAloneRow("spanning", "a", "a", m(0.9), m(0.8))]), {});
  // A row without seeds among seeded ones: the values are null, not a mean over fewer rows.
  const mixed = aloneNoiseStats([...rows, sharedVsAloneRow("spanning", "c", "c", m(0.9), m(0.8))]);
  assert.equal(mixed.aloneNoise, null);
  assert.equal(mixed.meanGapToAloneMean, null);
  assert.equal(mixed.aloneBalancedNoise, null);
});

Deno.test("supernet seeds: derived accuracies per supernet, their mean, spread and gap of the means", () => {
  const m = (a: number, b?: number) => ({
    testAccuracy: a,
    testBalancedAccuracy: b,
    testSamples: 9,
  });
  const f = derivedSeedFields([m(0.8, 0.7), m(0.76, 0.5), m(0.84, 0.6)], [3, 4, 5]);
  assert.deepEqual(f.derivedSeeds!.map((x) => x.value), [0.8, 0.76, 0.84]);
  close(f.derivedMean!.value, 0.8);
  close(f.derivedBalancedMean!.value, 0.6);
  assert.match(f.derivedSeeds![2].source!, /supernet 2 of 3, ensemble-trained with seed 5/);
  assert.match(f.derivedSeeds![2].source!, /derived from the supernet, BN recalibrated/);
  assert.equal(f.derivedSeeds![0].provenance, "measured-here");
  // One supernet: no fields; a measurement without balanced accuracy: no balanced fields.
  assert.deepEqual(derivedSeedFields([m(0.8)], [0]), {});
  assert.equal(derivedSeedFields([m(0.8, 0.7), m(0.7)], [0, 1]).derivedBalancedSeeds, undefined);

  // Row a: alone seeds 0.9 / 0.86 (mean 0.88), derived 0.8 / 0.84; row b: one alone seed 0.7,
  // derived 0.7 / 0.6.
  const a = {
    ...sharedVsAloneRow("spanning", "a", "a", m(0.9, 0.8), m(0.8, 0.7), [m(0.86, 0.8)]),
    ...derivedSeedFields([m(0.8, 0.7), m(0.84, 0.5)], [0, 1]),
  };
  const b = {
    ...sharedVsAloneRow("spanning", "b", "b", m(0.7, 0.6), m(0.7, 0.6)),
    ...derivedSeedFields([m(0.7, 0.6), m(0.6, 0.6)], [0, 1]),
  };
  const s = derivedNoiseStats([a, b]);
  close(s.derivedNoise, (0.04 + 0.1) / 2);
  close(s.maxDerivedNoise, 0.1);
  close(s.meanGapOfMeans, ((0.88 - 0.82) + (0.7 - 0.65)) / 2);
  close(s.derivedBalancedNoise, (0.2 + 0) / 2);
  close(s.meanBalancedGapOfMeans, ((0.8 - 0.6) + (0.6 - 0.6)) / 2);
  // No row derived from several supernets: no fields; a row without among others: nulls.
  assert.deepEqual(derivedNoiseStats([sharedVsAloneRow("spanning", "c", "c", m(0.9), m(0.8))]), {});
  const mixed = derivedNoiseStats([a, sharedVsAloneRow("spanning", "c", "c", m(0.9), m(0.8))]);
  assert.equal(mixed.derivedNoise, null);
  assert.equal(mixed.meanGapOfMeans, null);
  assert.equal(mixed.derivedBalancedNoise, null);
});
