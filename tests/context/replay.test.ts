import assert from "node:assert/strict";
import { contextTrace, loadContextConfig, type TraceEntry } from "../../lib/config/context.ts";
import { loadTaskConfig } from "../../lib/config/task.ts";
import { createAdapter } from "../../lib/context/adapter.ts";
import { ContextMonitor } from "../../lib/context/monitor.ts";
import { type Evolve, replay } from "../../lib/context/replay.ts";
import { energyRangeOf, syntheticPredictor } from "../../lib/search/mod.ts";
import { createSearchSpace } from "../../lib/supernet/space.ts";
import { parseConfigId } from "../../lib/supernet/config_id.ts";
import type { SubnetConfig } from "../../lib/supernet/space.ts";
import { smallSpace } from "../search/fixtures.ts";

/** A fake clock and an evolve that "takes" 40 ms plus 5 ms per block that changes. */
function fakeMaterialiser() {
  let now = 1000;
  const calls: { from: SubnetConfig | null; toId: string }[] = [];
  const evolve: Evolve = (from, to, toId) => {
    calls.push({ from, toId });
    const changed = from === null
      ? to.choices.length
      : to.choices.filter((c, i) => c !== from.choices[i]).length;
    now += 40 + 5 * changed;
  };
  return { evolve, calls, clock: () => now };
}

Deno.test("replay times switches with the injected clock and accounts energy per interval", async () => {
  const space = smallSpace();
  const p = syntheticPredictor(space, 1);
  const adapter = createAdapter(space, p, energyRangeOf(space, p), {}, { algorithm: "exhaustive" });
  const s = { batteryPct: 100, freeStorageMb: 100, cpuShare: 0.1, latencyMs: 100, minAccuracy: 0 };
  const trace: TraceEntry[] = [
    { t: 0, ...s },
    { t: 60, ...s, batteryPct: 98 }, // not significant: nothing happens
    { t: 100, ...s, batteryPct: 5 }, // energy weight jumps: a better answer, dwell passed
    { t: 160, ...s, batteryPct: 4 },
  ];
  const fake = fakeMaterialiser();
  const tl = await replay(trace, new ContextMonitor(adapter), {
    inferencesPerSecond: 3,
    evolve: fake.evolve,
    clock: fake.clock,
    tailS: 20,
  });
  const e = tl.entries;
  assert.deepEqual(e.map((x) => x.switched), [true, false, true, false]);
  assert.deepEqual(e.map((x) => x.researched), [true, false, true, false]);
  assert.equal(e[0].switchReason, "initial");
  assert.equal(e[2].switchReason, "better");
  assert.equal(fake.calls.length, 2);
  assert.equal(fake.calls[0].from, null);
  assert.equal(fake.calls[1].toId, e[2].id);
  assert.equal(e[0].switchLatencyMs, 40 + 5 * space.blocks.length);
  const to = parseConfigId(space, e[2].id).choices;
  const changed = fake.calls[1].from!.choices.filter((c, i) => c !== to[i]).length;
  assert.ok(changed > 0);
  assert.equal(e[2].switchLatencyMs, 40 + 5 * changed);
  assert.equal(e[1].switchLatencyMs, 0);
  assert.deepEqual(e.map((x) => x.intervalS), [60, 40, 60, 20]);
  e.forEach((x) => assert.equal(x.energyMj, x.metrics.energyMj * 3 * x.intervalS));
  assert.ok(e[2].metrics.energyMj < e[0].metrics.energyMj, "low battery picks a frugal model");
  assert.equal(tl.totals.switches, 2);
  assert.equal(tl.totals.durationS, 180);
  assert.equal(tl.totals.violationS, 0);
  assert.equal(tl.totals.switchLatencyMs, e[0].switchLatencyMs + e[2].switchLatencyMs);
});

Deno.test("the shipped traces replay on mnist's space with sensible timelines", async () => {
  const space = createSearchSpace((await loadTaskConfig("mnist")).config);
  const p = syntheticPredictor(space, 0);
  const range = energyRangeOf(space, p);
  const timelines: Record<string, Awaited<ReturnType<typeof replay>>> = {};
  for (const name of ["battery-day", "storage-pressure", "latency-burst", "commute-snapshot"]) {
    const { config } = await loadContextConfig(`configs/contexts/${name}.yaml`);
    const adapter = createAdapter(space, p, range, config, {
      algorithm: "evolution",
      timeBudgetMs: Infinity,
      maxEvaluations: 600,
    });
    const monitor = new ContextMonitor(adapter, config.monitor);
    timelines[name] = await replay(contextTrace(config), monitor, config.workload);
  }
  const day = timelines["battery-day"];
  assert.equal(day.totals.durationS, 15 * 3600);
  assert.ok(day.totals.switches >= 2 && day.totals.switches < day.entries.length);
  assert.ok(day.totals.energyMj > 0);
  const burst = timelines["latency-burst"].entries;
  const atBurst = burst.find((x) => x.t === 20)!;
  assert.equal(atBurst.switched, true, "the 1.5 ms demand forces a faster model at once");
  assert.ok(atBurst.effectiveLatencyMs <= 1.5);
  assert.equal(atBurst.switchReason, "violation");
  assert.ok(burst.filter((x) => x.t >= 20 && x.t < 55).every((x) => x.violations.length === 0));
  // Back to relaxed: the burst model is below the 0.9 floor again, so it is replaced at once.
  assert.equal(burst.find((x) => x.t === 55)!.switched, true);
  const storage = timelines["storage-pressure"].entries;
  const squeezed = storage.find((x) => x.state.freeStorageMb === 0.4)!;
  assert.ok(squeezed.metrics.bytes <= 0.1 * 0.4e6);
  assert.equal(timelines["commute-snapshot"].entries.length, 1);
});
