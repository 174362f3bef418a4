import assert from "node:assert/strict";
import type { ContextState } from "../../lib/config/context.ts";
import { createAdapter } from "../../lib/context/adapter.ts";
import { ContextMonitor, DEFAULT_MONITOR, significantChanges } from "../../lib/context/monitor.ts";
import { energyRangeOf, syntheticPredictor } from "../../lib/search/mod.ts";
import { smallSpace } from "../search/fixtures.ts";

const space = smallSpace();
const predictor = syntheticPredictor(space, 1);
const adapter = createAdapter(space, predictor, energyRangeOf(space, predictor), {}, {
  algorithm: "exhaustive",
});
const base: ContextState = {
  batteryPct: 50,
  freeStorageMb: 100,
  cpuShare: 0.1,
  latencyMs: 100,
  minAccuracy: 0.9,
};
/** No hysteresis at all: re-search on any change, switch on any gain, no dwell. */
const NONE = {
  batteryPct: 0,
  freeStorageRel: 0,
  cpuShare: 0,
  latencyRel: 0,
  minAccuracy: 0,
  switchMargin: 0,
  minDwellS: 0,
};

function run(monitor: ContextMonitor, states: ContextState[], stepS: number) {
  return states.map((s, i) => monitor.step(i * stepS, s));
}

Deno.test("significant changes follow the configured thresholds", () => {
  const c = DEFAULT_MONITOR;
  assert.deepEqual(significantChanges(base, { ...base, batteryPct: 46 }, c), []);
  assert.deepEqual(significantChanges(base, { ...base, batteryPct: 45 }, c), ["batteryPct"]);
  assert.deepEqual(significantChanges(base, { ...base, freeStorageMb: 85 }, c), []);
  assert.deepEqual(significantChanges(base, { ...base, freeStorageMb: 80 }, c), ["freeStorageMb"]);
  assert.deepEqual(significantChanges(base, { ...base, cpuShare: 0.25 }, c), ["cpuShare"]);
  assert.deepEqual(significantChanges(base, { ...base, latencyMs: 109 }, c), []);
  assert.deepEqual(significantChanges(base, { ...base, minAccuracy: 0.91 }, c), ["minAccuracy"]);
  assert.deepEqual(significantChanges(base, base, { ...c, ...NONE }), []);
});

Deno.test("small oscillations around a value never trigger a search", () => {
  const monitor = new ContextMonitor(adapter);
  const states = Array.from({ length: 40 }, (_, i) => ({
    ...base,
    batteryPct: i % 2 === 0 ? 50 : 53,
    cpuShare: i % 2 === 0 ? 0.1 : 0.15,
  }));
  const steps = run(monitor, states, 5);
  assert.equal(monitor.searches, 1);
  assert.equal(monitor.switches, 1);
  assert.equal(steps.filter((s) => s.switched).length, 1);
});

Deno.test("a trace oscillating across a decision threshold does not switch every step", () => {
  // Battery swinging between 15% and 85% moves the energy weight enough to change the answer.
  const states = Array.from({ length: 40 }, (_, i) => ({
    ...base,
    batteryPct: i % 2 === 0 ? 85 : 15,
  }));
  const eager = new ContextMonitor(adapter, NONE);
  const eagerSwitches = run(eager, states, 5).filter((s) => s.switched).length;
  assert.ok(eagerSwitches >= 30, `the trace must really oscillate (got ${eagerSwitches} switches)`);

  const calm = new ContextMonitor(adapter, { minDwellS: 30 });
  const steps = run(calm, states, 5);
  const switches = steps.filter((s) => s.switched);
  // 200 s at a 30 s dwell: the initial choice plus at most one switch per dwell period.
  assert.ok(switches.length <= 1 + Math.floor(200 / 30), `${switches.length} switches`);
  for (let i = 1; i < switches.length; i++) {
    assert.ok(switches[i].t - switches[i - 1].t >= 30);
    assert.equal(switches[i].switchReason, "better");
  }
  // A large margin stops the objective-driven switches altogether.
  const stubborn = new ContextMonitor(adapter, { switchMargin: 10, minDwellS: 0 });
  assert.equal(run(stubborn, states, 5).filter((s) => s.switched).length, 1);
});

Deno.test("a broken constraint forces a switch at once, dwell or not", () => {
  const monitor = new ContextMonitor(adapter, { minDwellS: 1e6, switchMargin: 10 });
  // Full battery, no floor: accuracy first, so the answer is far from the fastest configuration.
  const state = { ...base, batteryPct: 100, minAccuracy: 0 };
  const unconstrained = adapter.search(state).effectiveLatencyMs;
  // A demand just above the best answer's latency keeps that answer...
  const first = monitor.step(0, { ...state, latencyMs: unconstrained * 1.02 });
  assert.equal(first.assessment.effectiveLatencyMs, unconstrained);
  const demand = unconstrained * 0.99; // ...and one just under it breaks it.
  // A 3% tighter demand is below the 10% significance threshold: the violation alone triggers.
  const second = monitor.step(1, { ...state, latencyMs: demand });
  assert.equal(second.researched, true);
  assert.match(second.reason, /breaks latency/);
  assert.equal(second.switched, true);
  assert.equal(second.switchReason, "violation");
  assert.ok(second.assessment.feasible);
  assert.notEqual(second.id, first.id);
});

Deno.test("an answer held back by the dwell time is taken once the dwell has passed", () => {
  const monitor = new ContextMonitor(adapter, { minDwellS: 30 });
  const a = monitor.step(0, { ...base, batteryPct: 100 });
  const b = monitor.step(10, { ...base, batteryPct: 0 });
  assert.equal(b.researched, true);
  assert.equal(b.switched, false, "within the dwell time");
  assert.equal(b.id, a.id);
  assert.ok(b.candidate !== null && b.candidate.id !== a.id);
  const c = monitor.step(35, { ...base, batteryPct: 1 }); // not significant, but dwell passed
  assert.equal(c.researched, false);
  assert.equal(c.switched, true);
  assert.equal(c.id, b.candidate!.id);
});

Deno.test("with nothing feasible the monitor keeps the closest answer without thrashing", () => {
  const impossible = { ...base, latencyMs: 1e-6 };
  const monitor = new ContextMonitor(adapter);
  const steps = [0, 1, 2, 3].map((t) => monitor.step(t, impossible));
  assert.equal(monitor.searches, 1);
  assert.ok(steps.every((s) => !s.assessment.feasible));
  assert.equal(steps.filter((s) => s.switched).length, 1);
});
