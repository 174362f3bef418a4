import assert from "node:assert/strict";
import { checkEvaluation, checkSharedVsAlone } from "../../lib/evaluate/check.ts";
import {
  aloneNoiseStats,
  aloneSeedFields,
  derivedNoiseStats,
  derivedSeedFields,
  gapStats,
} from "../../lib/evaluate/shared_vs_alone.ts";
import type { TaskEvaluation } from "../../lib/evaluate/task_eval.ts";
import { measuredHere } from "../../lib/report/provenance.ts";

// A report written before balanced accuracy was recorded (no balanced fields, no class counts).
const old = JSON.parse(
  await Deno.readTextFile(new URL("../../results/paper-s5/report.json", import.meta.url)),
).body;

type Sva = TaskEvaluation["sharedVsAlone"];

/** `body` with balanced accuracies on every shared-vs-alone row of task `i`, summaries too. */
function withBalanced(body: typeof old, i = 0) {
  const b = structuredClone(body);
  const sva: { -readonly [K in keyof Sva]: Sva[K] } = b.tasks[i].sharedVsAlone;
  sva.rows = sva.rows.map((r, k) => {
    const a = 0.9 - 0.01 * k, d = 0.5 + 0.02 * k;
    return {
      ...r,
      aloneBalanced: measuredHere(a, "fraction", "balanced, test split"),
      derivedBalanced: measuredHere(d, "fraction", "balanced, test split, derived"),
      balancedGap: a - d,
    };
  });
  for (const set of ["spanning", "baselines"] as const) {
    sva[set] = { ...sva[set], ...gapStats(sva.rows.filter((r) => r.set === set)) };
  }
  return b;
}

Deno.test("evaluate check: a report from before balanced accuracy passes as it is", () => {
  assert.equal(old.tasks[0].sharedVsAlone.rows[0].aloneBalanced, undefined);
  assert.equal(old.tasks[0].sharedVsAlone.spanning.meanBalancedGap, undefined);
  assert.deepEqual(checkEvaluation(old).problems, []);
});

Deno.test("evaluate check: shared-vs-alone gaps are recomputed from the rows", () => {
  const bad = structuredClone(old);
  bad.tasks[0].sharedVsAlone.rows[1].gap += 0.01;
  assert.ok(checkSharedVsAlone(bad.tasks[0]).some((p) => /gap .* != alone - derived/.test(p)));
  const bad2 = structuredClone(old);
  bad2.tasks[0].sharedVsAlone.spanning.meanGap += 0.01;
  assert.ok(
    checkEvaluation(bad2).problems.some((p) =>
      /spanning: meanGap .* recomputed from the rows/.test(p)
    ),
  );
});

Deno.test("evaluate check: balanced accuracies are checked where the report has them", () => {
  const good = withBalanced(old);
  assert.deepEqual(checkEvaluation(good).problems, []);
  assert.ok(checkEvaluation(good).figures > checkEvaluation(old).figures, "figures counted");

  const gap = withBalanced(old);
  gap.tasks[0].sharedVsAlone.rows[2].balancedGap += 0.05;
  assert.ok(checkEvaluation(gap).problems.some((p) => /balanced gap .* != /.test(p)));

  const mean = withBalanced(old);
  mean.tasks[0].sharedVsAlone.spanning.meanBalancedGap += 0.05;
  assert.ok(checkEvaluation(mean).problems.some((p) => /spanning: meanBalancedGap/.test(p)));

  // One row lacks its derived balanced accuracy: no row gap, the set's balanced gaps null.
  const partial = withBalanced(old);
  delete partial.tasks[0].sharedVsAlone.rows[0].derivedBalanced;
  assert.ok(
    checkEvaluation(partial).problems.some((p) => /a balanced gap without both/.test(p)),
  );
  delete partial.tasks[0].sharedVsAlone.rows[0].balancedGap;
  assert.ok(
    checkEvaluation(partial).problems.some((p) => /spanning: meanBalancedGap .* != null/.test(p)),
  );
  partial.tasks[0].sharedVsAlone.spanning.meanBalancedGap = null;
  partial.tasks[0].sharedVsAlone.spanning.worstBalancedGap = null;
  assert.deepEqual(checkEvaluation(partial).problems, []);

  const unsourced = withBalanced(old);
  delete unsourced.tasks[0].sharedVsAlone.rows[0].aloneBalanced.provenance;
  assert.ok(
    checkEvaluation(unsourced).problems.some((p) =>
      /rows\.0\.aloneBalanced: no provenance/.test(p)
    ),
  );
});

/** `body` with two alone seeds on every spanning row of task 0, the spanning summary too. */
function withSeeds(body: typeof old) {
  const b = withBalanced(body);
  const sva: { -readonly [K in keyof Sva]: Sva[K] } = b.tasks[0].sharedVsAlone;
  sva.rows = sva.rows.map((r, k) => {
    if (r.set !== "spanning") return r;
    const second = { testAccuracy: r.alone.value - 0.01 * (k + 1), testSamples: 100 };
    return {
      ...r,
      ...aloneSeedFields([
        {
          testAccuracy: r.alone.value,
          testBalancedAccuracy: r.aloneBalanced!.value,
          testSamples: 100,
        },
        { ...second, testBalancedAccuracy: r.aloneBalanced!.value + 0.02 },
      ]),
    };
  });
  sva.spanning = {
    ...sva.spanning,
    ...aloneNoiseStats(sva.rows.filter((r) => r.set === "spanning")),
  };
  return b;
}

Deno.test("evaluate check: alone seeds' means and noise are recomputed where the report has them", () => {
  const good = withSeeds(old);
  const spanning = good.tasks[0].sharedVsAlone.spanning;
  assert.equal(typeof spanning.aloneNoise, "number");
  assert.ok(spanning.aloneNoise > 0);
  assert.deepEqual(checkEvaluation(good).problems, []);
  // Older reports (no seeds) pass as they are: the first test of this file.
  const problems = (mutate: (b: ReturnType<typeof withSeeds>) => void) => {
    const b = withSeeds(old);
    mutate(b);
    return checkEvaluation(b).problems;
  };
  const row = (b: ReturnType<typeof withSeeds>) =>
    b.tasks[0].sharedVsAlone.rows.find((r: { set: string }) => r.set === "spanning");
  assert.ok(
    problems((b) => row(b).aloneMean.value += 0.01).some((p) => /alone seeds: mean .* != /.test(p)),
  );
  assert.ok(
    problems((b) => row(b).aloneBalancedMean.value -= 0.01).some((p) =>
      /balanced alone seeds: mean/.test(p)
    ),
  );
  assert.ok(
    problems((b) => row(b).aloneSeeds[0].value += 0.01).some((p) =>
      /seed 0 .* is not the row's alone figure/.test(p)
    ),
  );
  assert.ok(
    problems((b) => delete row(b).aloneSeeds).some((p) =>
      /seeds and their mean must come together/.test(p)
    ),
  );
  assert.ok(
    problems((b) => b.tasks[0].sharedVsAlone.spanning.aloneNoise += 0.01).some((p) =>
      /spanning: aloneNoise .* recomputed from the rows/.test(p)
    ),
  );
  assert.ok(
    problems((b) => b.tasks[0].sharedVsAlone.spanning.meanGapToAloneMean -= 0.01).some((p) =>
      /spanning: meanGapToAloneMean/.test(p)
    ),
  );
  // Rows with seeds but a summary without their noise (or the other way round) is caught too.
  assert.ok(
    problems((b) => delete b.tasks[0].sharedVsAlone.spanning.maxAloneNoise).some((p) =>
      /spanning: maxAloneNoise undefined != /.test(p)
    ),
  );
  assert.ok(
    problems((b) => b.tasks[0].sharedVsAlone.baselines.aloneNoise = 0).some((p) =>
      /baselines: aloneNoise 0 != undefined/.test(p)
    ),
  );
});

/** `body` with two supernets behind every spanning row of task 0, the spanning summary too. */
function withSupernetSeeds(body: typeof old) {
  const b = withSeeds(body);
  const sva: { -readonly [K in keyof Sva]: Sva[K] } = b.tasks[0].sharedVsAlone;
  sva.rows = sva.rows.map((r, k) => {
    if (r.set !== "spanning") return r;
    const m = (d: number, db: number) => ({
      testAccuracy: d,
      testBalancedAccuracy: db,
      testSamples: 100,
    });
    const first = m(r.derived.value, r.derivedBalanced!.value);
    const second = m(r.derived.value - 0.02 * (k + 1), r.derivedBalanced!.value + 0.01);
    return { ...r, ...derivedSeedFields([first, second], [0, 1]) };
  });
  sva.spanning = {
    ...sva.spanning,
    ...derivedNoiseStats(sva.rows.filter((r) => r.set === "spanning")),
  };
  sva.supernetSeeds = [0, 1];
  return b;
}

Deno.test("evaluate check: supernet seeds' means and spread are recomputed where the report has them", () => {
  const good = withSupernetSeeds(old);
  const spanning = good.tasks[0].sharedVsAlone.spanning;
  assert.ok(spanning.derivedNoise > 0);
  assert.equal(typeof spanning.meanBalancedGapOfMeans, "number");
  assert.deepEqual(checkEvaluation(good).problems, []);
  const problems = (mutate: (b: ReturnType<typeof withSupernetSeeds>) => void) => {
    const b = withSupernetSeeds(old);
    mutate(b);
    return checkEvaluation(b).problems;
  };
  const row = (b: ReturnType<typeof withSupernetSeeds>) =>
    b.tasks[0].sharedVsAlone.rows.find((r: { set: string }) => r.set === "spanning");
  assert.ok(
    problems((b) => row(b).derivedMean.value += 0.01).some((p) =>
      /supernet seeds: mean .* != /.test(p)
    ),
  );
  assert.ok(
    problems((b) => row(b).derivedBalancedSeeds[0].value += 0.01).some((p) =>
      /balanced supernet seeds: seed 0 .* is not the row's balanced derived figure/.test(p)
    ),
  );
  assert.ok(
    problems((b) => b.tasks[0].sharedVsAlone.spanning.derivedNoise += 0.01).some((p) =>
      /spanning: derivedNoise .* recomputed from the rows/.test(p)
    ),
  );
  assert.ok(
    problems((b) => b.tasks[0].sharedVsAlone.spanning.meanGapOfMeans -= 0.01).some((p) =>
      /spanning: meanGapOfMeans/.test(p)
    ),
  );
  assert.ok(
    problems((b) => delete b.tasks[0].sharedVsAlone.supernetSeeds).some((p) =>
      /2 derived seeds, 0 supernets recorded/.test(p)
    ),
  );
  assert.ok(
    problems((b) => delete b.tasks[0].sharedVsAlone.spanning.maxDerivedNoise).some((p) =>
      /spanning: maxDerivedNoise undefined != /.test(p)
    ),
  );
});

/**
 * `body` as a new report writes it: every task records its matching, every comparison and
 * looser pair its metric; sensor's test split is imbalanced, its baselines matched on balanced
 * accuracy (each match 0.1 point above its baseline), the other tasks' on accuracy.
 */
function withMatching(body: typeof old) {
  const b = structuredClone(body);
  const f = (value: number) => measuredHere(value, "fraction", "balanced, test split");
  for (const t of b.tasks) {
    const sensor = t.task === "sensor";
    t.dataset.testClassCounts = sensor ? [769, 7] : [500, 480];
    for (const p of t.platforms) {
      for (const r of p.rows) {
        const base = r.family === "hand-crafted" ? r.name : r.name.replace("adaspring@", "");
        const k = p.rows.findIndex((x: { name: string }) => x.name === base);
        if (sensor) r.balancedAccuracy = f(0.8 - 0.01 * k + (r.family === "adaspring" ? 0.001 : 0));
      }
      const rows = new Map<string, { balancedAccuracy: { value: number } }>(
        p.rows.map((r: { name: string; balancedAccuracy: { value: number } }) => [r.name, r]),
      );
      for (const c of p.comparisons) {
        c.matchMetric = sensor ? "balancedAccuracy" : "accuracy";
        if (sensor && c.adaspring !== null) {
          c.balancedAccuracyDelta = rows.get(c.adaspring)!.balancedAccuracy.value -
            rows.get(c.baseline)!.balancedAccuracy.value;
        }
      }
      for (const v of p.sensitivity) {
        for (const q of v.pairs) {
          q.matchMetric = sensor ? "balancedAccuracy" : "accuracy";
          if (sensor) q.balancedAccuracyDelta = 0.001 - v.tolerance;
        }
      }
    }
    const hand = t.platforms[0].rows.filter((r: { family: string }) => r.family === "hand-crafted");
    t.matching = {
      imbalanced: sensor,
      metrics: Object.fromEntries(
        hand.map((r: { name: string }) => [r.name, sensor ? "balancedAccuracy" : "accuracy"]),
      ),
      fallback: [],
    };
  }
  return b;
}

/** The problems of `withMatching(old)` after `mutate`. */
const matchingProblems = (mutate: (b: ReturnType<typeof withMatching>) => void) => {
  const b = withMatching(old);
  mutate(b);
  return checkEvaluation(b).problems;
};
const sensorHost = (b: ReturnType<typeof withMatching>) =>
  b.tasks.find((t: { task: string }) => t.task === "sensor").platforms[0];

Deno.test("evaluate check: a report matched on balanced accuracy for an imbalanced task passes", () => {
  const good = withMatching(old);
  assert.deepEqual(checkEvaluation(good).problems, []);
  assert.ok(checkEvaluation(good).figures > checkEvaluation(old).figures, "balanced rows counted");
});

Deno.test("evaluate check: a match below its target in its metric fails, in either metric", () => {
  // Balanced accuracy 1 point below the baseline's at a 0.5-point tolerance.
  const below = matchingProblems((b) => {
    const p = sensorHost(b);
    const c = p.comparisons[0];
    const ada = p.rows.find((r: { name: string }) => r.name === c.adaspring);
    const base = p.rows.find((r: { name: string }) => r.name === c.baseline);
    ada.balancedAccuracy.value = base.balancedAccuracy.value - 0.01;
    c.balancedAccuracyDelta = -0.01;
  });
  assert.equal(below.length, 1, below.join("\n"));
  assert.match(below[0], /sensor\/host\/backbone: balanced accuracy .* below the target/);
  // An older report (no matchMetric) matched on accuracy: its accuracy is held to the target.
  const bad = structuredClone(old);
  const c = bad.tasks[0].platforms[0].comparisons[0];
  const rows = bad.tasks[0].platforms[0].rows;
  const ada = rows.find((r: { name: string }) => r.name === c.adaspring);
  ada.accuracy.value = rows.find((r: { name: string }) => r.name === c.baseline).accuracy.value -
    0.006;
  c.accuracyDelta = -0.006;
  assert.ok(
    checkEvaluation(bad).problems.some((p) =>
      /mnist\/host\/backbone: accuracy .* below the target .* - 0\.005/.test(p)
    ),
  );
  // A looser pair whose delta in its metric exceeds its tolerance.
  assert.ok(
    matchingProblems((b) => sensorHost(b).sensitivity[0].pairs[0].balancedAccuracyDelta = -0.02)
      .some((p) =>
        /tolerance 0\.01\/backbone: balanced accuracy delta -0\.02 is below -0\.01/.test(p)
      ),
  );
});

Deno.test("evaluate check: the match metric is the one the test split and the baselines call for", () => {
  // Matched on accuracy although the split is imbalanced and the baseline's balanced accuracy known.
  const plain = matchingProblems((b) => {
    const t = b.tasks.find((x: { task: string }) => x.task === "sensor");
    t.matching.metrics.backbone = "accuracy";
    for (const p of t.platforms) {
      for (const c of p.comparisons) if (c.baseline === "backbone") c.matchMetric = "accuracy";
      for (const v of p.sensitivity) {
        for (const q of v.pairs) if (q.baseline === "backbone") q.matchMetric = "accuracy";
      }
    }
  });
  assert.equal(plain.length, 1, plain.join("\n"));
  assert.match(plain[0], /sensor\/matching: .* chosen from the test class counts/);
  // A comparison's metric disagreeing with its task's, or missing beside it.
  assert.ok(
    matchingProblems((b) => sensorHost(b).comparisons[1].matchMetric = "accuracy").some((p) =>
      /sensor\/host\/width-0\.5: matched on accuracy but the task's matching says balancedAccuracy/
        .test(p)
    ),
  );
  assert.ok(
    matchingProblems((b) => delete sensorHost(b).comparisons[1].matchMetric).some((p) =>
      /matched on undefined/.test(p)
    ),
  );
  // A balanced accuracy delta that does not match its rows.
  assert.ok(
    matchingProblems((b) => sensorHost(b).comparisons[2].balancedAccuracyDelta += 0.01).some((p) =>
      /sensor\/host\/depthwise: balanced accuracy delta .* != /.test(p)
    ),
  );
  // A fallback (baseline without balanced accuracy) must be recorded as one.
  const fallback = (recorded: boolean) =>
    matchingProblems((b) => {
      const t = b.tasks.find((x: { task: string }) => x.task === "sensor");
      for (const p of t.platforms) {
        delete p.rows.find((r: { name: string }) => r.name === "fire").balancedAccuracy;
        for (const c of p.comparisons) {
          if (c.baseline !== "fire") continue;
          c.matchMetric = "accuracy";
          delete c.balancedAccuracyDelta;
        }
        for (const v of p.sensitivity) {
          for (const q of v.pairs) {
            if (q.baseline === "fire") q.matchMetric = "accuracy";
          }
        }
      }
      t.matching.metrics.fire = "accuracy";
      if (recorded) {
        t.matching.fallback = ["fire"];
        t.matching.remeasure = "baselines/";
      }
    });
  assert.deepEqual(fallback(true), []);
  assert.ok(fallback(false).some((p) => /sensor\/matching: /.test(p)));
});

Deno.test("evaluate check: a body without the suite's tolerance says so", () => {
  const { suite: _s, ...bare } = old;
  assert.ok(
    checkEvaluation(bare).problems.some((p) => /suite\.matching\.tolerance: missing/.test(p)),
  );
});
