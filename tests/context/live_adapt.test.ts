import assert from "node:assert/strict";
import { join } from "node:path";
import { cli, tinyProfile } from "../search/cli_fixture.ts";

const fx = await tinyProfile();

// The battery falls 12 points per step, so the monitor re-searches at every state; the states
// are 10 s apart, under the 30 s dwell, and every constraint is loose, so no switch can be
// forced by a violation. Whatever latencies this machine measures, at most 1 + 2 switches fit.
function trace(): string {
  const rows = Array.from(
    { length: 8 },
    (_, i) =>
      `  - { t: ${i * 10}, batteryPct: ${100 - i * 12}, freeStorageMb: 500, ` +
      `cpuShare: ${i % 2 === 0 ? 0.1 : 0.3}, latencyMs: 1000, minAccuracy: 0 }`,
  );
  return `name: swing\nworkload: { inferencesPerSecond: 2 }\ntrace:\n${rows.join("\n")}\n`;
}

/** `adapt` of the swing trace on the tiny profile (then `extra`); its report body. */
async function adapt(name: string, ...extra: string[]) {
  const path = join(fx.dir, "swing.yaml");
  await Deno.writeTextFile(path, trace());
  const out = join(fx.dir, name);
  await cli([
    "--out",
    out,
    "adapt",
    "--trace",
    path,
    "--platform",
    "host",
    "--task",
    fx.task,
    "--profile",
    fx.profile,
    ...extra,
  ]);
  return JSON.parse(await Deno.readTextFile(join(out, "adapt.json"))).body;
}

Deno.test("adapt CLI: a timeline with fewer switches than steps, measured switches, a plot", async () => {
  const body = await adapt("a1");
  const steps = body.timeline.length;
  assert.equal(steps, 8);
  assert.ok(body.totals.switches >= 1, "the initial choice is a switch");
  assert.ok(body.totals.switches <= 3, `${body.totals.switches} switches in ${steps} steps`);
  assert.ok(
    body.timeline.every((s: { researched: boolean }) => s.researched),
    "searched each step",
  );
  const first = body.timeline[0];
  assert.equal(first.switched, true);
  assert.equal(first.switchLatency.provenance, "measured-here");
  assert.ok(first.switchLatency.value > 0, "materialization takes time");
  assert.equal(first.evolution.sessionCached, false);
  assert.equal(body.totals.energy.provenance, "modeled");
  assert.ok(body.totals.energy.value > 0);
  for (const f of [body.plot.svg, body.plot.png]) assert.ok((await Deno.stat(f)).size > 0, f);
  assert.match(await Deno.readTextFile(body.plot.svg), /battery/);
  assert.equal(body.accuracyMetric, "accuracy");
});

Deno.test("adapt CLI --metric balanced: every step predicts balanced accuracy", async () => {
  const body = await adapt("a-balanced", "--metric", "balanced");
  assert.equal(body.accuracyMetric, "balancedAccuracy");
  for (const step of body.timeline) {
    assert.match(step.predicted.accuracy.source, /balanced-accuracy predictor/);
  }
});

Deno.test("LiveEvolver: a configuration seen before is served from the session cache", async () => {
  const { LiveEvolver } = await import("../../lib/context/evolve_live.ts");
  const { openWorkspace } = await import("../../cli/commands/search_setup.ts");
  const ws = await openWorkspace({
    platform: "host",
    task: fx.task,
    profile: fx.profile,
    log: () => {},
  });
  const ev = new LiveEvolver(ws.store, ws.space, ws.calibration, { samples: 16, capacity: 1 });
  const [a, b] = ws.predictor.pareto.points.map((p) => p.config);
  try {
    const first = await ev.materialize(a, "a");
    const again = await ev.materialize(a, "a");
    assert.equal(first.record.sessionCached, false);
    assert.equal(first.record.bn, null);
    assert.equal(again.record.sessionCached, true);
    assert.equal(again.session, first.session);
    if (b !== undefined) {
      await ev.materialize(b, "b"); // capacity 1: evicts a
      const back = await ev.materialize(a, "a");
      assert.equal(back.record.sessionCached, false);
      assert.equal(back.record.bn, "memory", "BN statistics stay cached after eviction");
    }
  } finally {
    await ev.close();
  }
});
