import assert from "node:assert/strict";
import { testBalance } from "../../lib/data/balance.ts";
import {
  accuracyLatencyFront,
  chooseMatchMetric,
  findMatch,
  MatchBudget,
  taskMatching,
} from "../../lib/evaluate/matching.ts";
import { SupernetModels, type TestMetric } from "../../lib/evaluate/measure.ts";
import type { EvalTask } from "../../lib/evaluate/task_setup.ts";
import { deployMetric } from "../../lib/evaluate/task_eval.ts";
import { loadTaskConfig } from "../../lib/config/task.ts";
import { formatConfigId } from "../../lib/supernet/config_id.ts";
import { createSearchSpace } from "../../lib/supernet/space.ts";
import type { WeightStore } from "../../lib/supernet/weights.ts";
import type { ParetoPoint } from "../../lib/search/pareto_lookup.ts";

// Point i: latency i + 1 ms, predicted accuracy rising; measured accuracy given per point, and
// balanced accuracy where `balanced` gives it (as SupernetModels measures it when asked).
function setup(
  measured: number[],
  predicted = measured.map((_, i) => 0.5 + i * 0.01),
  balanced?: number[],
) {
  const points: ParetoPoint[] = measured.map((_, i) => ({
    config: { choices: [i], int8: false },
    metrics: { accuracy: predicted[i], latencyMs: i + 1, energyMj: 1, bytes: 1 },
  }));
  const seen = new Set<number>();
  const models = {
    lookedAt: (c: { choices: number[] }) => seen.has(c.choices[0]),
    get: (c: { choices: number[] }, _metric?: TestMetric) => {
      seen.add(c.choices[0]);
      return Promise.resolve({
        id: `${c.choices[0]}`,
        bytes: new Uint8Array(),
        testAccuracy: measured[c.choices[0]],
        ...(balanced ? { testBalancedAccuracy: balanced[c.choices[0]] } : {}),
        testSamples: 1,
      });
    },
  } as unknown as SupernetModels;
  return { points, models, seen };
}

Deno.test("the accuracy-latency front drops points slower and no more accurate", () => {
  const { points } = setup([0, 0, 0], [0.9, 0.8, 0.95]);
  assert.deepEqual(accuracyLatencyFront(points).map((p) => p.config.choices[0]), [0, 2]);
});

Deno.test("findMatch: binary search finds the fastest reaching the target, measuring few", async () => {
  const measured = Array.from({ length: 64 }, (_, i) => 0.5 + i * 0.007);
  const { points, models, seen } = setup(measured);
  const m = await findMatch(
    points,
    0.8,
    models,
    { tolerance: 0, maxCandidates: 20 },
    new MatchBudget(20),
  );
  assert.ok("model" in m);
  assert.equal(m.config.choices[0], 43); // first i with 0.5 + 0.007 i >= 0.8
  assert.ok(seen.size <= 6 + 2, `${seen.size} measured`);
});

Deno.test("findMatch: a miscalibrated predictor does not block a match, the recheck catches a dip", async () => {
  // Predicted far below the measured values; measured not monotone: 2 reaches the goal, 3 does not.
  const measured = [0.7, 0.8, 0.97, 0.9, 0.96, 0.98, 0.99];
  const { points, models } = setup(measured, measured.map((_, i) => 0.1 + i * 0.01));
  const m = await findMatch(
    points,
    0.95,
    models,
    { tolerance: 0, maxCandidates: 10, recheck: 3 },
    new MatchBudget(10),
  );
  assert.ok("model" in m);
  assert.equal(m.config.choices[0], 2);
});

Deno.test("findMatch: unreachable targets and an exhausted budget say why", async () => {
  const { points, models } = setup([0.5, 0.6, 0.7]);
  const none = await findMatch(
    points,
    0.9,
    models,
    { tolerance: 0, maxCandidates: 5 },
    new MatchBudget(5),
  );
  assert.ok("reason" in none && /reached 90\.00%/.test(none.reason));
  const { points: p2, models: m2 } = setup(Array.from({ length: 32 }, (_, i) => i / 32));
  const cut = await findMatch(p2, 0.9, m2, { tolerance: 0, maxCandidates: 1 }, new MatchBudget(1));
  assert.ok("reason" in cut && /budget ran out/.test(cut.reason));
});

Deno.test("findMatch: a candidate measured already bounds the search at no cost; with no budget left it still matches", async () => {
  // Measured accuracy is not monotone along the front: the binary search alone (budget 2) probes
  // 5 and 8 (both below 0.9) and gives up; index 6, measured earlier for another target, reaches it.
  const measured = [0.5, 0.5, 0.5, 0.5, 0.91, 0.5, 0.93, 0.5, 0.6, 0.5];
  const find = (s: ReturnType<typeof setup>, budget: MatchBudget) =>
    findMatch(s.points, 0.9, s.models, { tolerance: 0, maxCandidates: budget.max }, budget);
  const blind = await find(setup(measured), new MatchBudget(2));
  assert.ok("reason" in blind, "without prior measurements the budget runs out");
  const warm = setup(measured);
  await warm.models.get(warm.points[6].config);
  const budget = new MatchBudget(0);
  const m = await find(warm, budget);
  assert.ok("model" in m);
  assert.equal(m.config.choices[0], 6);
  assert.equal(budget.measured, 0);
  // With budget, only the faster ones are searched (3, 5, then the recheck finds 4).
  const more = await find(warm, new MatchBudget(4));
  assert.ok("model" in more);
  assert.equal(more.config.choices[0], 4);
});

Deno.test("findMatch: accuracies saved by an earlier run cost budget like new ones, so a resumed run searches as the first did", async () => {
  // A resumed evaluation reads back everything the first run measured, including what it
  // measured after this target (for slower platforms, looser tolerances). Were those free, the
  // rerun would find matches the first run did not. Budget 0: nothing may be charged.
  const space = createSearchSpace((await loadTaskConfig("mnist")).config);
  const configs = [0, 1, 2].map((k) => ({
    choices: space.blocks.map((b) => Math.min(k, b.choices.length - 1)),
    int8: false,
  }));
  const saved = Object.fromEntries(
    configs.map((c) => [formatConfigId(space, c), { accuracy: 0.99, samples: 100 }]),
  );
  const models = new SupernetModels({ space } as EvalTask, {} as WeightStore, saved);
  const points: ParetoPoint[] = configs.map((config, i) => ({
    config,
    metrics: { accuracy: 0.9 - i * 0.01, latencyMs: 3 - i, energyMj: 1, bytes: 1 },
  }));
  const budget = new MatchBudget(0);
  const m = await findMatch(points, 0.9, models, { tolerance: 0, maxCandidates: 0 }, budget);
  assert.ok("reason" in m, "not matched for free from the saved accuracies");
  assert.match(m.reason, /budget ran out/);
  assert.equal(models.lookedAt(configs[0]), false);
});

// A sensor-like split (769 normal, 7 anomalous test windows): the four fastest configurations
// answer "normal" everywhere (99.10% accuracy, 50% balanced), the slower ones detect anomalies.
const ONE_CLASS = 769 / 776;
const sensorFront = () =>
  setup(
    [ONE_CLASS, ONE_CLASS, ONE_CLASS, ONE_CLASS, 0.9897, 0.9923, 0.9936, 0.9948],
    undefined,
    [0.5, 0.5, 0.5, 0.5, 0.7137, 0.7851, 0.8565, 0.9279],
  );
// The baseline: 99.74% accuracy, 85.71% balanced (it detects 5 of the 7 anomalies).
const baseline = { testAccuracy: 0.9974, testBalancedAccuracy: 0.8571 };
const knobs = { tolerance: 0.01, maxCandidates: 8 };

Deno.test("findMatch on balanced accuracy skips a one-class predictor that plain accuracy matches", async () => {
  const plain = sensorFront();
  const onAccuracy = await findMatch(
    plain.points,
    baseline.testAccuracy,
    plain.models,
    knobs,
    new MatchBudget(8),
  );
  assert.ok("model" in onAccuracy);
  assert.equal(onAccuracy.config.choices[0], 0, "99.10% >= 99.74% - 1 point: the fastest");
  assert.equal(onAccuracy.model.testBalancedAccuracy, 0.5);

  const fair = sensorFront();
  const onBalanced = await findMatch(
    fair.points,
    baseline.testBalancedAccuracy,
    fair.models,
    { ...knobs, metric: "balancedAccuracy" },
    new MatchBudget(8),
  );
  assert.ok("model" in onBalanced);
  // The first reaching 85.71% - 1 point = 84.71% balanced: slower, and really detecting.
  assert.equal(onBalanced.config.choices[0], 6);
  assert.equal(onBalanced.model.testBalancedAccuracy, 0.8565);
});

Deno.test("findMatch on balanced accuracy: its reason names the metric; accuracy's is unchanged", async () => {
  const { points, models } = sensorFront();
  const none = await findMatch(
    points,
    0.99,
    models,
    { ...knobs, metric: "balancedAccuracy" },
    new MatchBudget(8),
  );
  assert.ok("reason" in none);
  assert.match(none.reason, /reached 98\.00% measured balanced test accuracy/);
  const again = sensorFront();
  const plain = await findMatch(again.points, 1.5, again.models, knobs, new MatchBudget(8));
  assert.ok("reason" in plain);
  assert.match(plain.reason, /reached 149\.00% measured test accuracy \(/);
});

Deno.test("findMatch on balanced accuracy: candidates looked at before cost no budget", async () => {
  // Every configuration looked at earlier in this evaluation (as the shared-vs-alone rows are,
  // on accuracy): the search reads them back (SupernetModels measures a balanced accuracy an
  // older cache lacks) and charges nothing.
  const run = async (metric: TestMetric) => {
    const { points, models } = sensorFront();
    for (const p of points) await models.get(p.config);
    const budget = new MatchBudget(0);
    const target = metric === "accuracy" ? baseline.testAccuracy : baseline.testBalancedAccuracy;
    const m = await findMatch(points, target, models, { ...knobs, metric }, budget);
    return { budget: budget.measured, match: "model" in m ? m.config : null };
  };
  const onBalanced = await run("balancedAccuracy");
  assert.equal(onBalanced.budget, 0);
  // The fastest reaching 85.71 - 1 points: index 6 (85.65), as with budget to spend.
  assert.deepEqual(onBalanced.match?.choices, [6]);
  const onAccuracy = await run("accuracy");
  assert.equal(onAccuracy.budget, 0);
  assert.deepEqual(onAccuracy.match?.choices, [0]);
});

Deno.test("match metric: balanced accuracy on an imbalanced split where the baseline has it", () => {
  const sensor = testBalance([769, 7]);
  assert.deepEqual(chooseMatchMetric(sensor, baseline), {
    metric: "balancedAccuracy",
    fallback: false,
  });
  // Cached before balanced accuracy was recorded: accuracy, flagged as a fallback.
  assert.deepEqual(chooseMatchMetric(sensor, { testAccuracy: 0.9974 }), {
    metric: "accuracy",
    fallback: true,
  });
  // A balanced split (largest < 2x smallest) and unknown class counts: accuracy, no fallback.
  for (const b of [testBalance([400, 376]), testBalance(undefined)]) {
    assert.deepEqual(chooseMatchMetric(b, baseline), { metric: "accuracy", fallback: false });
    assert.deepEqual(chooseMatchMetric(b, { testAccuracy: 0.9 }), {
      metric: "accuracy",
      fallback: false,
    });
  }
});

Deno.test("task matching: each baseline's metric, the fallbacks and the stage to delete", () => {
  const baselines = [
    { kind: "backbone", ...baseline },
    { kind: "width-0.5", testAccuracy: 0.9961, testBalancedAccuracy: 0.7851 },
    { kind: "int8-ptq", testAccuracy: 0.9974 },
  ];
  assert.deepEqual(taskMatching(testBalance([769, 7]), baselines), {
    imbalanced: true,
    metrics: {
      backbone: "balancedAccuracy",
      "width-0.5": "balancedAccuracy",
      "int8-ptq": "accuracy",
    },
    fallback: ["int8-ptq"],
    remeasure: "baselines/",
  });
  assert.deepEqual(taskMatching(testBalance([500, 480, 20 + 480]), baselines), {
    imbalanced: false,
    metrics: { backbone: "accuracy", "width-0.5": "accuracy", "int8-ptq": "accuracy" },
    fallback: [],
  });
});

Deno.test("deploy metric: balanced accuracy only where every baseline is matched on it and the profile predicts it", () => {
  const sensor = taskMatching(testBalance([769, 7]), [{ kind: "backbone", ...baseline }]);
  assert.equal(deployMetric(sensor, true), "balancedAccuracy");
  assert.equal(deployMetric(sensor, false), "accuracy", "an older profile");
  const fallback = taskMatching(testBalance([769, 7]), [
    { kind: "backbone", ...baseline },
    { kind: "int8-ptq", testAccuracy: 0.9974 },
  ]);
  assert.equal(deployMetric(fallback, true), "accuracy", "a baseline lacks balanced accuracy");
  const even = taskMatching(testBalance([400, 376]), [{ kind: "backbone", ...baseline }]);
  assert.equal(deployMetric(even, true), "accuracy");
});
