import { DERIVED_ACCURACY_FILE } from "../../lib/evaluate/measure.ts";
import assert from "node:assert/strict";
import { join } from "node:path";
import { loadSuiteConfig } from "../../lib/config/suite.ts";
import { testBalance } from "../../lib/data/balance.ts";
import { checkEvaluation } from "../../lib/evaluate/check.ts";
import { runSuite } from "../../lib/evaluate/run.ts";
import type { TaskEvaluation } from "../../lib/evaluate/task_eval.ts";
import { TINY } from "../search/cli_fixture.ts";

const dir = await Deno.makeTempDir({ prefix: "evaluate-test-" });
const taskPath = join(dir, "tiny.yaml");
await Deno.writeTextFile(taskPath, TINY);
const suitePath = join(dir, "tiny-suite.yaml");
await Deno.writeTextFile(
  suitePath,
  JSON.stringify({
    name: "tiny",
    tasks: [taskPath],
    platforms: ["host", "pi4"],
    limit: 128,
    supernet: { epochs: 1, random: 1, workers: 2 },
    baselines: { epochs: 1, finetuneEpochs: 1, aloneSampled: 2 },
    profile: { quick: true, latencySamples: 4, accuracySamples: 6 },
    matching: { tolerance: 0.05, maxCandidates: 4 },
    latency: { rounds: 2, runsPerRound: 2 },
    search: { repeat: 3 },
    caseStudy: { traces: ["configs/contexts/battery-day.yaml"] },
  }),
);
const loaded = await loadSuiteConfig(suitePath);
const run = (name: string, work: string) =>
  runSuite({ suite: loaded, outDir: join(dir, name), workDir: join(dir, work), log: () => {} });
const first = await run("out1", "work1");
const body = JSON.parse(await Deno.readTextFile(first.reportPath)).body;
const task: TaskEvaluation = body.tasks[0];

Deno.test("evaluate: a consistent report, every figure with provenance", () => {
  const r = checkEvaluation(body);
  assert.deepEqual(r.problems, []);
  assert.ok(r.figures > 50, `${r.figures} figures`);
  // tiny has no fire and no low-rank: those two are listed as skipped, the other five run.
  assert.deepEqual(task.baselinesSkipped.map((s) => s.kind).sort(), ["fire", "low-rank"]);
  assert.equal(r.comparisons, 5 * 2);
  assert.deepEqual(task.platforms.map((p) => p.platform), ["host", "pi4"]);
  assert.equal(task.platforms[0].latencyProvenance, "measured-here");
  assert.equal(task.platforms[1].rows[0].latency.provenance, "modeled");
  const pruned = task.platforms[0].rows.find((r) => r.name === "magnitude-prune")!;
  assert.ok(pruned.nominalLatency!.value < pruned.latency.value, "nominal < real for pruning");
  for (const p of task.platforms) {
    assert.ok(p.search.some((s) => s.algorithm === "evolution"));
    assert.equal(p.caseStudy[0].accounts[0].adaptive, true);
    assert.equal(p.caseStudy[0].accounts.length, 1 + 5);
  }
});

Deno.test("evaluate: shared vs alone has the spanning set and the baseline configurations", () => {
  const sva = task.sharedVsAlone;
  const names = (set: string) => sva.rows.filter((r) => r.set === set).map((r) => r.name);
  assert.deepEqual(names("spanning"), ["largest", "smallest", "sampled-0", "sampled-1"]);
  assert.deepEqual(names("baselines").sort(), ["backbone", "depthwise", "int8-ptq", "width-0.5"]);
  const spanning = sva.rows.filter((r) => r.set === "spanning");
  assert.equal(new Set(spanning.map((r) => r.config)).size, 4, "four distinct configurations");
  const mean = spanning.reduce((a, r) => a + r.gap, 0) / spanning.length;
  assert.ok(Math.abs(sva.spanning.meanGap! - mean) < 1e-12);
  for (const r of sva.rows) {
    assert.ok(Math.abs(r.gap - (r.alone.value - r.derived.value)) < 1e-12, r.name);
    assert.equal(r.derived.provenance, "measured-here");
    // Balanced accuracy beside accuracy, both sides measured by this run.
    for (const f of [r.aloneBalanced!, r.derivedBalanced!]) {
      assert.equal(f.provenance, "measured-here", r.name);
      assert.ok(f.value >= 0 && f.value <= 1, r.name);
    }
    assert.ok(
      Math.abs(r.balancedGap! - (r.aloneBalanced!.value - r.derivedBalanced!.value)) < 1e-12,
    );
  }
  const balanced = spanning.reduce((a, r) => a + r.balancedGap!, 0) / spanning.length;
  assert.ok(Math.abs(sva.spanning.meanBalancedGap! - balanced) < 1e-12);
  assert.equal(typeof sva.baselines.worstBalancedGap, "number");
  const counts = task.dataset.testClassCounts!;
  assert.equal(counts.reduce((a, b) => a + b, 0), task.dataset.samples.test);
});

Deno.test("evaluate: tiny's imbalanced test split is matched on balanced accuracy", () => {
  // tiny is the sensor data: anomalies are rare in its test split.
  assert.ok(
    testBalance(task.dataset.testClassCounts)!.imbalanced,
    `${task.dataset.testClassCounts}`,
  );
  const kinds = task.platforms[0].rows.filter((r) => r.family === "hand-crafted").map((r) =>
    r.name
  );
  assert.deepEqual(task.matching, {
    imbalanced: true,
    metrics: Object.fromEntries(kinds.map((k) => [k, "balancedAccuracy"])),
    fallback: [],
  });
  for (const p of task.platforms) {
    const rows = new Map(p.rows.map((r) => [r.name, r]));
    for (const c of p.comparisons) {
      assert.equal(c.matchMetric, "balancedAccuracy");
      if (c.adaspring === null) {
        assert.match(c.reason!, /measured balanced test accuracy/);
        continue;
      }
      const ada = rows.get(c.adaspring)!, base = rows.get(c.baseline)!;
      assert.ok(
        ada.balancedAccuracy!.value >= base.balancedAccuracy!.value - body.suite.matching.tolerance,
        c.baseline,
      );
      assert.match(ada.balancedAccuracy!.source!, /balanced accuracy .* test split/);
    }
    for (const v of p.sensitivity) {
      for (const q of v.pairs) {
        assert.equal(q.matchMetric, "balancedAccuracy");
        assert.ok(q.balancedAccuracyDelta! >= -v.tolerance, `${q.baseline} at ${v.tolerance}`);
      }
    }
  }
});

Deno.test("evaluate: a work directory made with another supernet budget is refused, naming the stage", async () => {
  const other = structuredClone(loaded);
  (other.config.supernet as { sampling: string }).sampling = "corners";
  await assert.rejects(
    () =>
      runSuite({
        suite: other,
        outDir: join(dir, "out-x"),
        workDir: join(dir, "work1"),
        log: () => {},
      }),
    /supernet holds results made with other inputs/,
  );
});

Deno.test("evaluate: a tampered ratio or headline is caught by the check", () => {
  const bad = structuredClone(body);
  const c = bad.tasks[0].platforms[0].comparisons.find((x: { adaspring: string | null }) =>
    x.adaspring !== null
  );
  if (c) {
    c.latencyReduction *= 1.5;
    assert.ok(checkEvaluation(bad).problems.some((p) => /latency reduction/.test(p)));
  }
  assert.deepEqual(
    task.platforms[0].sensitivity.map((v) => v.tolerance),
    [0.01, 0.02, 0.05],
  );
  const loose = structuredClone(body);
  const pair =
    loose.tasks[0].platforms.flatMap((p: TaskEvaluation["platforms"][number]) =>
      p.sensitivity.flatMap((v) => v.pairs)
    )[0];
  if (pair) {
    pair.latencyReduction *= 2;
    assert.ok(checkEvaluation(loose).problems.some((p) => /tolerance/.test(p)));
  }
  const bad2 = structuredClone(body);
  bad2.headline[0].latencyReduction.pairs += 1;
  assert.ok(checkEvaluation(bad2).problems.some((p) => /headline/.test(p)));
});

Deno.test("evaluate: matches on balanced accuracy search the balanced-accuracy predictor's front", async () => {
  // tiny's validation split is imbalanced like its test split: the profile fits a second
  // predictor to balanced accuracy, and the matches on balanced accuracy search its front.
  for (const p of task.platforms) assert.equal(p.balancedMatchFront, "balanced", p.platform);
  const profile = JSON.parse(
    await Deno.readTextFile(join(dir, "work1", "tiny", "profile", "profile-host.json")),
  );
  assert.ok(profile.balanced.pareto.front.length > 0);
  const front = new Set(profile.balanced.pareto.front.map((p: { id: string }) => p.id));
  for (const p of task.platforms.slice(0, 1)) {
    for (
      const c of p.comparisons.filter((c) => c.adaspring && c.matchMetric === "balancedAccuracy")
    ) {
      const row = p.rows.find((r) => r.name === c.adaspring)!;
      assert.ok(front.has(row.config), `${row.config} is on the balanced front`);
    }
  }
  const md = await Deno.readTextFile(join(first.outDir, "report.md"));
  assert.match(md, /Pareto front under the profile's balanced-accuracy predictor/);
  // What AdaSpring deploys is chosen on balanced accuracy too: the listed Pareto set is the
  // balanced front, and the case study accounts every model in balanced accuracy.
  for (const p of task.platforms) {
    assert.equal(p.accuracyMetric, "balancedAccuracy", p.platform);
    const backbone = p.rows.find((r) => r.name === "backbone")!;
    for (const cs of p.caseStudy) {
      const fixed = cs.accounts.find((a) => a.model === "backbone")!;
      assert.equal(fixed.accuracy, backbone.balancedAccuracy!.value, cs.trace);
    }
  }
  assert.deepEqual(
    new Set(task.platforms[0].pareto.map((x) => x.config)),
    front,
    "the host's listed Pareto set is the balanced front",
  );
  assert.match(md, /balanced accuracy delivered %/);
});

Deno.test("evaluate: markdown tables and plots are written", async () => {
  const md = await Deno.readTextFile(join(first.outDir, "report.md"));
  for (
    const s of [
      "## Headline",
      "tiny on host",
      "tiny on pi4",
      "Case study",
      "OFA-style",
      "| balanced alone % | balanced derived % | balanced gap |",
      "balanced accuracy mean gap",
    ]
  ) {
    assert.ok(md.includes(s), s);
  }
  for (const p of Object.values(body.plots) as { png: string }[]) {
    assert.ok((await Deno.stat(join(first.outDir, p.png))).size > 1000, p.png);
  }
  assert.ok(body.plots["pareto-tiny-host"] && body.plots["energy-pi4"]);
});

Deno.test("evaluate: a rerun resumes from the stages, same seeds give the same choices", async () => {
  const again = await run("out2", "work1");
  const b2 = JSON.parse(await Deno.readTextFile(again.reportPath)).body;
  const ids = (b: { tasks: TaskEvaluation[] }) =>
    b.tasks[0].platforms.map((p) => p.comparisons.map((c) => c.adaspring));
  assert.deepEqual(ids(b2), ids(body));
  const rows = (b: { tasks: TaskEvaluation[] }) =>
    b.tasks[0].platforms[1].rows.map((r) => [r.name, r.accuracy.value, r.trainTime.value]);
  assert.deepEqual(rows(b2), rows(body), "baselines reused, not retrained");
  // A fresh work directory retrains: the same seed gives the same baseline accuracies.
  const fresh = await run("out3", "work2");
  const b3 = JSON.parse(await Deno.readTextFile(fresh.reportPath)).body;
  const acc = (b: { tasks: TaskEvaluation[] }) =>
    b.tasks[0].platforms[1].rows.filter((r) => r.family === "hand-crafted")
      .map((r) => [r.name, r.accuracy.value]);
  assert.deepEqual(acc(b3), acc(body));
});

Deno.test("evaluate: stages cached before balanced accuracy load as they are, shown as not measured", async () => {
  const work = join(dir, "work-old");
  await Deno.mkdir(work);
  await new Deno.Command("cp", { args: ["-r", `${join(dir, "work1")}/.`, work] }).output();
  // Strip balanced accuracy from every cached result, as an older adaspring wrote them.
  const stripped = new Map<string, string>();
  for await (const e of Deno.readDir(work)) {
    for (const stage of ["alone", "baselines"]) {
      const stageDir = join(work, e.name, stage);
      try {
        await Deno.stat(stageDir);
      } catch {
        continue;
      }
      for await (const f of Deno.readDir(stageDir)) {
        if (!f.name.endsWith(".json") || f.name === "inputs.json") continue;
        const path = join(stageDir, f.name);
        const saved = JSON.parse(await Deno.readTextFile(path));
        if (!("testAccuracy" in saved)) continue;
        assert.equal(typeof saved.testBalancedAccuracy, "number", path);
        delete saved.testBalancedAccuracy;
        const text = JSON.stringify(saved, null, 1) + "\n";
        await Deno.writeTextFile(path, text);
        stripped.set(path, text);
      }
    }
    const accPath = join(work, e.name, "supernet", DERIVED_ACCURACY_FILE);
    try {
      const acc = JSON.parse(await Deno.readTextFile(accPath));
      for (const v of Object.values(acc) as { balancedAccuracy?: number }[]) {
        delete v.balancedAccuracy;
      }
      await Deno.writeTextFile(accPath, JSON.stringify(acc, null, 1) + "\n");
    } catch { /* not a task directory */ }
  }
  assert.ok(stripped.size >= 5, `${stripped.size} cached results stripped`);
  const r = await runSuite({
    suite: loaded,
    outDir: join(dir, "out-old"),
    workDir: work,
    log: () => {},
  });
  const b = JSON.parse(await Deno.readTextFile(r.reportPath)).body;
  const sva: TaskEvaluation["sharedVsAlone"] = b.tasks[0].sharedVsAlone;
  for (const [i, row] of sva.rows.entries()) {
    assert.equal(row.aloneBalanced, undefined, row.name);
    assert.equal(row.balancedGap, undefined, row.name);
    // The derived side is measured again (nothing retrained): the fresh run's figure.
    assert.equal(row.derivedBalanced!.value, task.sharedVsAlone.rows[i].derivedBalanced!.value);
  }
  assert.equal(sva.spanning.meanBalancedGap, null);
  assert.equal(sva.baselines.worstBalancedGap, null);
  // Nothing retrained: the same accuracies, and the stage files untouched.
  assert.deepEqual(
    sva.rows.map((x) => x.alone.value),
    task.sharedVsAlone.rows.map((x) => x.alone.value),
  );
  for (const [path, text] of stripped) assert.equal(await Deno.readTextFile(path), text, path);
  assert.deepEqual(checkEvaluation(b).problems, []);
  const md = await Deno.readTextFile(join(r.outDir, "report.md"));
  assert.match(md, /\| — \| \d+\.\d\d \| — \|/);
  assert.match(md, /not measured; these results were cached before balanced accuracy was recorded/);
  // The baselines lack balanced accuracy: matched on accuracy, and the report says so.
  const kinds = Object.keys(task.matching!.metrics);
  assert.deepEqual(b.tasks[0].matching, {
    imbalanced: true,
    metrics: Object.fromEntries(kinds.map((k) => [k, "accuracy"])),
    fallback: kinds,
    remeasure: "baselines/",
  });
  for (const p of b.tasks[0].platforms as TaskEvaluation["platforms"]) {
    for (const c of p.comparisons) assert.equal(c.matchMetric, "accuracy");
  }
  assert.match(md, /were matched on plain accuracy instead: their balanced accuracy was cached/);
  assert.match(md, /delete `<work>\/tiny\/baselines\/`/);
});

Deno.test("evaluate: derived accuracies cached without balanced accuracy are measured again to match on it", async () => {
  const work = join(dir, "work-old-derived");
  await Deno.mkdir(work);
  await new Deno.Command("cp", { args: ["-r", `${join(dir, "work1")}/.`, work] }).output();
  const accPath = join(work, "tiny", "supernet", DERIVED_ACCURACY_FILE);
  const acc = JSON.parse(await Deno.readTextFile(accPath));
  for (const v of Object.values(acc) as { balancedAccuracy?: number }[]) delete v.balancedAccuracy;
  await Deno.writeTextFile(accPath, JSON.stringify(acc, null, 1) + "\n");
  const r = await runSuite({
    suite: loaded,
    outDir: join(dir, "out-old-derived"),
    workDir: work,
    log: () => {},
  });
  const b = JSON.parse(await Deno.readTextFile(r.reportPath)).body;
  const t: TaskEvaluation = b.tasks[0];
  assert.deepEqual(t.matching, task.matching, "still matched on balanced accuracy");
  // The same matches as with balanced accuracy cached, each matched row with its balanced figure.
  const matches = (x: TaskEvaluation) =>
    x.platforms.map((p) => p.comparisons.map((c) => c.adaspring));
  assert.deepEqual(matches(t), matches(task));
  for (const p of t.platforms) {
    for (const row of p.rows.filter((x) => x.family === "adaspring")) {
      assert.equal(typeof row.balancedAccuracy?.value, "number", row.name);
    }
  }
  // Measured again and saved: every configuration the matching looked at has it now.
  const saved = JSON.parse(await Deno.readTextFile(accPath));
  const ids = t.platforms.flatMap((p) =>
    p.rows.filter((x) => x.family === "adaspring").map((x) => x.config)
  );
  for (const id of ids) assert.equal(typeof saved[id].balancedAccuracy, "number", id);
  assert.deepEqual(checkEvaluation(b).problems, []);
});

Deno.test("evaluate: a profile made from other supernet weights is refused, not reused", async () => {
  const work = join(dir, "work-stale");
  await Deno.mkdir(work);
  await new Deno.Command("cp", { args: ["-r", `${join(dir, "work1")}/.`, work] }).output();
  let manifest = "";
  for await (const e of Deno.readDir(work)) {
    const candidate = join(work, e.name, "supernet", "supernet.weights.json");
    try {
      await Deno.stat(candidate);
      manifest = candidate;
    } catch { /* not a task directory */ }
  }
  assert.ok(manifest, "the first run saved its supernet");
  // The copied stage summary still points at work1's weights: point it at the copy's.
  const summaryPath = join(manifest, "..", "summary.json");
  const summary = JSON.parse(await Deno.readTextFile(summaryPath));
  await Deno.writeTextFile(summaryPath, JSON.stringify({ ...summary, weightsPath: manifest }));
  // Same weights, other manifest bytes: what a retrained supernet looks like to the profile.
  await Deno.writeTextFile(manifest, (await Deno.readTextFile(manifest)).trimEnd() + "\n\n");
  await assert.rejects(
    () => runSuite({ suite: loaded, outDir: join(dir, "out-stale"), workDir: work, log: () => {} }),
    /was made from other supernet weights .*delete .*profile/,
  );
});

/** The `.json` files of `dir` (name to text), `inputs.json` included. */
async function jsonFiles(dir: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for await (const f of Deno.readDir(dir)) {
    if (f.name.endsWith(".json")) out.set(f.name, await Deno.readTextFile(join(dir, f.name)));
  }
  return out;
}

Deno.test("evaluate: aloneSeeds 2 trains a second seed of each spanning configuration, reusing seed 0", async () => {
  // A one-seed report has none of the seed fields, and its markdown no seed column.
  for (const r of task.sharedVsAlone.rows) assert.equal("aloneSeeds" in r, false, r.name);
  assert.equal("aloneNoise" in task.sharedVsAlone.spanning, false);
  assert.equal(loaded.config.baselines.aloneSeeds, 1, "the default");
  const md1 = await Deno.readTextFile(join(first.outDir, "report.md"));
  assert.doesNotMatch(md1, /seeds/);

  const work = join(dir, "work-seeds");
  await Deno.mkdir(work);
  await new Deno.Command("cp", { args: ["-r", `${join(dir, "work1")}/.`, work] }).output();
  const aloneDir = join(work, "tiny", "alone"), baselinesDir = join(work, "tiny", "baselines");
  const aloneBefore = await jsonFiles(aloneDir);
  const baselinesBefore = await jsonFiles(baselinesDir);
  const seeded = structuredClone(loaded);
  (seeded.config.baselines as { aloneSeeds: number }).aloneSeeds = 2;
  const lines: string[] = [];
  const run2 = (out: string, log: (l: string) => void) =>
    runSuite({ suite: seeded, outDir: join(dir, out), workDir: work, log });
  const r = await run2("out-seeds", (l) => lines.push(l));

  // Only the second seeds were trained: the stamp accepted the one-seed work directory, and no
  // seed-0 run (the largest's is the backbone baseline) was trained again.
  const names = ["largest", "smallest", "sampled-0", "sampled-1"];
  const trained = lines.filter((l) => /^\s+(alone|baseline):/.test(l)).map((l) => l.trim());
  assert.deepEqual(
    trained.map((l) => l.split(" ").slice(0, 4).join(" ")),
    names.map((n) => `alone: ${n} seed 1`),
  );
  const aloneAfter = await jsonFiles(aloneDir);
  for (const [name, text] of aloneBefore) assert.equal(aloneAfter.get(name), text, name);
  assert.deepEqual(await jsonFiles(baselinesDir), baselinesBefore, "baselines untouched");
  assert.deepEqual(
    [...aloneAfter.keys()].filter((n) => !aloneBefore.has(n)).sort(),
    names.map((n) => `${n}.seed1.json`).sort(),
  );

  const b = JSON.parse(await Deno.readTextFile(r.reportPath)).body;
  assert.deepEqual(checkEvaluation(b).problems, []);
  const sva: TaskEvaluation["sharedVsAlone"] = b.tasks[0].sharedVsAlone;
  // Seed 0 is the one-seed run's figure: `alone` keeps its meaning.
  assert.deepEqual(
    sva.rows.map((x) => [x.name, x.alone.value, x.derived.value]),
    task.sharedVsAlone.rows.map((x) => [x.name, x.alone.value, x.derived.value]),
  );
  const spreads: number[] = [];
  for (const row of sva.rows) {
    if (row.set === "baselines") {
      assert.equal(row.aloneSeeds, undefined, row.name);
      continue;
    }
    const saved = JSON.parse(aloneAfter.get(`${row.name}.seed1.json`)!);
    assert.equal(saved.seed, 1);
    assert.equal(saved.config, row.config, "the same configuration, another seed");
    const seeds = row.aloneSeeds!.map((f) => f.value);
    assert.deepEqual(seeds, [row.alone.value, saved.testAccuracy], row.name);
    assert.match(row.aloneSeeds![1].source!, /seed 1 of 2/);
    assert.equal(row.aloneSeeds![1].provenance, "measured-here");
    assert.ok(Math.abs(row.aloneMean!.value - (seeds[0] + seeds[1]) / 2) < 1e-12, row.name);
    assert.deepEqual(
      row.aloneBalancedSeeds!.map((f) => f.value),
      [row.aloneBalanced!.value, saved.testBalancedAccuracy],
    );
    spreads.push(Math.abs(seeds[0] - seeds[1]));
  }
  assert.equal(spreads.length, 4);
  // Training is deterministic per seed (a fresh work directory gives the same accuracies): a
  // second seed that trained like seed 0 would spread by nothing.
  assert.ok(spreads.some((x) => x > 0), `spreads ${spreads}`);
  const s = sva.spanning;
  assert.ok(Math.abs(s.aloneNoise! - spreads.reduce((a, x) => a + x, 0) / 4) < 1e-12);
  assert.equal(s.maxAloneNoise, Math.max(...spreads));
  assert.equal(typeof s.meanGapToAloneMean, "number");
  assert.equal(typeof s.aloneBalancedNoise, "number");
  assert.equal("aloneNoise" in sva.baselines, false);
  // The one-seed cost is what the spanning set's training time still counts.
  assert.equal(s.aloneTrainTime.value, task.sharedVsAlone.spanning.aloneTrainTime.value);

  const md = await Deno.readTextFile(join(r.outDir, "report.md"));
  assert.match(md, /\| alone % \| alone, 2 seeds: mean \(min-max\) % \| derived % \|/);
  assert.match(
    md,
    /Trained alone with 2 seeds, the same configuration's accuracy spreads by a mean \d+\.\d\d points \(max \d+\.\d\d\); the mean gap to the seeds' mean accuracy is -?\d+\.\d\d points\./,
  );
  assert.match(md, /each \(the largest too\) with 2 seeds/);
  assert.match(md, /\*\*aloneNoise\*\*/);

  // A rerun reuses the second seeds; going back to one seed loads the same directory.
  const again: string[] = [];
  await run2("out-seeds2", (l) => again.push(l));
  assert.deepEqual(again.filter((l) => /^\s+(alone|baseline):/.test(l)), []);
  const back = await runSuite({
    suite: loaded,
    outDir: join(dir, "out-seeds3"),
    workDir: work,
    log: () => {},
  });
  const b1 = JSON.parse(await Deno.readTextFile(back.reportPath)).body;
  assert.equal("aloneSeeds" in b1.tasks[0].sharedVsAlone.rows[0], false);
  assert.deepEqual(checkEvaluation(b1).problems, []);
});

Deno.test("evaluate: supernet seeds 2 trains a second supernet only, and derives the spanning set from both", async () => {
  assert.equal("supernetSeeds" in task.sharedVsAlone, false, "one supernet by default");
  const work = join(dir, "work-supernets");
  await Deno.mkdir(work);
  await new Deno.Command("cp", { args: ["-r", `${join(dir, "work1")}/.`, work] }).output();
  const taskDir = join(work, "tiny");
  const before = new Map<string, Map<string, string>>();
  for (const stage of ["supernet", "profile", "alone", "baselines"]) {
    before.set(stage, await jsonFiles(join(taskDir, stage)));
  }
  const seeded = structuredClone(loaded);
  (seeded.config.supernet as { seeds?: number }).seeds = 2;
  const lines: string[] = [];
  const r = await runSuite({
    suite: seeded,
    outDir: join(dir, "out-supernets"),
    workDir: work,
    log: (l) => lines.push(l),
  });
  // The stamps accepted the one-supernet work directory: nothing of it was trained again, and
  // only the second supernet (seed 1) was trained.
  assert.ok(lines.some((l) => /^\s+supernet seed 1: epoch 1\/1/.test(l)), "second supernet");
  assert.deepEqual(
    lines.filter((l) => /^\s+(supernet|alone|baseline):/.test(l) && !/reusing/.test(l)),
    [],
  );
  for (const [stage, files] of before) {
    const after = await jsonFiles(join(taskDir, stage));
    for (const [name, text] of files) {
      // Derived accuracies are added to (not changed in) supernet/test-accuracy.json.
      if (name === DERIVED_ACCURACY_FILE) continue;
      assert.equal(after.get(name), text, `${stage}/${name}`);
    }
  }
  const b = JSON.parse(await Deno.readTextFile(r.reportPath)).body;
  assert.deepEqual(checkEvaluation(b).problems, []);
  const sva: TaskEvaluation["sharedVsAlone"] = b.tasks[0].sharedVsAlone;
  assert.deepEqual(sva.supernetSeeds, [0, 1]);
  assert.equal(sva.extraSupernetsTrainTime!.provenance, "measured-here");
  const second = JSON.parse(
    await Deno.readTextFile(join(taskDir, "supernet.seed1", DERIVED_ACCURACY_FILE)),
  );
  const spreads: number[] = [];
  for (const row of sva.rows) {
    const first = task.sharedVsAlone.rows.find((x) => x.name === row.name)!;
    assert.equal(row.derived.value, first.derived.value, `${row.name}: supernet 0's figure`);
    if (row.set === "baselines") {
      assert.equal(row.derivedSeeds, undefined, row.name);
      continue;
    }
    const v = row.derivedSeeds!.map((f) => f.value);
    assert.deepEqual(v, [row.derived.value, second[row.config].accuracy], row.name);
    assert.deepEqual(
      row.derivedBalancedSeeds!.map((f) => f.value),
      [row.derivedBalanced!.value, second[row.config].balancedAccuracy],
    );
    assert.match(row.derivedSeeds![1].source!, /supernet 1 of 2, ensemble-trained with seed 1/);
    spreads.push(Math.abs(v[0] - v[1]));
  }
  assert.equal(spreads.length, 4);
  // Another seed trains another supernet: its derived configurations differ somewhere.
  assert.ok(spreads.some((x) => x > 0), `spreads ${spreads}`);
  assert.ok(Math.abs(sva.spanning.derivedNoise! - spreads.reduce((a, x) => a + x, 0) / 4) < 1e-12);
  const md = await Deno.readTextFile(join(r.outDir, "report.md"));
  assert.match(md, /\| derived % \| derived, 2 supernets: mean \(min-max\) % \| gap \|/);
  assert.match(md, /Derived from 2 supernets \(ensemble-trained with consecutive seeds\)/);
  assert.match(md, /\*\*derivedNoise\*\*/);
  assert.match(md, /2 supernets \(consecutive seeds\) for the derived configurations' spread/);
});
