import assert from "node:assert/strict";
import { reportedAccuracy } from "../../lib/profile/accuracy_predictor.ts";
import { dirname, join } from "node:path";
import { prepareDataset } from "../../lib/data/prepare.ts";
import { loadPlatformConfig } from "../../lib/config/platform.ts";
import { loadTaskConfig } from "../../lib/config/task.ts";
import { AdaspringError } from "../../lib/errors.ts";
import { decodeConfig, digitWidth, encodeConfig, metricsColumns } from "../../lib/search/digits.ts";
import { locateProfile } from "../../lib/search/locate.ts";
import { profilePredictor } from "../../lib/search/profile_predictor.ts";
import { createSearchSpace } from "../../lib/supernet/space.ts";
import { assertFigures, cli, tinyProfile } from "./cli_fixture.ts";

const fx = await tinyProfile();

Deno.test("ProfilePredictor reproduces the artifact's predictions on its Pareto set", async () => {
  const space = createSearchSpace((await loadTaskConfig(fx.task)).config);
  const platform = (await loadPlatformConfig(fx.artifact.platform.path)).config;
  const task = await loadTaskConfig(fx.task);
  const data = await prepareDataset(task.config.name, task.config.dataset, {
    seed: task.config.seed,
    baseDir: dirname(fx.task),
  });
  const p = profilePredictor(space, fx.artifact, {
    input: { inputShape: data.inputShape, numClasses: data.classes.length },
    platform,
  });
  const front = fx.artifact.pareto.front;
  assert.ok(front.length > 0);
  const digits = new Uint8Array(front.length * digitWidth(space));
  p.pareto.points.forEach((pt, r) => encodeConfig(space, pt.config, digits, r));
  const cols = metricsColumns(front.length);
  p.predictBatch(digits, front.length, cols);
  front.forEach((f, r) => {
    const m = p.predict(decodeConfig(space, digits, r));
    // The artifact reports accuracy clamped into [0, 1]; the predictor ranks with the raw value.
    assert.equal(reportedAccuracy(m.accuracy), f.accuracy.value, `${f.id} accuracy`);
    assert.equal(m.latencyMs, f.latency.value, `${f.id} latency`);
    assert.equal(m.energyMj, f.energy.value, `${f.id} energy`);
    assert.equal(m.bytes, f.weightBytes.value, `${f.id} bytes`);
    assert.equal(cols.latencyMs[r], m.latencyMs);
    assert.equal(cols.accuracy[r], m.accuracy);
  });
});

Deno.test("locateProfile picks the newest matching profile and errors clearly when none", async () => {
  const root = join(fx.dir, "runs");
  const older = join(root, "p0");
  await Deno.mkdir(older, { recursive: true });
  const other = join(root, "p2");
  await Deno.mkdir(other, { recursive: true });
  const text = await Deno.readTextFile(fx.profile);
  await Deno.writeTextFile(join(older, "profile-host.json"), text);
  await Deno.utime(join(older, "profile-host.json"), new Date(0), new Date(0));
  // Newest of all, but for another task: skipped.
  await Deno.writeTextFile(join(other, "profile-host.json"), text.replace('"tiny"', '"other"'));
  assert.equal(await locateProfile({ platform: "host", task: "tiny", root }), fx.profile);
  await assert.rejects(locateProfile({ platform: "pi4", task: "tiny", root }), (e) => {
    assert.ok(e instanceof AdaspringError);
    assert.match(e.message, /adaspring profile --platform pi4 --task tiny/);
    return true;
  });
  await Deno.remove(older, { recursive: true });
  await Deno.remove(other, { recursive: true });
});

Deno.test("search CLI: a configuration id and a report with provenance on every figure", async () => {
  const ctx = join(fx.dir, "snap.yaml");
  await Deno.writeTextFile(
    ctx,
    "name: snap\nsnapshot: { batteryPct: 60, freeStorageMb: 50, cpuShare: 0.2, latencyMs: 50 }\n",
  );
  const out = join(fx.dir, "s1");
  const text = await cli([
    "--out",
    out,
    "search",
    "--platform",
    "host",
    "--task",
    fx.task,
    "--profile",
    fx.profile,
    "--context",
    ctx,
    "--repeat",
    "2",
  ]);
  assert.match(text, /status: FEASIBLE {2}configuration: b0:/);
  const report = JSON.parse(await Deno.readTextFile(join(out, "search.json")));
  const body = report.body;
  assert.equal(body.feasible, true);
  assert.match(body.configuration, /^b0:.*\|b1:/);
  assert.ok(assertFigures(body) >= 10);
  for (const k of ["accuracy", "latency", "energy", "bytes"]) {
    assert.equal(body.predicted[k].provenance, "modeled");
  }
  assert.equal(body.searchTime.p50.provenance, "measured-here");
  assert.equal(body.evolution.total.provenance, "measured-here");
  // A Pareto answer's BN statistics were computed by profile: evolution does not measure them.
  assert.match(body.evolution.bnStatistics, /^cached \((disk|memory)\)$/);
  assert.equal(body.startup.lowRankSvd.provenance, "measured-here");
  assert.ok(body.runtimeEvolution.sessionCached.median.value >= 0);
});

Deno.test("search CLI: an infeasible context answers feasible: false with the broken constraint", async () => {
  const out = join(fx.dir, "s2");
  const text = await cli([
    "--out",
    out,
    "--json",
    "search",
    "--platform",
    "host",
    "--task",
    fx.task,
    "--profile",
    fx.profile,
    "--battery",
    "50",
    "--latency-ms",
    "100",
    "--storage-mb",
    "0.000001",
    "--cpu-share",
    "0",
  ]);
  const body = JSON.parse(text);
  assert.equal(body.feasible, false);
  assert.equal(body.status, "infeasible");
  assert.equal(body.violations[0].constraint, "bytes");
  assert.match(body.violations[0].text, /over by/);
});

Deno.test("search CLI: a bad context file is reported with file and line", async () => {
  const bad = join(fx.dir, "bad.yaml");
  await Deno.writeTextFile(
    bad,
    "name: bad\nsnapshot:\n  batteryPct: 150\n  freeStorageMb: 1\n  cpuShare: 0\n  latencyMs: 4\n",
  );
  await assert.rejects(
    cli([
      "search",
      "--platform",
      "host",
      "--task",
      fx.task,
      "--profile",
      fx.profile,
      "--context",
      bad,
    ]),
    (e) => {
      assert.ok(e instanceof AdaspringError);
      assert.match(e.message, /bad\.yaml:3/);
      return true;
    },
  );
});

/** `--json search` of the tiny profile on the host, context from flags, then `extra`. */
const snapshotSearch = (out: string, ...extra: string[]) => [
  "--out",
  out,
  "--json",
  "search",
  "--platform",
  "host",
  "--task",
  fx.task,
  "--profile",
  fx.profile,
  "--battery",
  "80",
  "--latency-ms",
  "50",
  "--storage-mb",
  "10",
  "--cpu-share",
  "0.1",
  ...extra,
];

Deno.test("search CLI --export: the evolved model loads, answers, and has its sidecar", async () => {
  const out = join(fx.dir, "s-export");
  const model = join(fx.dir, "chosen.onnx");
  const text = await cli(snapshotSearch(out, "--export", model));
  const body = JSON.parse(text);
  assert.equal(body.export.path, model);
  const sidecar = JSON.parse(await Deno.readTextFile(`${model}.json`));
  assert.equal(sidecar.config, body.configuration);
  const { createSession } = await import("../../lib/runtime/session.ts");
  const s = await createSession(await Deno.readFile(model), { cache: false });
  try {
    const shape = s.inputs[0].shape!.map((d) => typeof d === "number" ? d : 2);
    const data = new Float32Array(shape.reduce((a, b) => a * b, 1));
    const r = await s.run({ input: { dtype: "float32", shape, data } });
    assert.equal(r.logits.shape[0], 2);
  } finally {
    await s.release();
  }
});

Deno.test("search CLI --metric balanced: predicts and verifies balanced accuracy from the balanced front", async () => {
  // tiny's data is sensor's: the validation split is imbalanced, so the profile has a
  // balanced-accuracy predictor and its front.
  assert.ok(fx.artifact.balanced, "the tiny profile has a balanced-accuracy predictor");
  const args = (out: string, metric: string) => snapshotSearch(out, "--metric", metric, "--verify");
  const body = JSON.parse(await cli(args(join(fx.dir, "s-balanced"), "balanced")));
  assert.equal(body.accuracyMetric, "balancedAccuracy");
  assert.match(body.predicted.accuracy.source, /balanced-accuracy predictor/);
  assert.match(body.verify.accuracy.measured.source, /^balanced accuracy/);
  const front = new Set(fx.artifact.balanced!.pareto.front.map((p) => p.id));
  assert.ok(front.has(body.configuration), "answered from the balanced front");
  assert.match(body.evolution.bnStatistics, /^cached/, "profile computed its BN statistics");
  const plain = JSON.parse(await cli(args(join(fx.dir, "s-plain"), "accuracy")));
  assert.equal(plain.accuracyMetric, "accuracy");
  assert.doesNotMatch(plain.predicted.accuracy.source, /balanced/);
  await assert.rejects(() => cli(args(join(fx.dir, "s-bad"), "recall")), /accuracy or balanced/);
});

Deno.test("profilePredictor: balanced accuracy asked of a profile without its predictor is refused", async () => {
  const space = createSearchSpace((await loadTaskConfig(fx.task)).config);
  const platform = (await loadPlatformConfig(fx.artifact.platform.path)).config;
  const { balanced: _, ...older } = fx.artifact;
  const input = { inputShape: [1, 8], numClasses: 2 };
  assert.throws(
    () => profilePredictor(space, older, { input, platform, metric: "balancedAccuracy" }),
    /no balanced-accuracy predictor: its validation split is balanced .* or the profile predates it/,
  );
  assert.equal(profilePredictor(space, older, { input, platform }).metric, "accuracy");
});
