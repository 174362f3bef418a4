import assert from "node:assert/strict";
import { checkEvaluation, checkSharedVsAlone } from "../../lib/evaluate/check.ts";
import {
  aloneNoiseStats,
  aloneSeedFields,
  gapStats,
  type TaskEvaluation,
} from "../../lib/evaluate/task_eval.ts";
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
