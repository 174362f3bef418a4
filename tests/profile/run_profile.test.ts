import assert from "node:assert/strict";
import { join } from "node:path";
import { buildProgram } from "../../cli/main.ts";
import { AdaspringError } from "../../lib/errors.ts";
import { readProfile } from "../../lib/profile/artifact.ts";
import { CALL_KEY } from "../../lib/profile/lut.ts";
import { createHostSource, type HostSourceOptions } from "../../lib/profile/host_source.ts";
import { type ProfileOptions, runProfile } from "../../lib/profile/run.ts";
import type { TimingSource } from "../../lib/profile/timing.ts";
import { PROVENANCES } from "../../lib/report/provenance.ts";

// A tiny task on the (real, small) sensor data: 2 blocks, 2 widths, no fire or low-rank.
const TINY = `name: tiny
description: profile test task
modality: environment
seed: 0
dataset:
  source: sensor
model:
  kind: conv1d
  stem: { channels: 8, kernel: 3, stride: 1 }
  blocks:
    - { channels: 8, kernel: 3, stride: 1, optional: true }
    - { channels: 16, kernel: 3, stride: 2 }
operators:
  width: [1, 0.5]
  fire: false
  lowRank: false
`;

/** A host source that counts prepared units and can fail after `failAfter` of them. */
function counting(failAfter = Infinity) {
  const c = { prepared: 0 };
  const create = (o: HostSourceOptions): TimingSource => {
    const inner = createHostSource(o);
    return {
      name: inner.name,
      prepare(unit) {
        if (c.prepared >= failAfter) return Promise.reject(new Error("interrupted (test)"));
        c.prepared++;
        return inner.prepare(unit);
      },
    };
  };
  return { c, create };
}

async function setup() {
  const dir = await Deno.makeTempDir({ prefix: "profile-test-" });
  const task = join(dir, "tiny.yaml");
  await Deno.writeTextFile(task, TINY);
  const base: ProfileOptions = {
    platform: "host",
    task,
    quick: true,
    accuracySamples: 8,
    latencySamples: 6,
    log: () => {},
  };
  return { dir, task, base };
}

/** Every object with a numeric value and a unit is a figure with a known provenance. */
function assertFigures(x: unknown, path = "body"): number {
  if (x === null || typeof x !== "object") return 0;
  const o = x as Record<string, unknown>;
  if (typeof o.value === "number" && typeof o.unit === "string") {
    assert.ok(PROVENANCES.includes(o.provenance as never), `${path} lacks provenance`);
    assert.ok(typeof o.source === "string" && o.source.length > 0, `${path} lacks a source`);
    return 1;
  }
  return Object.entries(o).reduce((n, [k, v]) => n + assertFigures(v, `${path}.${k}`), 0);
}

Deno.test("quick profile: valid artifact with provenance; resume measures only what is missing", async () => {
  const { dir, base } = await setup();
  const out = join(dir, "run");
  // First run is interrupted after 5 timing units.
  const first = counting(5);
  await assert.rejects(runProfile({ ...base, out, createSource: first.create }), /interrupted/);

  const second = counting();
  const r = await runProfile({ ...base, resume: out, createSource: second.create });
  // LUT units and whole networks are timed in one shuffled list: the 5 saved may be either.
  assert.equal(r.counts.lutEntries.resumed + r.counts.networks.resumed, 5);
  assert.ok(r.counts.lutEntries.measured > 0);
  // The table's `call` entry (mean overhead-twin time) is derived, not a prepared unit.
  assert.ok(r.artifact.lut!.entries[CALL_KEY].mean > 0);
  assert.equal(
    second.c.prepared,
    r.counts.lutEntries.measured - 1 + r.counts.networks.measured,
    "only units missing from the saved state are timed",
  );

  // Round trip, and the content: every LUT entry, the validation and the calibration.
  const read = await readProfile(r.artifactPath);
  assert.deepEqual(read, JSON.parse(JSON.stringify(r.artifact)));
  assert.equal(read.platform.latency, "measured");
  // Entries are net of the per-call overhead: a tiny unit can be all overhead (clamped to 0).
  assert.ok(Object.values(read.lut!.entries).every((e) => e.mean >= 0 && e.count > 0));
  assert.ok(Object.values(read.lut!.entries).some((e) => e.mean > 0));
  assert.ok(read.latencyValidation!.corrected.n >= 1);
  assert.ok(read.calibration !== null);
  assert.equal(read.supernet.trained, false);
  assert.match(read.warnings!.join("\n"), /untrained \(initialised from seed 0\).*meaningless/);
  assert.ok(read.pareto.front.length > 0);
  assert.ok(
    read.pareto.front.every((p) => p.accuracy.value >= 0 && p.accuracy.value <= 1),
    "reported predicted accuracies lie in [0, 1]",
  );
  const figures = assertFigures(read.pareto.front) + assertFigures(r.body);
  assert.ok(figures > 10, `${figures} figures checked`);
  const report = JSON.parse(await Deno.readTextFile(r.reportPath));
  assert.equal(report.kind, "profile");
  assert.match(report.body.weights, /^untrained/);
  assert.equal(report.body.accuracyPredictor.meaningful, false);

  // A third run resumes everything: nothing is timed or evaluated again.
  const third = counting();
  const again = await runProfile({ ...base, resume: out, createSource: third.create });
  assert.equal(third.c.prepared, 0);
  assert.deepEqual(again.counts.lutEntries.measured, 0);
  assert.deepEqual(again.counts.networks.measured, 0);
  assert.deepEqual(again.counts.accuracies.measured, 0);
  assert.ok(again.counts.accuracies.resumed >= 4);
  assert.deepEqual(again.artifact.lut, r.artifact.lut);

  // A modeled platform in the same directory borrows the host calibration; figures say modeled.
  const pi4 = await runProfile({ ...base, platform: "pi4", resume: out });
  assert.equal(pi4.artifact.lut, null);
  assert.deepEqual(pi4.artifact.calibration, r.artifact.calibration);
  assert.ok(pi4.artifact.pareto.front.every((p) => p.latency.provenance === "modeled"));
  const refs = pi4.body.references as { configurations: { latency: { provenance: string } }[] };
  assert.ok(refs.configurations.every((c) => c.latency.provenance === "modeled"));
  await Deno.remove(dir, { recursive: true });
});

Deno.test("a stale profile is refused after the task YAML changes", async () => {
  const { dir, task, base } = await setup();
  const out = join(dir, "run");
  const r = await runProfile({ ...base, out, accuracySamples: 5, latencySamples: 3 });
  const show = (args: string[]) => {
    // buildProgram registers `profile` itself.
    const program = buildProgram();
    return program.parseAsync(["profile", "show", ...args], { from: "user" });
  };
  const log = console.log;
  console.log = () => {};
  try {
    await show([r.artifactPath]); // fresh: accepted
    await Deno.writeTextFile(task, TINY.replace("channels: 16", "channels: 24"));
    await assert.rejects(show([r.artifactPath]), (e) => {
      assert.ok(e instanceof AdaspringError);
      assert.equal(e.exitCode, 3);
      assert.match(e.message, /stale: the task config of tiny changed/);
      return true;
    });
    // The modeled platform refuses to borrow the stale host calibration too.
    await assert.rejects(
      runProfile({ ...base, platform: "pi4", out, accuracySamples: 5 }),
      /stale/,
    );
  } finally {
    console.log = log;
  }
  await Deno.remove(dir, { recursive: true });
});

Deno.test("validation on 2 workers measures the same accuracies as on this thread", async () => {
  const { dir, base } = await setup();
  const one = await runProfile({ ...base, platform: "pi4", out: join(dir, "one") });
  const two = await runProfile({ ...base, platform: "pi4", out: join(dir, "two"), workers: 2 });
  const measured = (r: typeof one) =>
    r.artifact.accuracyPredictor.points.map((p) => [p.id, p.measured]);
  assert.ok(measured(one).length >= 4);
  assert.deepEqual(measured(two), measured(one));
  const saved = JSON.parse(
    await Deno.readTextFile(join(dir, "two", "profile-state", "accuracy.json")),
  );
  for (const v of Object.values(saved.entries) as { accuracy: number; halves: number[] }[]) {
    assert.equal(v.halves.length, 2, "split halves saved with each accuracy");
  }
  await Deno.remove(dir, { recursive: true });
});
