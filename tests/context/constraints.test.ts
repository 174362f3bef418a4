import assert from "node:assert/strict";
import {
  contextConstraints,
  contextObjective,
  energyWeight,
  latencyScale,
  mapContext,
} from "../../lib/context/constraints.ts";
import { objectiveSchema } from "../../lib/config/context.ts";
import { energyEfficiency, objectiveValue, violations } from "../../lib/search/objective.ts";

const state = { batteryPct: 50, freeStorageMb: 5, cpuShare: 0.5, latencyMs: 20, minAccuracy: 0.9 };
const range = { minMj: 1, maxMj: 100 };
const close = (a: number, b: number) => assert.ok(Math.abs(a - b) < 1e-12, `${a} != ${b}`);

Deno.test("a state maps to hand-computed constraints and weights", () => {
  const { constraints, objective } = mapContext(state, range);
  assert.equal(constraints.maxLatencyMs, 20);
  assert.equal(constraints.maxBytes, 500_000); // 10% of 5 MB
  assert.equal(constraints.minAccuracy, 0.9);
  assert.equal(constraints.latencyScale, 2); // half the CPU left: twice as slow
  assert.equal(objective.accuracyWeight, 1);
  close(objective.energyWeight, 0.1 + 0.9 * 0.25); // (1 - 0.5)^2 of the way to empty
  assert.deepEqual(objective.energyRange, range);
});

Deno.test("battery at 100% and 0% gives the configured end weights; exponent 1 is linear", () => {
  const o = objectiveSchema.parse({ energyWeightFull: 0.2, energyWeightEmpty: 0.8 });
  assert.equal(energyWeight(100, o), 0.2);
  assert.equal(energyWeight(0, o), 0.8);
  const linear = { ...o, energyCurveExponent: 1 };
  close(energyWeight(25, linear), 0.2 + 0.6 * 0.75);
  // The weight never falls as the battery drains.
  let last = -Infinity;
  for (let b = 100; b >= 0; b -= 5) {
    const w = energyWeight(b, o);
    assert.ok(w >= last);
    last = w;
  }
});

Deno.test("CPU share near 1 is clipped, so latency stretches at most 1 / (1 - max)", () => {
  close(latencyScale(0.99, 0.95), 20);
  close(latencyScale(1, 0.95), 20);
  assert.equal(latencyScale(0, 0.95), 1);
  const c = contextConstraints({ ...state, cpuShare: 1 }, { storageShare: 0.1, maxCpuShare: 0.5 });
  assert.equal(c.latencyScale, 2);
  assert.ok(Number.isFinite(contextConstraints({ ...state, cpuShare: 1 }).latencyScale));
});

Deno.test("contention turns a fast-enough configuration into a violation", () => {
  const c = contextConstraints(state); // 20 ms demand, scale 2
  assert.deepEqual(violations(c, 0.95, 9, 1000), []);
  const v = violations(c, 0.95, 12, 1000);
  assert.equal(v.length, 1);
  assert.equal(v[0].constraint, "latency");
  assert.equal(v[0].value, 24);
  close(v[0].normalized, 0.2);
});

Deno.test("zero free storage is a finite violation for any model", () => {
  const c = contextConstraints({ ...state, freeStorageMb: 0 });
  assert.equal(c.maxBytes, 0);
  const v = violations(c, 0.95, 1, 1000);
  assert.equal(v[0].constraint, "bytes");
  assert.equal(v[0].normalized, 1000);
});

Deno.test("energy efficiency is 1 at the frugal end, 0 at the costly end, log in between", () => {
  assert.equal(energyEfficiency(1, range), 1);
  assert.equal(energyEfficiency(100, range), 0);
  close(energyEfficiency(10, range), 0.5);
  assert.equal(energyEfficiency(5, { minMj: 5, maxMj: 5 }), 1);
  const o = contextObjective({ ...state, batteryPct: 0 }, range);
  close(objectiveValue(o, 0.9, 10), 0.9 + 1 * 0.5);
});
